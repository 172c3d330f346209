import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { bumpLedgerVersion } from '#adapters/account-repository';
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
import { aggregateUpdate } from '#adapters/ledger-aggregates';
import {
  type BillingRecord,
  LEDGER_FIELDS,
  type LedgerRecord,
  NEGATIVE_KINDS,
  RECORD_FIELDS,
  type RecordKind,
} from '#domain/billing-record';
import {
  type AggregateChange,
  addParts,
  emptyParts,
  type LedgerParts,
  MAIN,
  recordChange,
} from '#domain/ledger-aggregate';
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

/** The ledger fields and where the record's aggregate parts are kept. */
const LEDGER_READ = [...LEDGER_FIELDS, 'aggAt'];
const LEDGER_PROJECTION = {
  ProjectionExpression: LEDGER_READ.map((_, i) => `#f${i}`).join(', '),
  ExpressionAttributeNames: Object.fromEntries(LEDGER_READ.map((field, i) => [`#f${i}`, field])),
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
): Promise<{ records: (LedgerRecord & { aggAt?: string })[]; bounds: string[] }> {
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

/** The first page of the open-records index read: most reads need a few records. */
const FIRST_OPEN_PAGE = 10;

/**
 * The account's records on the open-records index (gsi3: something may be available), by
 * payment instant, oldest first or newest first, read page by page until `enough` says the
 * records so far suffice; then the records paid at the same instant as the last one are read
 * too, so sorting what was read by oldestFirst gives the head of the whole sorted list. The
 * index is eventually consistent: writes check what they rely on (see reserve).
 */
export async function readOpenRecords(
  accountId: string,
  oldestFirst: boolean,
  enough: (record: BillingRecord) => boolean,
): Promise<BillingRecord[]> {
  const records: BillingRecord[] = [];
  let boundary: string | undefined;
  let start: Record<string, unknown> | undefined;
  for (;;) {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi3',
        KeyConditionExpression: 'gsi3pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.openRecords(accountId) },
        ScanIndexForward: oldestFirst,
        ExclusiveStartKey: start,
        Limit: records.length === 0 ? FIRST_OPEN_PAGE : records.length < 100 ? 100 : 1_000,
      }),
    );
    for (const item of page.Items ?? []) {
      const record = stripKeys<BillingRecord>(item);
      if (boundary !== undefined && record.paidAt !== boundary) return records;
      records.push(record);
      if (boundary === undefined && enough(record)) boundary = record.paidAt;
    }
    if (!page.LastEvaluatedKey) return records;
    start = page.LastEvaluatedKey;
  }
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
 * Each write is conditional on the record exactly as read (every field its share of the ledger
 * aggregates depends on), so a concurrent reservation, invoice or upsert makes the batch fail
 * with ConflictError; the batch is idempotent and safe to resend. Every transaction adds what
 * it changes to the account's ledger aggregates (see recordChange) and keeps the record on the
 * open-records index while it has something available. A transaction that changes a stored
 * record or a parent moves its account's ledger version with it (applications computed from
 * the old ledger cannot reserve any more); new records only add to what is invoiceable.
 */
