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

/**
 * GET /v1/invoiceable and GET /v1/account without reading every record on every request.
 *
 * A summary is computed from every record once, then reused while the account's versions say no
 * record changed in a way it cannot follow. It keeps apart the records whose contribution can
 * still change without such a version moving:
 * - `pending`: not eligible yet at `computedAt` (R8). They become eligible as time passes, so
 *   they are kept whole (only the billing system changes them, and that moves a version) and
 *   judged at the time of each request.
 * - `hot`: records with something reserved. Settling an invoice or releasing an application
 *   changes their amounts without moving a version, so they are read again on every request.
 *   Reserving more moves the ledger version, so no other record becomes hot unseen.
 * The rest (`stable`) is summed once. `byEntity` takes the deficit and arrears offsets from the
 * newest invoiceable records (see groupAfterOffsets), so the newest stable ones that could be
 * needed for that (`tail`, covering the arrears and every deficit) are kept too.
 */
export interface LedgerSummary {
  computedAt: string;
  /** The arrears the tail was sized for; other arrears need a new summary. */
  arrears: Fen;
  stable: Omit<ReturnType<typeof formulaParts>, never>;
  /** Per (entity, tax rate): what the stable invoiceable records have available. */
  stableGroups: InvoiceableGroup[];
  tail: LedgerRecord[];
  pending: LedgerRecord[];
  hot: string[];
}

/** What a summary was computed from; a different basis needs a new summary. */
export interface InvoiceableBasis {
  /**
   * The account's ledger version less its profile upserts: moved by every write that could lower
   * the amount (reservations, changed records, negatives). Arrears are read at request time and
   * only need a new summary when they exceed what its tail covers (see invoiceableFromSummary).
   */
  ledgerVersion: number;
  /** Bumped after every billing-record batch (new records raise the amount). */
  recordsVersion: number;
  /** Bump when summarizeLedger or invoiceableFromSummary changes what they return. */
  formulaVersion: number;
}

export const FORMULA_VERSION = 2;

/**
 * `rereadReserved`: whether reserved records are read again on every request (true while
 * settling and releasing do not invalidate the summary; with invalidation they are summed
 * like the rest).
 */
export function summarizeLedger(
  records: readonly LedgerRecord[],
  arrears: Fen,
  now: Date,
  rereadReserved = true,
): LedgerSummary {
  const stable = { consumedCash: 0, negatives: 0, invoiced: 0, reserved: 0, deficit: 0 };
  const groups = new Map<string, InvoiceableGroup>();
  const stableEligible: LedgerRecord[] = [];
  const pending: LedgerRecord[] = [];
  const hot: string[] = [];
  let deficitTotal = 0;
  for (const record of records) {
    if (NEGATIVE_KINDS.has(record.kind) || record.kind === 'recharge') continue;
    deficitTotal += Math.max(0, -record.availableAmount);
    if (rereadReserved && record.reservedAmount > 0) {
      hot.push(record.recordId);
      continue;
    }
    const view = describeRecord(record, now);
    if (view.status === 'temporarily-not-invoiceable') {
      pending.push(compact(record));
      continue;
    }
    addParts(stable, formulaParts(record));
    if (view.status === 'invoiceable') {
      stableEligible.push(record);
      addToGroup(groups, record, record.availableAmount);
    }
  }
  // The newest stable invoiceable records, as far as arrears and deficits could reach.
  stableEligible.sort(oldestFirst);
  const tail: LedgerRecord[] = [];
  let covered = 0;
  for (let i = stableEligible.length - 1; i >= 0 && covered < arrears + deficitTotal; i--) {
    const record = stableEligible[i]!;
    tail.push(compact(record));
    covered += record.availableAmount;
  }
  return {
    computedAt: now.toISOString(),
    arrears,
    stable,
    stableGroups: [...groups.values()],
    tail,
    pending,
    hot,
  };
}

/**
 * The invoiceable amount from a summary and the current state of its hot records, at `now`:
 * exactly what computeInvoiceable gives for the whole ledger (see the property tests).
 * Undefined when the summary cannot answer (arrears above what its tail covers, a hot record
 * missing, or a clock behind the summary's).
 */
export function invoiceableFromSummary(
  summary: LedgerSummary,
  hotRecords: readonly LedgerRecord[],
  arrears: Fen,
  policy: ArrearsPolicy,
  now: Date,
): Omit<Invoiceable, 'eligible'> | undefined {
  if (arrears > summary.arrears || now.getTime() < Date.parse(summary.computedAt)) return undefined;
  const hotIds = new Set(hotRecords.map((r) => r.recordId));
  if (hotIds.size !== summary.hot.length || summary.hot.some((id) => !hotIds.has(id))) return undefined;
  const parts = { ...summary.stable };
  const groups = new Map<string, InvoiceableGroup>(
    summary.stableGroups.map((g) => [`${g.entity}|${g.taxRate}`, { ...g }]),
  );
  const walk: LedgerRecord[] = [...summary.tail];
  for (const record of [...summary.pending, ...hotRecords]) {
    const view = describeRecord(record, now);
    if (view.status === 'temporarily-not-invoiceable') continue;
    addParts(parts, formulaParts(record));
    if (view.status === 'invoiceable') {
      walk.push(record);
      addToGroup(groups, record, record.availableAmount);
    }
  }
  const positive = parts.consumedCash - parts.negatives - parts.invoiced - parts.reserved;
  const deficit = Math.min(parts.deficit, positive);
  const afterDeficit = positive - deficit;
  const arrearsOffset =
    arrears > 0 ? (policy === 'block' ? afterDeficit : Math.min(arrears, afterDeficit)) : 0;
  const amount = afterDeficit - arrearsOffset;
  // Offsets come off the newest invoiceable records first, as in groupAfterOffsets.
  let toOffset = positive - amount;
  walk.sort(oldestFirst);
  for (let i = walk.length - 1; i >= 0 && toOffset > 0; i--) {
    const record = walk[i]!;
    const taken = Math.min(toOffset, record.availableAmount);
    toOffset -= taken;
    addToGroup(groups, record, -taken);
  }
  if (toOffset > 0 && amount > 0) return undefined; // the tail did not reach: cannot happen within summary.arrears
  return {
    amount,
    byEntity: amount === 0 ? [] : sortedGroups(groups),
    formula: {
      consumedCash: parts.consumedCash,
      negatives: parts.negatives,
      invoiced: parts.invoiced,
      reserved: parts.reserved,
      arrearsOffset,
      deficit,
      amount,
    },
    outstandingDeficit: parts.deficit,
  };
}

function compact(record: LedgerRecord): LedgerRecord {
  const { notInvoiceableReason: _reason, ...rest } = record;
  return rest;
}

function addParts(total: ReturnType<typeof formulaParts>, part: ReturnType<typeof formulaParts>): void {
  total.consumedCash += part.consumedCash;
  total.negatives += part.negatives;
  total.invoiced += part.invoiced;
  total.reserved += part.reserved;
  total.deficit += part.deficit;
}

function addToGroup(groups: Map<string, InvoiceableGroup>, record: LedgerRecord, amount: Fen): void {
  const key = `${record.entity}|${record.taxRate}`;
  const group = groups.get(key) ?? { entity: record.entity, taxRate: record.taxRate, amount: 0 };
  group.amount += amount;
  groups.set(key, group);
}

function sortedGroups(groups: Map<string, InvoiceableGroup>): InvoiceableGroup[] {
  return [...groups.values()]
    .filter((g) => g.amount > 0)
    .sort((a, b) => a.entity.localeCompare(b.entity) || a.taxRate.localeCompare(b.taxRate));
}
