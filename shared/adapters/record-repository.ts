import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { bumpLedgerVersion, bumpRecordsVersion } from '#adapters/account-repository';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { boundsFromKeys, splitKeyRange } from '#adapters/key-ranges';
import {
  type BillingRecord,
  LEDGER_FIELDS,
  type LedgerRecord,
  RECORD_FIELDS,
  type RecordKind,
} from '#domain/billing-record';
import type { InvoiceableBasis, LedgerSummary } from '#domain/invoiceable';
import { recordRef, type UpsertPlan } from '#domain/record-upsert';

/** The records named, keyed by recordRef(accountId, recordId); missing ones are left out. */
export async function getRecords(
  refs: { accountId: string; recordId: string }[],
): Promise<Map<string, BillingRecord>> {
  const found = new Map<string, BillingRecord>();
  const unique = [...new Map(refs.map((r) => [recordRef(r.accountId, r.recordId), r])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: {
        Keys: unique.slice(i, i + 100).map((r) => keys.record(r.accountId, r.recordId)),
        ConsistentRead: true,
      },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[tableName] ?? []) {
        const record = stripKeys<BillingRecord>(item);
        found.set(recordRef(record.accountId, record.recordId), record);
      }
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** Every record of an account, oldest key first. */
export async function listAllRecords(accountId: string): Promise<BillingRecord[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.recordPrefix },
    ConsistentRead: true,
  });
  return items.map((item) => stripKeys<BillingRecord>(item));
}

const LEDGER_PROJECTION = {
  ProjectionExpression: LEDGER_FIELDS.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(LEDGER_FIELDS.map((field, i) => [`#f${i}`, field])),
};

/** Ranges read in parallel by listLedger. */
const LEDGER_RANGES = 16;

/**
 * Every record of an account with only what the invoiceable formula reads. The account's key
 * range is split into parallel queries: one partition is read in sixteen streams instead of
 * one page after another. The cuts are the keys the last read found at every sixteenth of the
 * records (`knownBounds`), or else interpolated between the first and the last key. Returns the
 * records and the cuts to pass next time.
 */
export async function listLedger(
  accountId: string,
  knownBounds: readonly string[] = [],
): Promise<{ records: LedgerRecord[]; bounds: string[] }> {
  const [first, last] = await Promise.all([edgeRecordKey(accountId, true), edgeRecordKey(accountId, false)]);
  if (first === undefined || last === undefined) return { records: [], bounds: [] };
  const inside = knownBounds.filter((key) => key > first && key < last);
  const cuts =
    inside.length >= LEDGER_RANGES / 2 ? [first, ...inside, last] : splitKeyRange(first, last, LEDGER_RANGES);
  const ranges = cuts.length === 1 ? [[first, last]] : cuts.slice(1).map((high, i) => [cuts[i]!, high]);
  const parts = await Promise.all(ranges.map(([low, high]) => queryLedgerRange(accountId, low!, high!)));
  const byId = new Map<string, LedgerRecord>();
  for (const part of parts) for (const record of part) byId.set(record.recordId, record);
  const sortedKeys = [...byId.keys()].map((id) => keys.record(accountId, id).sk).sort();
  return { records: [...byId.values()], bounds: boundsFromKeys(sortedKeys, LEDGER_RANGES) };
}

async function edgeRecordKey(accountId: string, forward: boolean): Promise<string | undefined> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.recordPrefix },
      ProjectionExpression: 'sk',
      ScanIndexForward: forward,
      Limit: 1,
      ConsistentRead: true,
    }),
  );
  return page.Items?.[0]?.sk as string | undefined;
}

async function queryLedgerRange(accountId: string, low: string, high: string): Promise<LedgerRecord[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :low AND :high',
    ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':low': low, ':high': high },
    ...LEDGER_PROJECTION,
    ConsistentRead: true,
  });
  return items as LedgerRecord[];
}

export interface RecordFilter {
  kind?: RecordKind;
  entity?: string;
  period?: string;
  /** Only records with something available (a necessary condition for being invoiceable). */
  availableOnly?: boolean;
}

/** DynamoDB reads at most this many items for one page of GET /v1/billing-records. */
const MAX_ITEMS_READ_PER_PAGE = 2_000;

/**
 * One page of an account's records in record-id order, filtered in DynamoDB, then by `keep`.
 * `after` is the record id the previous page ended with. A page ends when it holds `limit`
 * records or after reading about MAX_ITEMS_READ_PER_PAGE items, so a rare filter can return a
 * short (even empty) page that still has a `lastRecordId` to continue from.
 */
