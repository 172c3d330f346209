import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { Allocation } from '#domain/application';
import { LEDGER_FIELDS } from '#domain/billing-record';
import { ConflictError } from '#domain/errors';
import {
  type AggregatedRecord,
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
 * exceptions are `x#<recordId>` attributes; `v` counts the writes (an instant is folded into the
 * main item only as it was read).
 */
const SCALARS = ['consumedCash', 'negatives', 'invoiced', 'reserved'] as const;
const GROUP = 'g#';
const EXCEPTION = 'x#';

export interface ExceptionChanges {
  listed: readonly string[];
  unlisted: readonly string[];
}

function ledgerKey(accountId: string, location: string) {
  return location === MAIN ? keys.ledger(accountId) : keys.ledgerAt(accountId, location);
}

/** Adds `parts` to one aggregate item of the account (and lists or unlists exceptions on the main item). */
export function aggregateUpdate(
  accountId: string,
  location: string,
  parts: LedgerParts,
  exceptions: ExceptionChanges = { listed: [], unlisted: [] },
): TransactItem {
  const names: Record<string, string> = { '#v': 'v' };
  const values: Record<string, unknown> = { ':one': 1 };
  const adds = ['#v :one'];
  const sets: string[] = [];
  const removes: string[] = [];
  let n = 0;
  const add = (attribute: string, amount: number) => {
    if (amount === 0) return;
    names[`#a${n}`] = attribute;
    values[`:a${n}`] = amount;
    adds.push(`#a${n} :a${n}`);
    n++;
  };
  for (const field of SCALARS) add(field, parts[field]);
  for (const [key, amount] of Object.entries(parts.groups)) add(`${GROUP}${key}`, amount);
  for (const id of exceptions.listed) {
    names[`#a${n}`] = `${EXCEPTION}${id}`;
    sets.push(`#a${n} = :one`);
    n++;
  }
  for (const id of exceptions.unlisted) {
    names[`#a${n}`] = `${EXCEPTION}${id}`;
    removes.push(`#a${n}`);
    n++;
  }
  const expression = [
    sets.length > 0 ? `SET ${sets.join(', ')}` : '',
    removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    `ADD ${adds.join(', ')}`,
  ]
    .filter(Boolean)
    .join(' ');
  return {
    Update: {
      TableName: tableName,
      Key: ledgerKey(accountId, location),
      UpdateExpression: expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
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
  return [...byAccount].map(([account, parts]) => aggregateUpdate(account, MAIN, parts));
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

export interface StoredAggregates {
  /** The main item plus every instant up to the read. */
  sum: LedgerParts;
  exceptions: string[];
  /** Passed instants still apart from the main item, as read (for folding). */
  passed: { instant: string; version: number; parts: LedgerParts }[];
}

/** The main item and every instant item up to `now`: one strongly consistent query. */
export async function readAggregates(accountId: string, now: Date): Promise<StoredAggregates> {
  const main = keys.ledger(accountId);
  const result: StoredAggregates = { sum: emptyParts(), exceptions: [], passed: [] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :main AND :now',
        ExpressionAttributeValues: {
          ':pk': main.pk,
          ':main': main.sk,
          ':now': keys.ledgerAt(accountId, now.toISOString()).sk,
        },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const parts = partsOf(item);
      addParts(result.sum, parts);
      if (item.sk === main.sk) {
        result.exceptions = Object.keys(item)
          .filter((name) => name.startsWith(EXCEPTION))
          .map((name) => name.slice(EXCEPTION.length));
      } else {
        result.passed.push({
          instant: (item.sk as string).slice(main.sk.length + 1),
          version: (item.v as number | undefined) ?? 0,
          parts,
        });
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return result;
}

/** Every aggregate item of the account, passed or not (for the repair). */
export async function readAllAggregates(
  accountId: string,
): Promise<Map<string, LedgerParts> & { exceptions?: string[] }> {
  const main = keys.ledger(accountId);
  const items = new Map<string, LedgerParts>() as Map<string, LedgerParts> & { exceptions?: string[] };
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :main)',
        ExpressionAttributeValues: { ':pk': main.pk, ':main': main.sk },
        ConsistentRead: true,
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const sk = item.sk as string;
      if (sk === main.sk) {
        items.set(MAIN, partsOf(item));
        items.exceptions = Object.keys(item)
          .filter((name) => name.startsWith(EXCEPTION))
          .map((name) => name.slice(EXCEPTION.length));
      } else if (sk.startsWith(`${main.sk}#`)) {
        items.set(sk.slice(main.sk.length + 1), partsOf(item));
      }
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function partsOf(item: Record<string, unknown>): LedgerParts {
  const parts = emptyParts();
  for (const field of SCALARS) parts[field] = (item[field] as number | undefined) ?? 0;
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(GROUP)) parts.groups[name.slice(GROUP.length)] = value as number;
  }
  return parts;
}

/** Passed instants are folded into the main item once a read finds this many. */
export const FOLD_AFTER = 8;

/**
 * Moves passed instants into the main item: each instant is deleted as read (its write count
 * unchanged) in the transaction that adds it to the main item. A write in between makes the
 * transaction fail; the next read folds again.
 */
export async function foldPassed(accountId: string, passed: StoredAggregates['passed']): Promise<void> {
  for (let i = 0; i < passed.length; i += MAX_TRANSACTION_ITEMS - 1) {
    const chunk = passed.slice(i, i + MAX_TRANSACTION_ITEMS - 1);
    const total = emptyParts();
    for (const { parts } of chunk) addParts(total, parts);
    try {
      await transact([
        aggregateUpdate(accountId, MAIN, total),
        ...chunk.map(
          ({ instant, version }): TransactItem => ({
            Delete: {
              TableName: tableName,
              Key: keys.ledgerAt(accountId, instant),
              ConditionExpression: '#v = :v',
              ExpressionAttributeNames: { '#v': 'v' },
              ExpressionAttributeValues: { ':v': version },
            },
          }),
        ),
      ]);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** The listed exceptions as they stand (ledger fields and where their parts are kept). */
export async function readExceptions(
  accountId: string,
  recordIds: readonly string[],
): Promise<AggregatedRecord[]> {
  const found: AggregatedRecord[] = [];
  const fields = [...LEDGER_FIELDS, 'aggAt'];
  const projection = {
    ProjectionExpression: fields.map((_, i) => `#f${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(fields.map((f, i) => [`#f${i}`, f])),
  };
  for (let i = 0; i < recordIds.length; i += 100) {
    let request: Record<string, unknown> | undefined = {
      [tableName]: {
        Keys: recordIds.slice(i, i + 100).map((id) => keys.record(accountId, id)),
        ConsistentRead: true,
        ...projection,
      },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient.send(new BatchGetCommand({ RequestItems: request as never }));
      for (const item of result.Responses?.[tableName] ?? []) found.push(item as AggregatedRecord);
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
}
