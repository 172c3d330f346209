import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { imageOf } from '#adapters/audit-stream';
import { documentClient, keys, queryAll, stripKeys, tableName, transact } from '#adapters/dynamodb';
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

export async function getAuditHead(type: SubjectType, id: string): Promise<AuditHead | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.auditHead(type, id), ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return { seq: Item.seq, hash: Item.hash, streamSequence: Item.streamSequence };
}

/**
 * Appends one entry: the head moves from `head` (or from nothing) to the entry in the same
 * transaction that stores it, and an entry is never overwritten. A concurrent append for the
 * same subject makes this fail with ConflictError; the caller re-reads the head.
 */
export async function appendAuditEntry(entry: AuditEntry, head: AuditHead | undefined): Promise<void> {
  await transact([
    {
      Update: {
        TableName: tableName,
        Key: keys.auditHead(entry.subjectType, entry.subjectId),
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
          ':seq': entry.seq,
          ':hash': entry.hash,
          ':stream': entry.streamSequence,
          ':type': entry.subjectType,
          ':id': entry.subjectId,
          ':at': entry.at,
          ...(head ? { ':previous': head.seq } : {}),
        },
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.auditEntry(entry.subjectType, entry.subjectId, entry.seq), ...entry },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
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
