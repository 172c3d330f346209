import {
  describeRecord,
  invoiceableBase,
  type LedgerRecord,
  NEGATIVE_KINDS,
  netInvoiceable,
} from '#domain/billing-record';
import {
  type ArrearsPolicy,
  formulaParts,
  type Invoiceable,
  type InvoiceableGroup,
} from '#domain/invoiceable';
import type { Fen } from '#domain/money';

/**
 * The ledger's aggregates: GET /v1/invoiceable and GET /v1/account read a few items instead of
 * every record, whatever the account's history. Every write that changes a record's amounts adds
 * the change of that record's linear parts (linearParts) to an aggregate item in the same
 * transaction, so the items always hold the sum of the linear parts of every record.
 *
 * Where a record's parts are kept (its `aggAt`): the instant it becomes eligible (R8), or the
 * main item when that instant has passed. A read sums the main item and every instant item up
 * to now, so a record counts from its eligibleFrom on without anything being written then.
 * aggAt is set to eligibleFrom by billing-record upserts while nothing of the record is
 * reserved or invoiced and stays as it is otherwise: reserving needs aggAt ≤ now, so the
 * reservations, settlements, releases and returns of a record always go to the main item
 * without knowing more of the record than its allocation.
 *
 * The linear parts equal the record's share of the formula (formulaParts) except for the
 * `exceptions`: records below zero (a deficit, R13: min and max make their share nonlinear) and
 * records whose eligibleFrom moved while something was reserved or invoiced (aggAt ≠
 * eligibleFrom). Only billing-record upserts create either, and they list the record on the
 * main item; a read replaces their linear parts by their exact share. Reserving, settling,
 * releasing and returning never create an exception (they keep availableAmount ≥ 0 when it was).
 */
export interface LedgerParts {
  consumedCash: Fen;
  negatives: Fen;
  invoiced: Fen;
  reserved: Fen;
  /** Per groupKey(entity, tax rate): the available amount. */
  groups: Record<string, Fen>;
}

/** A record with where its linear parts are kept (undefined: on the main item). */
export type AggregatedRecord = LedgerRecord & { aggAt?: string };

/** The main item's location; every other location is an ISO instant. */
export const MAIN = 'MAIN';

export type Bucket = 'available' | 'reserved' | 'invoiced';

export function groupKey(entity: string, taxRate: string): string {
  return `${entity}|${taxRate}`;
}

export function emptyParts(): LedgerParts {
  return { consumedCash: 0, negatives: 0, invoiced: 0, reserved: 0, groups: {} };
}

/** A record's linear parts: zero for negatives and recharges (they count through their parent or not at all). */
export function linearParts(record: LedgerRecord): LedgerParts {
  const parts = emptyParts();
  if (NEGATIVE_KINDS.has(record.kind) || record.kind === 'recharge') return parts;
  const base = invoiceableBase(record);
  parts.consumedCash = base;
  parts.negatives = base - netInvoiceable(record);
  parts.invoiced = record.invoicedAmount;
  parts.reserved = record.reservedAmount;
  parts.groups[groupKey(record.entity, record.taxRate)] = record.availableAmount;
  return parts;
}

/** The record's exact share of the formula at `now` (computeInvoiceable's loop for one record). */
export function exactParts(record: LedgerRecord, now: Date): { parts: LedgerParts; deficit: Fen } {
  const parts = emptyParts();
  if (NEGATIVE_KINDS.has(record.kind) || record.kind === 'recharge') return { parts, deficit: 0 };
  const view = describeRecord(record, now);
  if (view.status === 'temporarily-not-invoiceable') return { parts, deficit: 0 };
  const p = formulaParts(record);
  parts.consumedCash = p.consumedCash;
  parts.negatives = p.negatives;
  parts.invoiced = p.invoiced;
  parts.reserved = p.reserved;
  if (view.status === 'invoiceable')
    parts.groups[groupKey(record.entity, record.taxRate)] = record.availableAmount;
  return { parts, deficit: p.deficit };
}

/** Whether a read must replace the record's linear parts by its exact share (see LedgerParts). */
export function isException(record: AggregatedRecord): boolean {
  if (NEGATIVE_KINDS.has(record.kind) || record.kind === 'recharge') return false;
  return record.availableAmount < 0 || record.aggAt !== record.eligibleFrom;
}

/** The location of parts kept at `aggAt`, for a write at `at`: passed instants are the main item. */
export function locationAt(aggAt: string | undefined, at: Date): string {
  return aggAt === undefined || aggAt <= at.toISOString() ? MAIN : aggAt;
}

/** Whether a read at `now` counts what is kept at `aggAt`. */
export function counted(aggAt: string | undefined, now: Date): boolean {
  return locationAt(aggAt, now) === MAIN;
}

export function addParts(total: LedgerParts, part: LedgerParts, sign = 1): LedgerParts {
  total.consumedCash += sign * part.consumedCash;
  total.negatives += sign * part.negatives;
  total.invoiced += sign * part.invoiced;
  total.reserved += sign * part.reserved;
  for (const [key, amount] of Object.entries(part.groups)) {
    total.groups[key] = (total.groups[key] ?? 0) + sign * amount;
  }
  return total;
}

export function isZero(parts: LedgerParts): boolean {
  return (
    parts.consumedCash === 0 &&
    parts.negatives === 0 &&
    parts.invoiced === 0 &&
    parts.reserved === 0 &&
    Object.values(parts.groups).every((v) => v === 0)
  );
}