export async function writeUpsertPlan(
  plan: UpsertPlan,
  existing: ReadonlyMap<string, BillingRecord>,
  now: Date,
): Promise<void> {
  const current = new Map<string, StoredRecord>(existing as ReadonlyMap<string, StoredRecord>);
  const positives = plan.positives.map((w): WriteGroup => {
    const { item, aggregates } = writeRecord(w, current, now);
    return {
      items: [item],
      aggregates,
      accountId: w.record.accountId,
      changesLedger: w.expected !== undefined,
    };
  });
  await writeInChunks(positives);

  const negatives = plan.negatives.map(({ write, parent }): WriteGroup => {
    const items: TransactItem[] = [writeRecord(write, current, now).item];
    const aggregates: AggregateWrite[] = [];
    if (parent) {
      const ref = recordRef(parent.accountId, parent.parentRecordId);
      const before = current.get(ref)!;
      const after: StoredRecord = {
        ...before,
        negativesAmount: parent.negativesAmount,
        availableAmount: before.availableAmount + parent.availableDelta,
      };
      const change = recordChange(before, after, now);
      current.set(ref, { ...after, aggAt: change.aggAt });
      const condition = exactly(before);
      const open = openAttributes(after, change.aggAt);
      items.push({
        Update: {
          TableName: tableName,
          Key: keys.record(parent.accountId, parent.parentRecordId),
          UpdateExpression: `SET negativesAmount = :negatives, availableAmount = :available${open.set}${open.remove}`,
          ConditionExpression: condition.expression,
          ExpressionAttributeNames: { ...condition.names, ...open.names },
          ExpressionAttributeValues: {
            ':negatives': after.negativesAmount,
            ':available': after.availableAmount,
            ...condition.values,
            ...open.values,
          },
        },
      });
      aggregates.push(...aggregateWrites(after, change));
    }
    return {
      items,
      aggregates,
      accountId: write.record.accountId,
      changesLedger: parent !== undefined || write.expected !== undefined,
      parent: parent ? recordRef(parent.accountId, parent.parentRecordId) : undefined,
    };
  });
  await writeInChunks(negatives);
}

/** A record as stored: with where its aggregate parts are kept. */
type StoredRecord = BillingRecord & { aggAt?: string };

interface AggregateWrite {
  accountId: string;
  location: string;
  parts: LedgerParts;
  exceptions: Map<string, boolean>;
}

interface WriteGroup {
  items: TransactItem[];
  aggregates: AggregateWrite[];
  accountId: string;
  changesLedger: boolean;
  /** A transaction may touch an item once: negatives of one parent go to different chunks, in order. */
  parent?: string;
}

/** The aggregate writes of one record change; the main item always carries whether it is an exception. */
function aggregateWrites(record: BillingRecord, change: AggregateChange): AggregateWrite[] {
  const writes: AggregateWrite[] = [
    {
      accountId: record.accountId,
      location: MAIN,
      parts: change.deltas.get(MAIN) ?? emptyParts(),
      exceptions: new Map([[record.recordId, change.exception]]),
    },
  ];
  for (const [location, parts] of change.deltas) {
    if (location !== MAIN)
      writes.push({ accountId: record.accountId, location, parts, exceptions: new Map() });
  }
  return writes;
}

async function writeInChunks(groups: readonly WriteGroup[]): Promise<void> {
  let pending = groups;
  while (pending.length > 0) {
    const chunk: TransactItem[] = [];
    const parents = new Set<string>();
    const lockedAccounts = new Set<string>();
    const aggregates = new Map<string, AggregateWrite>();
    const rest: WriteGroup[] = [];
    for (const group of pending) {
      const clash = group.parent !== undefined && parents.has(group.parent);
      const lock = group.changesLedger && !lockedAccounts.has(group.accountId) ? 1 : 0;
      const newAggregates = new Set(
        group.aggregates.map((a) => `${a.accountId}|${a.location}`).filter((k) => !aggregates.has(k)),
      ).size;
      const size = chunk.length + lockedAccounts.size + aggregates.size;
      if (clash || size + group.items.length + lock + newAggregates > MAX_TRANSACTION_ITEMS) {
        rest.push(group);
        continue;
      }
      chunk.push(...group.items);
      if (group.parent) parents.add(group.parent);
      if (lock) lockedAccounts.add(group.accountId);
      for (const a of group.aggregates) {
        const key = `${a.accountId}|${a.location}`;
        const merged = aggregates.get(key) ?? {
          accountId: a.accountId,
          location: a.location,
          parts: emptyParts(),
          exceptions: new Map(),
        };
        addParts(merged.parts, a.parts);
        for (const [id, listed] of a.exceptions) merged.exceptions.set(id, listed);
        aggregates.set(key, merged);
      }
    }
    await transact([
      ...chunk,
      ...[...aggregates.values()].map((a) =>
        aggregateUpdate(a.accountId, a.location, a.parts, {
          listed: [...a.exceptions].filter(([, listed]) => listed).map(([id]) => id),
          unlisted: [...a.exceptions].filter(([, listed]) => !listed).map(([id]) => id),
          // The main item lists the account's instant items this chunk writes.
          instants: {
            add:
              a.location === MAIN
                ? [...aggregates.values()]
                    .filter((b) => b.accountId === a.accountId && b.location !== MAIN)
                    .map((b) => b.location)
                : [],
          },
        }),
      ),
      ...[...lockedAccounts].map(bumpLedgerVersion),
    ]);
    pending = rest;
  }
}

