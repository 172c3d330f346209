import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  readItems,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { aggregateUpdate, EXCEPTION, GROUP, INSTANTS, SCALARS } from '#adapters/ledger-aggregates';
import { LEDGER_FIELDS } from '#domain/billing-record';
import { ConflictError } from '#domain/errors';
import {
  type AggregatedRecord,
  addParts,
  emptyParts,
  type LedgerParts,
  MAIN,
} from '#domain/ledger-aggregate';

/** Reading the ledger's aggregate items (see ledger-aggregates.ts for what they hold). */

export interface StoredAggregates {
  /** The main item plus every instant up to the read. */
  sum: LedgerParts;
  exceptions: string[];
  /** Passed instants still apart from the main item, as read (for folding). */
  passed: { instant: string; version: number; parts: LedgerParts }[];
}

/**
 * The main item and every instant item up to `now`, with `others` of the account's items in the
 * same strongly consistent batch read (the profile, a title; also an item of another partition
 * whose sort key none of these share, the monthly marker): one request, and a second one only
 * for passed instants the main item lists (those a billing batch has not folded yet). The
 * items come back by sort key.
 */
export async function readLedger(
  accountId: string,
  now: Date,
  others: readonly { pk: string; sk: string }[] = [],
): Promise<{ aggregates: StoredAggregates; items: Map<string, Record<string, unknown>> }> {
  const main = keys.ledger(accountId);
  const items = await readItems([main, ...others]);
  const aggregates: StoredAggregates = { sum: emptyParts(), exceptions: [], passed: [] };
  const mainItem = items.get(main.sk);
  if (mainItem) {
    addParts(aggregates.sum, partsOf(mainItem));
    aggregates.exceptions = Object.keys(mainItem)
      .filter((name) => name.startsWith(EXCEPTION))
      .map((name) => name.slice(EXCEPTION.length));
    const passed = [...((mainItem[INSTANTS] as Set<string> | undefined) ?? [])].filter(
      (instant) => instant <= now.toISOString(),
    );
    if (passed.length > 0) {
      const instantItems = await readItems(passed.map((instant) => keys.ledgerAt(accountId, instant)));
      for (const [sk, item] of instantItems) {
        const parts = partsOf(item);
        addParts(aggregates.sum, parts);
        aggregates.passed.push({
          instant: sk.slice(main.sk.length + 1),
          version: (item.v as number | undefined) ?? 0,
          parts,
        });
      }
    }
  }
  return { aggregates, items };
}

export async function readAggregates(accountId: string, now: Date): Promise<StoredAggregates> {
  return (await readLedger(accountId, now)).aggregates;
}

/** Every aggregate item of the account, passed or not (for the repair). */
export async function readAllAggregates(
  accountId: string,
): Promise<Map<string, LedgerParts> & { exceptions?: string[]; instants?: string[] }> {
  const main = keys.ledger(accountId);
  const items = new Map<string, LedgerParts>() as Map<string, LedgerParts> & {
    exceptions?: string[];
    instants?: string[];
  };
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
        items.instants = [...((item[INSTANTS] as Set<string> | undefined) ?? [])];
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
 * unchanged) in the transaction that adds it to the main item and takes it off its list. A write in between makes the
 * transaction fail; the next read folds again.
 */
export async function foldPassed(accountId: string, passed: StoredAggregates['passed']): Promise<void> {
  for (let i = 0; i < passed.length; i += MAX_TRANSACTION_ITEMS - 1) {
    const chunk = passed.slice(i, i + MAX_TRANSACTION_ITEMS - 1);
    const total = emptyParts();
    for (const { parts } of chunk) addParts(total, parts);
    try {
      await transact([
        aggregateUpdate(accountId, MAIN, total, {
          listed: [],
          unlisted: [],
          instants: { remove: chunk.map((p) => p.instant) },
        }),
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
