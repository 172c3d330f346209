import * as z from 'zod';
import { Fen, Id, TaxRate } from '#schemas/common';

export const EntityView = z
  .object({ entityId: Id, name: z.string(), taxId: z.string() })
  .meta({ id: 'InvoicingEntity' });
export const EntityList = z.object({ items: z.array(EntityView) });

export const InvoiceableView = z
  .object({
    amount: Fen,
    byEntity: z.array(z.object({ entity: Id, taxRate: TaxRate, amount: Fen })),
    formula: z.object({
      consumedCash: Fen,
      negatives: Fen,
      invoiced: Fen,
      reserved: Fen,
      arrearsOffset: Fen,
      deficit: Fen,
      amount: Fen,
    }),
  })
  .meta({ id: 'Invoiceable' });