/**
 * The fields a record's aggregate share depends on, as a condition that they are as read.
 */
const SHARE_FIELDS = [
  'kind',
  'cashAmount',
  'fulfilment',
  'fulfilledCashAmount',
  'negativesAmount',
  'invoicedAmount',
  'reservedAmount',
  'availableAmount',
  'entity',
  'taxRate',
  'eligibleFrom',
  'aggAt',
] as const;

function exactly(record: StoredRecord) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = SHARE_FIELDS.map((field, i) => {
    names[`#c${i}`] = field;
    const value = record[field];
    if (value === undefined) return `attribute_not_exists(#c${i})`;
    values[`:c${i}`] = value;
    return `#c${i} = :c${i}`;
  });
  return { expression: parts.join(' AND '), names, values };
}

/**
 * The open-records index (gsi3): a positive record with something available is on it, by
 * payment instant; its parts' location rides along.
 */
function openAttributes(record: BillingRecord, aggAt: string | undefined) {
  const names: Record<string, string> = { '#openpk': 'gsi3pk', '#opensk': 'gsi3sk', '#aggAt': 'aggAt' };
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  if (isOpen(record)) {
    values[':openpk'] = keys.openRecords(record.accountId);
    values[':opensk'] = record.paidAt;
    sets.push('#openpk = :openpk', '#opensk = :opensk');
  } else removes.push('#openpk', '#opensk');
  if (aggAt === undefined) removes.push('#aggAt');
  else {
    values[':aggAt'] = aggAt;
    sets.push('#aggAt = :aggAt');
  }
  return {
    names,
    values,
    set: sets.length > 0 ? `, ${sets.join(', ')}` : '',
    remove: removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '',
  };
}

function isOpen(record: BillingRecord): boolean {
  return !NEGATIVE_KINDS.has(record.kind) && record.kind !== 'recharge' && record.availableAmount > 0;
}

/**
 * A new record is put (it must not exist); a stored one is updated field by field, conditional
 * on it as read, so what others keep on the item (the title an application bound it to, R16)
 * stays. Optional fields the billing system no longer sends are removed.
 */
function writeRecord(
  { record, expected }: UpsertPlan['positives'][number],
  current: Map<string, StoredRecord>,
  now: Date,
): { item: TransactItem; aggregates: AggregateWrite[] } {
  const ref = recordRef(record.accountId, record.recordId);
  const before = current.get(ref);
  const change = recordChange(before, record, now);
  current.set(ref, { ...record, aggAt: change.aggAt });
  const aggregates = NEGATIVE_KINDS.has(record.kind) ? [] : aggregateWrites(record, change);
  const key = keys.record(record.accountId, record.recordId);
  if (!expected || !before) {
    return {
      item: {
        Put: {
          TableName: tableName,
          Item: {
            ...key,
            ...record,
            ...(change.aggAt === undefined ? {} : { aggAt: change.aggAt }),
            ...(isOpen(record) ? { gsi3pk: keys.openRecords(record.accountId), gsi3sk: record.paidAt } : {}),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      aggregates,
    };
  }
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
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
  const condition = exactly(before);
  const open = openAttributes(record, change.aggAt);
  const removeAll = [...removes, ...(open.remove ? [open.remove.slice(' REMOVE '.length)] : [])];
  return {
    item: {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${open.set}${removeAll.length > 0 ? ` REMOVE ${removeAll.join(', ')}` : ''}`,
        ConditionExpression: condition.expression,
        ExpressionAttributeNames: { ...names, ...condition.names, ...open.names },
        ExpressionAttributeValues: { ...values, ...condition.values, ...open.values },
      },
    },
    aggregates,
  };
}
