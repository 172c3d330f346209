import { BatchGetCommand, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { imageOf } from '#adapters/audit-stream';
import {
  documentClient,
  keys,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { AuditEntry, AuditHead, ChangeStamp, ItemChange, Subject, SubjectType } from '#domain/audit';

/** A stream record of an audited item: whose it is, what changed, and where it is in the stream. */
export interface SubjectChange {
  subject: Subject;
  change: ItemChange;
  sequence: string;
}

const APPLICATION = keys.application('');
const INVOICE = keys.invoice('');
const TITLE = keys.title('', '');
const RETURN = keys.invoiceReturn('');
const COPY_REQUEST = keys.copyRequest('');

/** The audited subject an item's keys name, or undefined for every other item of the table. */
export function subjectOfKeys(pk: string, sk: string): Subject | undefined {
  if (pk.startsWith(APPLICATION.pk) && sk === APPLICATION.sk)
    return { type: 'application', id: pk.slice(APPLICATION.pk.length) };
  if (pk.startsWith(INVOICE.pk) && sk === INVOICE.sk)
    return { type: 'invoice', id: pk.slice(INVOICE.pk.length) };
  if (pk.startsWith(INVOICE.pk) && sk === COPY_REQUEST.sk)
    return { type: 'copy-request', id: pk.slice(INVOICE.pk.length) };
  if (pk.startsWith(RETURN.pk) && sk === RETURN.sk) return { type: 'return', id: pk.slice(RETURN.pk.length) };
  if (pk.startsWith(TITLE.pk) && sk.startsWith(TITLE.sk) && !pk.includes('#', TITLE.pk.length))
    return { type: 'title', id: sk.slice(TITLE.sk.length), accountId: pk.slice(TITLE.pk.length) };
  return undefined;
}

/**
 * Reads a DynamoDB stream record (Lambda's event shape); undefined when it is not about an
 * audited item (application, invoice, title, return, copy request), which the event source filter should already have kept away.
 */
export function subjectChangeOf(record: DynamoDBRecord): SubjectChange | undefined {
  const data = record.dynamodb;
  const pk = data?.Keys?.pk?.S;
  const sk = data?.Keys?.sk?.S;
  const sequence = data?.SequenceNumber;
  const eventName = record.eventName;
  if (!pk || !sk || !sequence || !eventName) return undefined;
  const subject = subjectOfKeys(pk, sk);
  if (!subject) return undefined;
  const seconds = data.ApproximateCreationDateTime;
  return {
    subject,
    sequence,
    change: {
      eventName,
      oldImage: data.OldImage ? imageOf(data.OldImage) : undefined,
      newImage: data.NewImage ? imageOf(data.NewImage) : undefined,
      streamAt: typeof seconds === 'number' ? new Date(seconds * 1000) : new Date(),
    },
  };
}

/** A subject's key in maps of subjects (as getAuditHeads answers). */
export const subjectKey = (subject: Pick<Subject, 'type' | 'id'>): string => `${subject.type}#${subject.id}`;

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_TRIES = 8;

const headOf = (item: Record<string, unknown>): AuditHead => ({
  seq: item.seq as number,
  hash: item.hash as string,
  streamSequence: item.streamSequence as string,
});

export async function getAuditHead(type: SubjectType, id: string): Promise<AuditHead | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.auditHead(type, id), ConsistentRead: true }),
  );
  return Item ? headOf(Item) : undefined;
}

/**
 * The heads of many subjects, read strongly consistently with BatchGetItem (100 keys a request,
 * in parallel; unprocessed keys are asked again): by `subjectKey`, a subject without a head absent.
 */
export async function getAuditHeads(
  subjects: readonly Pick<Subject, 'type' | 'id'>[],
): Promise<Map<string, AuditHead>> {
  const heads = new Map<string, AuditHead>();
  const byPartition = new Map(subjects.map((s) => [keys.auditTrail(s.type, s.id), subjectKey(s)]));
  const headKeys = [...new Map(subjects.map((s) => [subjectKey(s), keys.auditHead(s.type, s.id)])).values()];
  const requests: Record<string, unknown>[][] = [];
  for (let i = 0; i < headKeys.length; i += BATCH_GET_KEYS)
    requests.push(headKeys.slice(i, i + BATCH_GET_KEYS));
  await Promise.all(
    requests.map(async (Keys) => {
      let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
        { [tableName]: { Keys, ConsistentRead: true } };
      for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
        if (attempt >= BATCH_GET_TRIES) throw new Error('BatchGet left audit heads unprocessed');
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const result = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of result.Responses?.[tableName] ?? []) {
          const subject = byPartition.get(String(item.pk));
          if (subject) heads.set(subject, headOf(item));
        }
        request = result.UnprocessedKeys as typeof request;
      }
    }),
  );
  return heads;
}

/**
 * Appends one entry: the head moves from `head` (or from nothing) to the entry in the same
 * transaction that stores it, and an entry is never overwritten. A concurrent append for the
 * same subject makes this fail with ConflictError; the caller re-reads the head.
 */
export async function appendAuditEntry(entry: AuditEntry, head: AuditHead | undefined): Promise<void> {
  await transact(auditAppendItems(head, [entry]));
}

