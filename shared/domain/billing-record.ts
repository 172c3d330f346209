import type { Fen } from '#domain/money';

export type RecordKind = 'order' | 'monthly-bill' | 'refund' | 'adjustment' | 'recharge';
export type Fulfilment = 'succeeded' | 'failed' | 'partially-failed';

/** Kinds that reduce a parent record (R7); their cashAmount is below zero. */
export const NEGATIVE_KINDS: ReadonlySet<RecordKind> = new Set(['refund', 'adjustment']);

/**
 * R11: the mainland VAT rates a record may carry, in the API's canonical spelling (see
 * formatTaxRate): the current 13 %, 9 % and 6 %, the simplified 5 %, 3 % and 1 %, zero-rated
 * and exempt 0, and the rates in force before April 2019 (17 %, 16 %, 11 %, 10 %) for records
 * paid then. One rate has one spelling, so invoices split by (entity, rate) never split one rate.
 */
export const VAT_RATES: readonly string[] = [
  '0',
  '0.01',
  '0.03',
  '0.05',
  '0.06',
  '0.09',
  '0.1',
  '0.11',
  '0.13',
  '0.16',
  '0.17',
];

/**
 * A billing record as the ledger keeps it. The billing system owns the descriptive fields;
 * the ledger owns negativesAmount, invoicedAmount, reservedAmount and availableAmount.
 *
 * For a positive record: availableAmount = netInvoiceable − invoicedAmount − reservedAmount.
 * It is stored, not derived on read, because
 * DynamoDB conditions cannot do arithmetic: a reservation is `availableAmount >= :x`.
 * Below zero it is a deficit (R13).
 */
export interface BillingRecord {
  accountId: string;
  recordId: string;
  kind: RecordKind;
  parentRecordId?: string;
  period: string;
  paidAt: string;
  entity: string;
  taxRate: string;
  cashAmount: Fen;
  voucherAmount: Fen;
  fulfilment: Fulfilment;
  fulfilledCashAmount?: Fen;
  productName?: string;
  /** R8: not invoiceable before this instant (payment data still syncing, etc.). */
  eligibleFrom?: string;
  notInvoiceableReason?: string;
  negativesAmount: Fen;
  invoicedAmount: Fen;
  reservedAmount: Fen;
  availableAmount: Fen;
}

/**
 * What the invoiceable formula reads of a record: the ledger fields and what decides
 * eligibility. GET /v1/invoiceable reads only these (a projection), not the descriptive rest.
 */
export type LedgerRecord = Pick<
  BillingRecord,
  | 'recordId'
  | 'kind'
  | 'paidAt'
  | 'entity'
  | 'taxRate'
  | 'cashAmount'
  | 'voucherAmount'
  | 'fulfilment'
  | 'fulfilledCashAmount'
  | 'eligibleFrom'
  | 'notInvoiceableReason'
  | 'negativesAmount'
  | 'invoicedAmount'
  | 'reservedAmount'
  | 'availableAmount'
>;

/** The attribute names of LedgerRecord, for a DynamoDB projection (the reason is left out: it never changes an amount). */
export const LEDGER_FIELDS = [
  'recordId',
  'kind',
  'paidAt',
  'entity',
  'taxRate',
  'cashAmount',
  'voucherAmount',
  'fulfilment',
  'fulfilledCashAmount',
  'eligibleFrom',
  'negativesAmount',
  'invoicedAmount',
  'reservedAmount',
  'availableAmount',
] as const satisfies readonly (keyof LedgerRecord)[];

/**
 * Every field the ledger owns on a record item. Other parts of the service may keep their own
 * attributes on it (an application binds a record to its title, R16); ledger writes leave those.
 */
export const RECORD_FIELDS = [
  'accountId',
  'recordId',
  'kind',
  'parentRecordId',
  'period',
  'paidAt',
  'entity',
  'taxRate',
  'cashAmount',
  'voucherAmount',
  'fulfilment',
  'fulfilledCashAmount',
  'productName',
  'eligibleFrom',
  'notInvoiceableReason',
  'negativesAmount',
  'invoicedAmount',
  'reservedAmount',
  'availableAmount',
] as const satisfies readonly (keyof BillingRecord)[];

