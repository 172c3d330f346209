import * as z from 'zod';
import { VAT_RATES } from '#domain/billing-record';
import { Fen, Id, Instant, Period, SignedFen } from '#schemas/common';

const RecordKind = z.enum(['order', 'monthly-bill', 'refund', 'adjustment', 'recharge']);
const Fulfilment = z.enum(['succeeded', 'failed', 'partially-failed']);
const VatRate = z
  .enum(VAT_RATES as [string, ...string[]], {
    error: `one of the mainland VAT rates, written ${VAT_RATES.map((r) => `"${r}"`).join(', ')}`,
  })
  .meta({ description: 'R11: a mainland VAT rate as a canonical decimal string' });

export const BillingRecordInput = z
  .object({
    accountId: Id,
    recordId: Id.meta({ description: 'Unique within the account; the upsert key' }),
    kind: RecordKind,
    parentRecordId: Id.optional().meta({
      description: 'Refunds and adjustments: the order or monthly bill of the same account they reduce (R7)',
    }),
    period: Period,
    paidAt: Instant,
    entity: Id.meta({ description: 'R11: one of GET /v1/entities' }),
    taxRate: VatRate,
    cashAmount: SignedFen,
    voucherAmount: Fen.default(0),
    fulfilment: Fulfilment.default('succeeded'),
    fulfilledCashAmount: Fen.optional().meta({ description: 'R6: required when partially-failed' }),
    productName: z.string().min(1).max(200).optional(),
    eligibleFrom: Instant.optional().meta({
      description: 'R8: not invoiceable before this instant; default paidAt plus the payment sync days',
    }),
    notInvoiceableReason: z.string().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'BillingRecordInput' });

export const UpsertBillingRecordsBody = z
  .object({ records: z.array(BillingRecordInput).min(1).max(500) })
  .strict()
  .meta({ id: 'BillingRecordsUpsert' });
export type UpsertBillingRecordsBody = z.infer<typeof UpsertBillingRecordsBody>;

export const UpsertBillingRecordsResult = z
  .object({
    upserted: z.int().meta({ description: 'Records received, all now stored as sent' }),
    written: z.int().meta({ description: 'Records that changed (a resent batch writes none)' }),
  })
  .meta({ id: 'BillingRecordsUpserted' });

const Limit = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'an integer from 1 to 100')
  .transform(Number)
  .pipe(z.int().min(1).max(100));

export const BillingRecordQuery = z
  .object({
    kind: RecordKind.optional(),
    entity: Id.optional(),
    period: Period.optional(),
    invoiceable: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'true: only records with an invoiceable amount now; false: only the others' }),
    limit: Limit.default(50),
    cursor: z.string().min(1).max(512).optional().meta({ description: 'nextCursor of the previous page' }),
    accountId: Id.optional().meta({
      description: "R32: a member account of the caller's organization (org-admin group); 404 for any other",
    }),
  })
  .strict();
export type BillingRecordQuery = z.infer<typeof BillingRecordQuery>;

export const BillingRecordView = z
  .object({
    recordId: Id,
    kind: RecordKind,
    parentRecordId: Id.optional(),
    period: Period,
    paidAt: Instant,
    entity: Id,
    taxRate: z.string(),
    productName: z.string().optional(),
    cashAmount: SignedFen,
    voucherAmount: Fen,
    fulfilment: Fulfilment,
    fulfilledCashAmount: Fen.optional(),
    negativesAmount: SignedFen.meta({
      description: 'R7: the sum of the refunds and adjustments linked to it',
    }),
    invoicedAmount: Fen,
    reservedAmount: Fen.meta({ description: 'Held by open applications' }),
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
    notInvoiceableReason: z
      .string()
      .optional()
      .meta({
        description:
          'R10: why nothing is invoiceable: RECHARGE_NOT_CONSUMPTION, FULFILMENT_FAILED, PAYMENT_DATA_SYNCING (or the ' +
          "billing system's own reason), RESERVED_BY_OPEN_APPLICATION, ALREADY_INVOICED, REFUNDED, PAID_BY_VOUCHER, " +
          'NO_CASH_PAID, NEGATIVE_DOCUMENT, NEGATIVE_AFTER_INVOICING',
      }),
    eligibleFrom: Instant.optional().meta({ description: 'R8: invoiceable from this instant' }),
  })
  .meta({ id: 'BillingRecord' });
export type BillingRecordView = z.infer<typeof BillingRecordView>;

export const BillingRecordList = z
  .object({
    items: z.array(BillingRecordView),
    nextCursor: z
      .string()
      .optional()
      .meta({
        description:
          'Present while there may be more: pass it as ?cursor=. A page can hold fewer than `limit` records ' +
          '(a rare filter reads a bounded number of records per page) and still have a nextCursor',
      }),
  })
  .meta({ id: 'BillingRecordList' });
export type BillingRecordList = z.infer<typeof BillingRecordList>;
