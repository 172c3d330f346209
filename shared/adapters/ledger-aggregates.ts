import { keys, type TransactItem, tableName } from '#adapters/dynamodb';
import type { Allocation } from '#domain/application';
import {
  addParts,
  type Bucket,
  emptyParts,
  type LedgerParts,
  MAIN,
  moveParts,
} from '#domain/ledger-aggregate';

/**
 * The ledger's aggregate items (see shared/domain/ledger-aggregate.ts) in the account's
 * partition: `LEDGER` (the main item, with the exceptions) and `LEDGER#<instant>` (the parts of
 * records that become eligible then). Parts are top-level numbers, so every write ADDs its
 * change: consumedCash, negatives, invoiced, reserved, `g#<entity>|<rate>` per group; the
 * exceptions are `x#<recordId>` attributes; `instants` lists the instant items (every write to
 * one adds it in the same transaction, folding takes it off); `v` counts the writes (an instant is
 * folded into the main item only as it was read). The writes are here, the reads in ledger-aggregates-read.ts
 * (functions that only write do not bundle the reads, and the other way round).
 */
export const SCALARS = ['consumedCash', 'negatives', 'invoiced', 'reserved'] as const;
export const GROUP = 'g#';
export const EXCEPTION = 'x#';
/** The main item's string set of the instant items there are (so a read gets the passed ones by key). */
export const INSTANTS = 'instants';

export interface ExceptionChanges {
  listed: readonly string[];
  unlisted: readonly string[];
  /** Instant items this transaction writes (added to the main item's `instants`) or folds (taken off). */
  instants?: { add?: readonly string[]; remove?: readonly string[] };
}

/** Adds `parts` to one aggregate item of the account (and lists or unlists exceptions and instants on the main item). */
export function aggregateUpdate(
  accountId: string,
  location: string,
  parts: LedgerParts,
  exceptions?: ExceptionChanges,
): TransactItem {
  return partsUpdate(accountId, location, parts, exceptions && ((n, v, a) => listings(exceptions, n, v, a)));
}

/** The update that adds `parts`; `more` puts further actions before the ADD (moves need none). */
function partsUpdate(
  accountId: string,
  location: string,
  parts: LedgerParts,
  more?: (names: Record<string, string>, values: Record<string, unknown>, adds: string[]) => string,
): TransactItem {
  const names: Record<string, string> = { '#v': 'v' };
  const values: Record<string, unknown> = { ':one': 1 };
  const adds = ['#v :one'];
  const amounts: [string, number][] = [
    ...SCALARS.map((field): [string, number] => [field, parts[field]]),
    ...Object.entries(parts.groups).map(([key, amount]): [string, number] => [GROUP + key, amount]),
  ];
  for (const [i, [attribute, amount]] of amounts.entries()) {
    if (amount === 0) continue;
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = amount;
    adds.push(`#a${i} :a${i}`);
  }
  return {
    Update: {
      TableName: tableName,
      Key: location === MAIN ? keys.ledger(accountId) : keys.ledgerAt(accountId, location),
      // `more` runs first: it may add to `adds`.
      UpdateExpression: `${more ? more(names, values, adds) : ''}ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/** The SET and REMOVE of exceptions, the instants added (to `adds`) or deleted (returned last). */
function listings(
  { listed, unlisted, instants }: ExceptionChanges,
  names: Record<string, string>,
  values: Record<string, unknown>,
  adds: string[],
): string {
  const name = (id: string, i: number) => {
    names[`#x${i}`] = EXCEPTION + id;
    return `#x${i}`;
  };
  const sets = listed.map((id, i) => `${name(id, i)} = :one`);
  const removes = unlisted.map((id, i) => name(id, listed.length + i));
  let deletes = '';
  const changed = instants?.add?.length ? instants.add : instants?.remove;
  if (changed?.length) {
    names['#i'] = INSTANTS;
    values[':i'] = new Set(changed);
    if (instants?.add?.length) adds.push('#i :i');
    else deletes = 'DELETE #i :i ';
  }
  return (
    (sets.length > 0 ? `SET ${sets.join(', ')} ` : '') +
    (removes.length > 0 ? `REMOVE ${removes.join(', ')} ` : '') +
    deletes
  );
}

/**
 * The main-item updates for moving allocations between buckets, one per account they are on
 * (R32: a consolidated application's allocations name their accounts).
 */
export function ledgerMoves(
  from: Bucket,
  to: Bucket,
  accountId: string,
  allocations: readonly Allocation[],
): TransactItem[] {
  const byAccount = new Map<string, LedgerParts>();
  for (const allocation of allocations) {
    const account = allocation.accountId ?? accountId;
    byAccount.set(account, addParts(byAccount.get(account) ?? emptyParts(), moveParts(from, to, allocation)));
  }
  return [...byAccount].map(([account, parts]) => partsUpdate(account, MAIN, parts));
}

/**
 * Allocations in chunks for one transaction each: a chunk's allocations plus one main-item
 * update per account they are on take at most `room` items. Deterministic, so every writer of
 * an owner's chunk markers cuts the same chunks.
 */
export function ledgerChunks<T extends { accountId?: string }>(
  allocations: readonly T[],
  accountId: string,
  room: number,
): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let accounts = new Set<string>();
  for (const allocation of allocations) {
    const account = allocation.accountId ?? accountId;
    const extra = accounts.has(account) ? 0 : 1;
    if (current.length > 0 && current.length + 1 + accounts.size + extra > room) {
      chunks.push(current);
      current = [];
      accounts = new Set();
    }
    current.push(allocation);
    accounts.add(account);
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** Items a chunk of `allocations` takes with its aggregate updates. */
export function itemsWithLedger(allocations: readonly { accountId?: string }[], accountId: string): number {
  return allocations.length + new Set(allocations.map((a) => a.accountId ?? accountId)).size;
}