/** The fulfilled cash of a positive record (R5, R6): never vouchers or recharges. */
export function invoiceableBase(
  record: Pick<BillingRecord, 'kind' | 'cashAmount' | 'fulfilment' | 'fulfilledCashAmount'>,
): Fen {
  if (record.kind === 'recharge' || NEGATIVE_KINDS.has(record.kind)) return 0;
  switch (record.fulfilment) {
    case 'failed':
      return 0;
    case 'partially-failed':
      return Math.min(record.fulfilledCashAmount ?? 0, record.cashAmount);
    case 'succeeded':
      return record.cashAmount;
  }
}

/**
 * What a positive record may be invoiced for in all: its fulfilled cash (R6), reduced by its
 * negatives (R7). A refund of the part that failed is not subtracted twice: the net is the
 * smaller of the fulfilled cash and the cash left after refunds.
 */
export function netInvoiceable(
  record: Pick<
    BillingRecord,
    'kind' | 'cashAmount' | 'fulfilment' | 'fulfilledCashAmount' | 'negativesAmount'
  >,
): Fen {
  if (record.kind === 'recharge' || NEGATIVE_KINDS.has(record.kind)) return 0;
  return Math.min(invoiceableBase(record), record.cashAmount + record.negativesAmount);
}

export type RecordStatus =
  | 'invoiceable'
  | 'reserved'
  | 'fully-invoiced'
  | 'not-invoiceable'
  | 'temporarily-not-invoiceable'
  | 'negative'
  | 'deficit';

export interface RecordView {
  status: RecordStatus;
  invoiceableAmount: Fen;
  notInvoiceableReason?: string;
}

/**
 * Why a record is or is not invoiceable right now (R5, R6, R8, R10, R13). `reserved` means an
 * open application holds what was left; it comes back if that application is cancelled,
 * rejected or fails.
 */
export function describeRecord(record: LedgerRecord, now: Date): RecordView {
  if (NEGATIVE_KINDS.has(record.kind)) {
    return { status: 'negative', invoiceableAmount: 0, notInvoiceableReason: 'NEGATIVE_DOCUMENT' };
  }
  if (record.kind === 'recharge') {
    return {
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'RECHARGE_NOT_CONSUMPTION',
    };
  }
  // Before the fulfilment check: an order invoiced and then reported failed owes its invoice.
  if (record.availableAmount < 0) {
    return { status: 'deficit', invoiceableAmount: 0, notInvoiceableReason: 'NEGATIVE_AFTER_INVOICING' };
  }
  if (record.fulfilment === 'failed') {
    return { status: 'not-invoiceable', invoiceableAmount: 0, notInvoiceableReason: 'FULFILMENT_FAILED' };
  }
  if (record.eligibleFrom !== undefined && Date.parse(record.eligibleFrom) > now.getTime()) {
    return {
      status: 'temporarily-not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: record.notInvoiceableReason ?? 'PAYMENT_DATA_SYNCING',
    };
  }
  if (record.availableAmount === 0) {
    const status =
      record.reservedAmount > 0
        ? 'reserved'
        : record.invoicedAmount > 0
          ? 'fully-invoiced'
          : 'not-invoiceable';
    return {
      status,
      invoiceableAmount: 0,
      notInvoiceableReason: whyNothingLeft(record),
    };
  }
  return { status: 'invoiceable', invoiceableAmount: record.availableAmount };
}

function whyNothingLeft(record: LedgerRecord): string {
  if (record.reservedAmount > 0) return 'RESERVED_BY_OPEN_APPLICATION';
  if (record.invoicedAmount > 0) return 'ALREADY_INVOICED';
  if (record.negativesAmount < 0) return 'REFUNDED';
  if (record.voucherAmount > 0) return 'PAID_BY_VOUCHER';
  return 'NO_CASH_PAID';
}

export function isEligible(record: LedgerRecord, now: Date): boolean {
  return describeRecord(record, now).status === 'invoiceable';
}
