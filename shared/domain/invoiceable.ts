import { type BillingRecord, describeRecord, invoiceableBase, NEGATIVE_KINDS } from '#domain/billing-record';
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

export interface Invoiceable {
  amount: Fen;
  byEntity: InvoiceableGroup[];
  formula: InvoiceableFormula;
  /** Everything the account still owes in invoices (R13), before later consumption covers it. */
  outstandingDeficit: Fen;
  /** The eligible records with something to invoice, oldest first: what "by amount" draws on. */
  eligible: BillingRecord[];
}

/**
 * The invoiceable amount and its formula (R10, R12, R13). The parts add up exactly:
 * amount = consumedCash − negatives − invoiced − reserved − arrearsOffset − deficit.
 *
 * Only eligible records count (temporarily ineligible ones are shown per record instead).
 * `negatives` is the part of the negative documents absorbed by cash not yet invoiced; the
 * part that hits already-invoiced cash is the deficit, which later consumption must cover
 * before anything else is invoiced. Arrears are covered next: under `offset` the
 * invoiceable amount is what remains after them, under `block` nothing while any is owed.
 */
export function computeInvoiceable(
  records: readonly BillingRecord[],
  arrears: Fen,
  policy: ArrearsPolicy,
  now: Date,
): Invoiceable {
  let consumedCash = 0;
  let negativesTotal = 0;
  let invoiced = 0;
  let reserved = 0;
  let deficitTotal = 0;
  const eligible: BillingRecord[] = [];
  for (const record of records) {
    if (NEGATIVE_KINDS.has(record.kind)) continue;
    const view = describeRecord(record, now);
    if (view.status === 'temporarily-not-invoiceable' || view.status === 'not-invoiceable') continue;
    consumedCash += invoiceableBase(record);
    negativesTotal += -record.negativesAmount;
    invoiced += record.invoicedAmount;
    reserved += record.reservedAmount;
    if (record.availableAmount < 0) deficitTotal += -record.availableAmount;
    if (view.status === 'invoiceable') eligible.push(record);
  }
  const negatives = negativesTotal - deficitTotal;
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

/** Allocation order for "by amount" and for offsets: oldest payment first, then record id. */
export function oldestFirst(a: BillingRecord, b: BillingRecord): number {
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
function groupAfterOffsets(eligibleOldestFirst: readonly BillingRecord[], offsets: Fen): InvoiceableGroup[] {
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