export async function listRecordsPage(
  accountId: string,
  options: { limit: number; after?: string; filter: RecordFilter; keep: (record: BillingRecord) => boolean },
): Promise<{ records: BillingRecord[]; lastRecordId?: string }> {
  const { pk } = keys.account(accountId);
  const conditions: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': pk, ':prefix': keys.recordPrefix };
  const { kind, entity, period, availableOnly } = options.filter;
  if (kind) {
    names['#kind'] = 'kind';
    values[':kind'] = kind;
    conditions.push('#kind = :kind');
  }
  if (entity) {
    names['#entity'] = 'entity';
    values[':entity'] = entity;
    conditions.push('#entity = :entity');
  }
  if (period) {
    names['#period'] = 'period';
    values[':period'] = period;
    conditions.push('#period = :period');
  }
  if (availableOnly) {
    names['#available'] = 'availableAmount';
    values[':zero'] = 0;
    conditions.push('#available > :zero');
  }
  const records: BillingRecord[] = [];
  let start: Record<string, unknown> | undefined = options.after
    ? keys.record(accountId, options.after)
    : undefined;
  let read = 0;
  for (;;) {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: conditions.length > 0 ? conditions.join(' AND ') : undefined,
        ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: start,
        // Filters apply after the limit: read a little beyond what is still needed.
        Limit: Math.min(MAX_ITEMS_READ_PER_PAGE - read, Math.max(options.limit - records.length, 25) * 2),
      }),
    );
    read += page.ScannedCount ?? 0;
    for (const item of page.Items ?? []) {
      const record = stripKeys<BillingRecord>(item);
      if (!options.keep(record)) continue;
      records.push(record);
      if (records.length === options.limit) return { records, lastRecordId: record.recordId };
    }
    if (!page.LastEvaluatedKey) return { records };
    start = page.LastEvaluatedKey;
    if (read >= MAX_ITEMS_READ_PER_PAGE) {
      return { records, lastRecordId: String(start.sk).slice(keys.recordPrefix.length) };
    }
  }
}

/**
 * Writes an upsert plan: positives first, then negatives with their parents' adjustments.
 * Each write is conditional on the ledger as read, so a concurrent reservation or invoice
 * makes the batch fail with ConflictError; the batch is idempotent and safe to resend.
 * A transaction that changes a stored record or a parent moves its account's ledger version
 * with it (applications computed from the old ledger cannot reserve any more); new records
 * only add to what is invoiceable and leave it alone, so parallel batches of new records do
 * not collide on the account item. Every account of the batch gets its records version moved
 * at the end, also when nothing changed (a resent batch repairs a batch that died before it).
 */
export async function writeUpsertPlan(plan: UpsertPlan, accountIds: readonly string[]): Promise<void> {
  const positives = plan.positives.map(
    (w): WriteGroup => ({
      items: [putRecord(w)],
      accountId: w.record.accountId,
      changesLedger: w.expected !== undefined,
    }),
  );
  await writeInChunks(positives);

  const negatives = plan.negatives.map(({ write, parent }): WriteGroup => {
    const items: TransactItem[] = [putRecord(write)];
    if (parent) {
      const planned = parent.expectedParent;
      items.push({
        Update: {
          TableName: tableName,
          Key: keys.record(parent.accountId, parent.parentRecordId),
          UpdateExpression: 'SET negativesAmount = :negatives ADD availableAmount :d',
          ConditionExpression:
            'negativesAmount = :expected AND cashAmount = :cash AND fulfilment = :fulfilment AND ' +
            (planned.fulfilledCashAmount === undefined
              ? 'attribute_not_exists(fulfilledCashAmount)'
              : 'fulfilledCashAmount = :fulfilled'),
          ExpressionAttributeValues: {
            ':negatives': parent.negativesAmount,
            ':expected': parent.expectedNegatives,
            ':d': parent.availableDelta,
            ':cash': planned.cashAmount,
            ':fulfilment': planned.fulfilment,
            ...(planned.fulfilledCashAmount === undefined
              ? {}
              : { ':fulfilled': planned.fulfilledCashAmount }),
          },
        },
      });
    }
    return {
      items,
      accountId: write.record.accountId,
      changesLedger: parent !== undefined || write.expected !== undefined,
      parent: parent ? recordRef(parent.accountId, parent.parentRecordId) : undefined,
    };
  });
  await writeInChunks(negatives);

  for (const accountId of new Set(accountIds)) await bumpRecordsVersion(accountId);
}

interface WriteGroup {
  items: TransactItem[];
  accountId: string;
  changesLedger: boolean;
  /** A transaction may touch an item once: negatives of one parent go to different chunks, in order. */
  parent?: string;
}

async function writeInChunks(groups: readonly WriteGroup[]): Promise<void> {
  let pending = groups;
  while (pending.length > 0) {
    const chunk: TransactItem[] = [];
    const parents = new Set<string>();
    const lockedAccounts = new Set<string>();
    const rest: WriteGroup[] = [];
    for (const group of pending) {
      const clash = group.parent !== undefined && parents.has(group.parent);
      const lock = group.changesLedger && !lockedAccounts.has(group.accountId) ? 1 : 0;
      if (clash || chunk.length + lockedAccounts.size + group.items.length + lock > MAX_TRANSACTION_ITEMS) {
        rest.push(group);
        continue;
      }
      chunk.push(...group.items);
      if (group.parent) parents.add(group.parent);
      if (lock) lockedAccounts.add(group.accountId);
    }
    await transact([...chunk, ...[...lockedAccounts].map(bumpLedgerVersion)]);
    pending = rest;
  }
}