/** What moving `amount` of a record between its buckets changes (reserve, settle, release, return). */
export function moveParts(
  from: Bucket,
  to: Bucket,
  allocation: { entity: string; taxRate: string; amount: Fen },
): LedgerParts {
  const parts = emptyParts();
  const key = groupKey(allocation.entity, allocation.taxRate);
  const add = (bucket: Bucket, amount: Fen) => {
    if (bucket === 'available') parts.groups[key] = (parts.groups[key] ?? 0) + amount;
    else if (bucket === 'reserved') parts.reserved += amount;
    else parts.invoiced += amount;
  };
  add(from, -allocation.amount);
  add(to, allocation.amount);
  return parts;
}

export interface AggregateChange {
  /** Where the record's parts are kept after the write. */
  aggAt: string | undefined;
  /** Per location (MAIN or an instant): what to add. */
  deltas: Map<string, LedgerParts>;
  /** Whether the record is an exception after the write (listed on the main item) or not. */
  exception: boolean;
}

/**
 * What a billing-record write changes in the aggregates, at `at`: the record's old linear parts
 * leave their location, the new ones go to theirs. `before` must be the record exactly as the
 * conditional write finds it (undefined: new).
 */
export function recordChange(
  before: AggregatedRecord | undefined,
  after: LedgerRecord,
  at: Date,
): AggregateChange {
  const holding = before !== undefined && (before.reservedAmount > 0 || before.invoicedAmount > 0);
  const aggAt = holding ? before.aggAt : after.eligibleFrom;
  const deltas = new Map<string, LedgerParts>();
  const add = (location: string, parts: LedgerParts, sign: number) => {
    deltas.set(location, addParts(deltas.get(location) ?? emptyParts(), parts, sign));
  };
  if (before) add(locationAt(before.aggAt, at), linearParts(before), -1);
  add(locationAt(aggAt, at), linearParts(after), 1);
  for (const [location, parts] of deltas) if (isZero(parts)) deltas.delete(location);
  return { aggAt, deltas, exception: isException({ ...after, aggAt }) };
}

/** The invoiceable amount before byEntity's offsets are taken (see takeOffsets). */
export interface AggregateInvoiceable extends Omit<Invoiceable, 'eligible' | 'byEntity'> {
  /** Per (entity, tax rate): what the invoiceable records have available, before offsets. */
  groups: InvoiceableGroup[];
  /** The deficit and arrears offsets byEntity takes from the newest invoiceable records. */
  offsets: Fen;
}

/**
 * The invoiceable amount from the aggregates: `sum` is the main item plus every instant item up
 * to `now`; `exceptions` are the listed records as they stand. Exactly what computeInvoiceable
 * gives for every record (see the property tests), less byEntity's offsets.
 */
export function invoiceableFromAggregates(
  sum: LedgerParts,
  exceptions: readonly AggregatedRecord[],
  arrears: Fen,
  policy: ArrearsPolicy,
  now: Date,
): AggregateInvoiceable {
  const parts = addParts(emptyParts(), sum);
  let deficitTotal = 0;
  for (const record of exceptions) {
    if (counted(record.aggAt, now)) addParts(parts, linearParts(record), -1);
    const exact = exactParts(record, now);
    addParts(parts, exact.parts);
    deficitTotal += exact.deficit;
  }
  const positive = parts.consumedCash - parts.negatives - parts.invoiced - parts.reserved;
  const deficit = Math.min(deficitTotal, positive);
  const afterDeficit = positive - deficit;
  const arrearsOffset =
    arrears > 0 ? (policy === 'block' ? afterDeficit : Math.min(arrears, afterDeficit)) : 0;
  const amount = afterDeficit - arrearsOffset;
  const groups = Object.entries(parts.groups)
    .filter(([, value]) => value > 0)
    .map(([key, value]) => {
      const [entity, taxRate] = splitGroupKey(key);
      return { entity, taxRate, amount: value };
    });
  return {
    amount,
    groups,
    offsets: positive - amount,
    formula: {
      consumedCash: parts.consumedCash,
      negatives: parts.negatives,
      invoiced: parts.invoiced,
      reserved: parts.reserved,
      arrearsOffset,
      deficit,
      amount,
    },
    outstandingDeficit: deficitTotal,
  };
}

function splitGroupKey(key: string): [string, string] {
  const cut = key.lastIndexOf('|');
  return [key.slice(0, cut), key.slice(cut + 1)];
}

/**
 * byEntity: the groups less the offsets, taken from the newest invoiceable records first (as
 * computeInvoiceable's groupAfterOffsets does). `newest` are invoiceable records newest first,
 * at least as many as cover the offsets.
 */
export function takeOffsets(
  result: AggregateInvoiceable,
  newest: readonly LedgerRecord[],
): InvoiceableGroup[] {
  if (result.amount === 0) return [];
  const groups = new Map(result.groups.map((g) => [groupKey(g.entity, g.taxRate), { ...g }]));
  let toOffset = result.offsets;
  for (const record of newest) {
    if (toOffset <= 0) break;
    const taken = Math.min(toOffset, record.availableAmount);
    toOffset -= taken;
    const group = groups.get(groupKey(record.entity, record.taxRate));
    if (group) group.amount -= taken;
  }
  return [...groups.values()]
    .filter((g) => g.amount > 0)
    .sort((a, b) => a.entity.localeCompare(b.entity) || a.taxRate.localeCompare(b.taxRate));
}
