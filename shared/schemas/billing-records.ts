import { VAT_RATES } from '#domain/billing-record';
import { Fen, Id, Instant, Period, SignedFen } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

const RecordKind = z.enum(['order', 'monthly-bill', 'refund', 'adjustment', 'recharge']);
const Fulfilment = z.enum(['succeeded', 'failed', 'partially-failed']);
const VatRate = z.meta(
  z.enum(VAT_RATES as [string, ...string[]], {
    error: `one of the mainland VAT rates, written ${VAT_RATES.map((r) => `"${r}"`).join(', ')}`,
  }),
  { description: 'R11: a mainland VAT rate as a canonical decimal string' },
);

export const BillingRecordInput = z.meta(
  z.strictObject({
    accountId: Id,
    recordId: z.meta(Id, { description: 'Unique within the account; the upsert key' }),
    kind: RecordKind,
    parentRecordId: z.meta(z.optional(Id), {
      description: 'Refunds and adjustments: the order or monthly bill of the same account they reduce (R7)',
    }),
    period: Period,
    paidAt: Instant,
    entity: z.meta(Id, { description: 'R11: one of GET /v1/entities' }),
    taxRate: VatRate,
    cashAmount: SignedFen,
    voucherAmount: z._default(Fen, 0),
    fulfilment: z._default(Fulfilment, 'succeeded'),
    fulfilledCashAmount: z.meta(z.optional(Fen), { description: 'R6: required when partially-failed' }),
    productName: z.optional(text({ max: 200 })),
    eligibleFrom: z.meta(z.optional(Instant), {
      description: 'R8: not invoiceable before this instant; default paidAt plus the payment sync days',
    }),
    notInvoiceableReason: z.optional(text({ max: 200 })),
  }),
  { id: 'BillingRecordInput' },
);

export const UpsertBillingRecordsBody = z.meta(
  z.strictObject({ records: z.array(BillingRecordInput).check(z.minLength(1), z.maxLength(500)) }),
  { id: 'BillingRecordsUpsert' },
);
export type UpsertBillingRecordsBody = z.infer<typeof UpsertBillingRecordsBody>;

export const UpsertBillingRecordsResult = z.meta(
  z.object({
    upserted: z.meta(z.int(), { description: 'Records received, all now stored as sent' }),
    written: z.meta(z.int(), { description: 'Records that changed (a resent batch writes none)' }),
  }),
  { id: 'BillingRecordsUpserted' },
);

const Limit = z.pipe(
  z.pipe(z.string().check(z.regex(/^[1-9]\d{0,2}$/, 'an integer from 1 to 100')), z.transform(Number)),
  z.int().check(z.gte(1), z.lte(100)),
);

export const BillingRecordQuery = z.strictObject({
  kind: z.optional(RecordKind),
  entity: z.optional(Id),
  period: z.optional(Period),
  invoiceable: z.meta(
    z.optional(
      z.pipe(
        z.enum(['true', 'false']),
        z.transform((v: 'true' | 'false') => v === 'true'),
      ),
    ),
    { description: 'true: only records with an invoiceable amount now; false: only the others' },
  ),
  limit: z._default(Limit, 50),
  cursor: CursorQueryParam,
  accountId: z.meta(z.optional(Id), {
    description: "R32: a member account of the caller's organization (org-admin group); 404 for any other",
  }),
});
export type BillingRecordQuery = z.infer<typeof BillingRecordQuery>;

export const BillingRecordView = z.meta(
  z.object({
    recordId: Id,
    kind: RecordKind,
    parentRecordId: z.optional(Id),
    period: Period,
    paidAt: Instant,
    entity: Id,
    taxRate: z.string(),
    productName: z.optional(z.string()),
    cashAmount: SignedFen,
    voucherAmount: Fen,
    fulfilment: Fulfilment,
    fulfilledCashAmount: z.optional(Fen),
    negativesAmount: z.meta(SignedFen, {
      description: 'R7: the sum of the refunds and adjustments linked to it',
    }),
    invoicedAmount: Fen,
    reservedAmount: z.meta(Fen, { description: 'Held by open applications' }),
    invoiceableAmount: Fen,
    status: z.enum([
      'invoiceable',
      'reserved',
      'fully-invoiced',
      'not-invoiceable',
      'temporarily-not-invoiceable',
      'negative',
      'deficit',
    ]),
    notInvoiceableReason: z.meta(z.optional(z.string()), {
      description:
        'R10: why nothing is invoiceable: RECHARGE_NOT_CONSUMPTION, FULFILMENT_FAILED, PAYMENT_DATA_SYNCING (or the ' +
        "billing system's own reason), RESERVED_BY_OPEN_APPLICATION, ALREADY_INVOICED, REFUNDED, PAID_BY_VOUCHER, " +
        'NO_CASH_PAID, NEGATIVE_DOCUMENT, NEGATIVE_AFTER_INVOICING',
    }),
    eligibleFrom: z.meta(z.optional(Instant), { description: 'R8: invoiceable from this instant' }),
  }),
  { id: 'BillingRecord' },
);
export type BillingRecordView = z.infer<typeof BillingRecordView>;

export const BillingRecordList = z.meta(
  z.object({
    items: z.array(BillingRecordView),
    nextCursor: z.meta(z.optional(z.string()), {
      description:
        'Present while there may be more: pass it as ?cursor=. A page can hold fewer than `limit` records ' +
        '(a rare filter reads a bounded number of records per page) and still have a nextCursor',
    }),
  }),
  { id: 'BillingRecordList' },
);
export type BillingRecordList = z.infer<typeof BillingRecordList>;
