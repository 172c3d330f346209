import * as z from 'zod';
import { DeliveryInput } from '#schemas/applications';
import { Fen, Id, Instant, TaxRate } from '#schemas/common';
import { TitleView } from '#schemas/titles';

export const InvoiceIdPath = z.object({ invoiceId: Id });

export const InvoiceView = z
  .object({
    invoiceId: Id,
    invoiceNumber: z.string(),
    applicationId: Id,
    kind: z.enum(['blue', 'red']),
    entity: Id,
    taxRate: TaxRate,
    amount: Fen,
    amountExcludingTax: Fen,
    taxAmount: Fen,
    status: z.enum(['issued', 'shipped', 'delivered', 'returned', 'credited']),
    issuedAt: Instant,
    title: TitleView.omit({ status: true, rejectionReason: true }),
    delivery: DeliveryInput,
    lines: z.array(
      z.object({
        itemName: z.string(),
        specification: z.string(),
        total: Fen,
        amountExcludingTax: Fen,
        taxAmount: Fen,
      }),
    ),
  })
  .meta({ id: 'Invoice' });
