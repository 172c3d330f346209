import {
  type BillingRecord,
  describeRecord,
  invoiceableBase,
  type LedgerRecord,
  NEGATIVE_KINDS,
  netInvoiceable,
} from '#domain/billing-record';
import type { Fen } from '#domain/money';

export type ArrearsPolicy = 'offset' | 'block';

export interface InvoiceableFormula {
  consumedCash: Fen;
  negatives: Fen;
  invoiced: Fen;
  reserved: Fen;
  arrearsOffset: Fen;
  deficit: Fen;
  amount: Fen;
}

export interface InvoiceableGroup {
  entity: string;
  taxRate: string;
  amount: Fen;
}

export interface Invoiceable<R extends LedgerRecord = BillingRecord> {
  amount: Fen;
  byEntity: InvoiceableGroup[];
  formula: InvoiceableFormula;
  /** Everything the account still owes in invoices (R13), before later consumption covers it. */
  outstandingDeficit: Fen;
  /** The eligible records with something to invoice, oldest first: what "by amount" draws on. */
  eligible: R[];
}

/**
 * The invoiceable amount and its formula (R10, R12, R13). The parts add up exactly:
 * amount = consumedCash − negatives − invoiced − reserved − arrearsOffset − deficit.
 *
 * Temporarily ineligible records are left out (they are shown per record instead). What
 * was invoiced beyond what a record now allows is the deficit (see formulaParts), which later
 * consumption must cover before anything else is invoiced. Arrears are covered next: under `offset` the
 * invoiceable amount is what remains after them, under `block` nothing while any is owed.
 */
export function computeInvoiceable<R extends LedgerRecord>(
  records: readonly R[],
  arrears: Fen,
  policy: ArrearsPolicy,
  now: Date,
): Invoiceable<R> {
  let consumedCash = 0;
  let negatives = 0;
  let invoiced = 0;
  let reserved = 0;
  let deficitTotal = 0;
  const eligible: R[] = [];
  for (const record of records) {
    if (NEGATIVE_KINDS.has(record.kind) || record.kind === 'recharge') continue;
    const view = describeRecord(record, now);
    if (view.status === 'temporarily-not-invoiceable') continue;
    const part = formulaParts(record);
    consumedCash += part.consumedCash;
    negatives += part.negatives;
    invoiced += part.invoiced;
    reserved += part.reserved;
    deficitTotal += part.deficit;
    if (view.status === 'invoiceable') eligible.push(record);
  }
  const positive = consumedCash - negatives - invoiced - reserved;
  const deficit = Math.min(deficitTotal, positive);
  const afterDeficit = positive - deficit;
  const arrearsOffset =
    arrears > 0 ? (policy === 'block' ? afterDeficit : Math.min(arrears, afterDeficit)) : 0;
  const amount = afterDeficit - arrearsOffset;

  eligible.sort(oldestFirst);
  return {
    amount,
    byEntity: groupAfterOffsets(eligible, positive - amount),
    formula: { consumedCash, negatives, invoiced, reserved, arrearsOffset, deficit, amount },
    outstandingDeficit: deficitTotal,
    eligible,
  };
}

/**
 * One record's share of the formula, every part ≥ 0, with
 * consumedCash − negatives − invoiced − reserved = what is left to invoice (≥ 0).
 * Where more was invoiced than the record now allows (a negative or a lower cash amount
 * arrived after invoicing), the shown parts stop at the consumption and the excess is the
 * record's deficit (R13).
 */
export function formulaParts(record: LedgerRecord) {
  const consumedCash = invoiceableBase(record);
  const net = netInvoiceable(record);
  const negatives = Math.min(consumedCash - net, consumedCash);
  const remaining = Math.max(net, 0);
  const reserved = Math.min(record.reservedAmount, remaining);
  const invoiced = Math.min(record.invoicedAmount, remaining - reserved);
  const deficit = Math.max(0, -record.availableAmount);
  return { consumedCash, negatives, invoiced, reserved, deficit };
}

/** Allocation order for "by amount" and for offsets: oldest payment first, then record id. */
export function oldestFirst(
  a: Pick<LedgerRecord, 'paidAt' | 'recordId'>,
  b: Pick<LedgerRecord, 'paidAt' | 'recordId'>,
): number {
  return a.paidAt < b.paidAt
    ? -1
    : a.paidAt > b.paidAt
      ? 1
      : a.recordId < b.recordId
        ? -1
        : a.recordId > b.recordId
          ? 1
          : 0;
}

/**
 * Splits the invoiceable amount by (entity, tax rate). The deficit and arrears offsets are
 * taken from the newest records, so "by amount" (which draws oldest first) and this view agree.
 */
function groupAfterOffsets(eligibleOldestFirst: readonly LedgerRecord[], offsets: Fen): InvoiceableGroup[] {
  const groups = new Map<string, InvoiceableGroup>();
  let toOffset = offsets;
  for (let i = eligibleOldestFirst.length - 1; i >= 0; i--) {
    const record = eligibleOldestFirst[i]!;
    const taken = Math.min(toOffset, record.availableAmount);
    toOffset -= taken;
    const remaining = record.availableAmount - taken;
    const key = `${record.entity}|${record.taxRate}`;
    const group = groups.get(key) ?? { entity: record.entity, taxRate: record.taxRate, amount: 0 };
    group.amount += remaining;
    groups.set(key, group);
  }
  return [...groups.values()]
    .filter((g) => g.amount > 0)
    .sort((a, b) => a.entity.localeCompare(b.entity) || a.taxRate.localeCompare(b.taxRate));
}

/** The part of the deficit (R13) that consumption does not cover yet: what the account still owes. */
export function uncoveredDeficit(result: Pick<Invoiceable, 'outstandingDeficit' | 'formula'>): Fen {
  return result.outstandingDeficit - result.formula.deficit;
}