/**
 * A new record is put (it must not exist); a stored one is updated field by field, conditional
 * on its ledger as read, so what others keep on the item (the title an application bound it
 * to, R16) stays. Optional fields the billing system no longer sends are removed.
 */
function putRecord({ record, expected }: UpsertPlan['positives'][number]): TransactItem {
  const key = keys.record(record.accountId, record.recordId);
  if (!expected) {
    return {
      Put: {
        TableName: tableName,
        Item: { ...key, ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {
    ':n': expected.negativesAmount,
    ':i': expected.invoicedAmount,
    ':r': expected.reservedAmount,
  };
  const sets: string[] = [];
  const removes: string[] = [];
  RECORD_FIELDS.forEach((field, i) => {
    if (field === 'accountId' || field === 'recordId') return;
    names[`#f${i}`] = field;
    const value = record[field];
    if (value === undefined) removes.push(`#f${i}`);
    else {
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    }
  });
  const ledger = (field: string) => `#f${RECORD_FIELDS.indexOf(field as (typeof RECORD_FIELDS)[number])}`;
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: `${ledger('negativesAmount')} = :n AND ${ledger('invoicedAmount')} = :i AND ${ledger('reservedAmount')} = :r`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The invoiceable summary (see LedgerSummary), one item per account.

export interface CachedSummary {
  basis: InvoiceableBasis;
  summary: LedgerSummary;
}

export interface SummaryState {
  cached?: CachedSummary;
  /** Where the last full read split the account's records (kept even when the summary is stale). */
  bounds: string[];
  /** Moved by invalidateInvoiceable; a summary holds only if stored at the current generation. */
  generation: number;
}

/** A stored summary stays well below DynamoDB's 400 KB item limit with at most this many records kept whole. */
export const MAX_KEPT_RECORDS = 2_000;
export const MAX_HOT_RECORDS = 1_000;

export async function getInvoiceableSummary(accountId: string): Promise<SummaryState> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.invoiceableCache(accountId), ConsistentRead: true }),
  );
  const generation = (Item?.generation as number | undefined) ?? 0;
  const bounds = (Item?.bounds as string[] | undefined) ?? [];
  if (Item?.summary === undefined || Item.computedAtGeneration !== generation) return { generation, bounds };
  const stored = Item.summary as StoredSummary;
  return {
    generation,
    bounds,
    cached: {
      basis: Item.basis as InvoiceableBasis,
      summary: { ...stored, tail: stored.tail.map(unpack), pending: stored.pending.map(unpack) },
    },
  };
}

/**
 * Stores a summary computed after reading the item at `generation`, unless an invalidation
 * came in between (then the next request computes again). Returns whether it was stored;
 * summaries that keep too many records whole are not.
 */
export async function putInvoiceableSummary(
  accountId: string,
  generation: number,
  value: CachedSummary,
  bounds: readonly string[],
): Promise<boolean> {
  const { summary } = value;
  if (
    summary.hot.length > MAX_HOT_RECORDS ||
    summary.tail.length + summary.pending.length > MAX_KEPT_RECORDS
  ) {
    return false;
  }
  const stored: StoredSummary = {
    ...summary,
    tail: summary.tail.map(pack),
    pending: summary.pending.map(pack),
  };
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoiceableCache(accountId),
        UpdateExpression: 'SET #basis = :basis, #summary = :summary, #computedAt = :g, #bounds = :bounds',
        ConditionExpression:
          generation === 0 ? 'attribute_not_exists(#generation) OR #generation = :g' : '#generation = :g',
        // Some of these are reserved words: every name goes through a placeholder.
        ExpressionAttributeNames: {
          '#basis': 'basis',
          '#summary': 'summary',
          '#computedAt': 'computedAtGeneration',
          '#generation': 'generation',
          '#bounds': 'bounds',
        },
        ExpressionAttributeValues: {
          ':basis': value.basis,
          ':summary': stored,
          ':g': generation,
          ':bounds': bounds,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Records kept whole in the summary item as value lists in LEDGER_FIELDS order (names once, not per record). */
type StoredSummary = Omit<LedgerSummary, 'tail' | 'pending'> & { tail: unknown[][]; pending: unknown[][] };

function pack(record: LedgerRecord): unknown[] {
  return LEDGER_FIELDS.map((field) => record[field] ?? null);
}

function unpack(values: unknown[]): LedgerRecord {
  const record: Record<string, unknown> = {};
  LEDGER_FIELDS.forEach((field, i) => {
    if (values[i] !== null && values[i] !== undefined) record[field] = values[i];
  });
  return record as LedgerRecord;
}

/**
 * For transactions outside the ledger's own writes that change a record's amounts while nothing
 * is reserved on it (a red-letter return restoring what was invoiced): add this item and the
 * account's invoiceable summary is computed again. Reservations, settlements and releases need
 * not: reserving moves the ledger version, and reserved records are read on every request.
 */
export function invalidateInvoiceable(accountId: string): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.invoiceableCache(accountId),
      UpdateExpression: 'ADD #generation :one',
      ExpressionAttributeNames: { '#generation': 'generation' },
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}