/**
 * Appends several subjects' entries in one transaction (at most MAX_TRANSACTION_ITEMS items: a
 * head and its entries per subject): each head moves from what it was (or from nothing) to its
 * subject's last entry, and no entry is overwritten, so the whole is cancelled (ConflictError)
 * when any head moved meanwhile; nothing of it is then stored.
 */
export async function appendAuditEntries(
  appends: readonly { head: AuditHead | undefined; entries: readonly AuditEntry[] }[],
): Promise<void> {
  await transact(appends.flatMap(({ head, entries }) => auditAppendItems(head, entries)));
}

/** A subject's head Update from `head` to the last of `entries` (in chain order), and their Puts. */
function auditAppendItems(head: AuditHead | undefined, entries: readonly AuditEntry[]): TransactItem[] {
  const last = entries.at(-1);
  if (!last) return [];
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.auditHead(last.subjectType, last.subjectId),
        UpdateExpression:
          'SET #seq = :seq, #hash = :hash, #stream = :stream, #type = :type, #id = :id, #at = :at',
        ConditionExpression: head ? '#seq = :previous' : 'attribute_not_exists(pk)',
        ExpressionAttributeNames: {
          '#seq': 'seq',
          '#hash': 'hash',
          '#stream': 'streamSequence',
          '#type': 'subjectType',
          '#id': 'subjectId',
          '#at': 'at',
        },
        ExpressionAttributeValues: {
          ':seq': last.seq,
          ':hash': last.hash,
          ':stream': last.streamSequence,
          ':type': last.subjectType,
          ':id': last.subjectId,
          ':at': last.at,
          ...(head ? { ':previous': head.seq } : {}),
        },
      },
    },
    ...entries.map(
      (entry): TransactItem => ({
        Put: {
          TableName: tableName,
          Item: { ...keys.auditEntry(entry.subjectType, entry.subjectId, entry.seq), ...entry },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }),
    ),
  ];
}

/** One page of a subject's entries in seq order, after `afterSeq`. */
export async function listAuditEntries(
  type: SubjectType,
  id: string,
  limit: number,
  afterSeq?: number,
): Promise<{ entries: AuditEntry[]; lastSeq?: number }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': keys.auditTrail(type, id), ':entry': keys.auditEntryPrefix },
      ExclusiveStartKey: afterSeq === undefined ? undefined : keys.auditEntry(type, id, afterSeq),
      Limit: limit,
    }),
  );
  const entries = (page.Items ?? []).map((item) => stripKeys<AuditEntry>(item));
  return { entries, lastSeq: page.LastEvaluatedKey ? entries.at(-1)?.seq : undefined };
}

/** Every entry of a subject as stored (by sort key) and its head, read consistently. */
export async function readAuditTrail(
  type: SubjectType,
  id: string,
): Promise<{ entries: AuditEntry[]; head?: AuditHead }> {
  const entries: AuditEntry[] = [];
  let head: AuditHead | undefined;
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.auditTrail(type, id) },
    ConsistentRead: true,
  })) {
    if (item.sk === keys.auditHead(type, id).sk) {
      head = { seq: item.seq, hash: item.hash, streamSequence: item.streamSequence };
    } else if (String(item.sk).startsWith(keys.auditEntryPrefix)) {
      entries.push(stripKeys<AuditEntry>(item));
    }
  }
  return { entries, head };
}

/**
 * Every subject that has a trail, from the heads (a full table scan: for the verification
 * command, not for request paths).
 */
export async function scanAuditSubjects(): Promise<{ type: SubjectType; id: string }[]> {
  const subjects: { type: SubjectType; id: string }[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :audit) AND sk = :head',
        ExpressionAttributeValues: { ':audit': keys.auditPrefix, ':head': keys.auditHead('', '').sk },
        ProjectionExpression: 'subjectType, subjectId',
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) subjects.push({ type: item.subjectType, id: item.subjectId });
    start = page.LastEvaluatedKey;
  } while (start);
  return subjects.sort((a, b) => `${a.type}:${a.id}`.localeCompare(`${b.type}:${b.id}`));
}

/**
 * The parts of an UpdateExpression that put a change stamp on an item (see the stamp
 * convention in #domain/audit): join `set` into the SET clause and `remove` (when present)
 * into the REMOVE clause, and merge names and values.
 */
export function stampUpdate(stamp: ChangeStamp): {
  set: string;
  remove?: string;
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {
    '#changedBy': 'changedBy',
    '#changedAt': 'changedAt',
    '#changeId': 'changeId',
    '#changeReason': 'changeReason',
  };
  const values: Record<string, unknown> = {
    ':changedBy': stamp.changedBy,
    ':changedAt': stamp.changedAt,
    ':changeId': stamp.changeId,
  };
  const set = ['#changedBy = :changedBy', '#changedAt = :changedAt', '#changeId = :changeId'];
  if (stamp.changeReason === undefined)
    return { set: set.join(', '), remove: '#changeReason', names, values };
  values[':changeReason'] = stamp.changeReason;
  set.push('#changeReason = :changeReason');
  return { set: set.join(', '), names, values };
}
