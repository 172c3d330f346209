import { Fen, Id, TaxRate } from '#schemas/common';
import * as z from '#schemas/zod';

export const EntityView = z.meta(z.object({ entityId: Id, name: z.string(), taxId: z.string() }), {
  id: 'InvoicingEntity',
});
export const EntityList = z.object({ items: z.array(EntityView) });

export const InvoiceableView = z.meta(
  z.object({
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
  }),
  { id: 'Invoiceable' },
);
