import * as z from 'zod';
import { Fen, Id, Instant, Period, SignedFen, TaxRate } from '#schemas/common';

export const BillingRecordInput = z
  .object({
    accountId: Id,
    recordId: Id,
    kind: z.enum(['order', 'monthly-bill', 'refund', 'adjustment', 'recharge']),
    parentRecordId: Id.optional(),
    period: Period,
    paidAt: Instant,
    entity: Id,
    taxRate: TaxRate,
    cashAmount: SignedFen,
    voucherAmount: Fen.default(0),
    fulfilment: z.enum(['succeeded', 'failed', 'partially-failed']).default('succeeded'),
    fulfilledCashAmount: Fen.optional(),
    productName: z.string().min(1).max(200).optional(),
    eligibleFrom: Instant.optional(),
    notInvoiceableReason: z.string().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'BillingRecordInput' });

export const UpsertBillingRecordsBody = z
  .object({ records: z.array(BillingRecordInput).min(1).max(500) })
  .strict()
  .meta({ id: 'BillingRecordsUpsert' });
export type UpsertBillingRecordsBody = z.infer<typeof UpsertBillingRecordsBody>;
