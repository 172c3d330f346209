import {
  BatchGetItemCommand,
  type BatchGetItemInput,
  type BatchGetItemOutput,
} from '@aws-sdk/client-dynamodb';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
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

/** A subject's key in maps of subjects (as getAuditHeads answers): its trail's partition. */
export const subjectKey = (subject: Pick<Subject, 'type' | 'id'>): string =>
  keys.auditTrail(subject.type, subject.id);

/** The head an entry moves it to. */
export const headOf = (entry: AuditEntry): AuditHead => ({
  seq: entry.seq,
  hash: entry.hash,
  streamSequence: entry.streamSequence,
});

/** BatchGetItem reads at most 100 keys a request. */
const BATCH_GET_KEYS = 100;

/** A subject's head, read strongly consistently (as getAuditHeads reads many). */
export async function getAuditHead(type: SubjectType, id: string): Promise<AuditHead | undefined> {
  return (await getAuditHeads([{ type, id }])).get(subjectKey({ type, id }));
}

/**
 * The heads of distinct subjects, read strongly consistently with BatchGetItem (100 keys a
 * request, in parallel; unprocessed keys are asked again): by `subjectKey`, none for a subject
 * without a head. The bare command, its few attributes typed by hand: the document client's
 * BatchGet would add half a kilobyte to the recorder's bundle.
 */
export async function getAuditHeads(
  subjects: readonly Pick<Subject, 'type' | 'id'>[],
): Promise<Map<string, AuditHead>> {
  const heads = new Map<string, AuditHead>();
  const requests = [];
  for (let i = 0; i < subjects.length; i += BATCH_GET_KEYS) {
    requests.push(
      subjects.slice(i, i + BATCH_GET_KEYS).map((subject) => {
        const { pk, sk } = keys.auditHead(subject.type, subject.id);
        return { pk: { S: pk }, sk: { S: sk } };
      }),
    );
  }
  await Promise.all(
    requests.map(async (Keys) => {
      let request: BatchGetItemInput['RequestItems'] = { [tableName]: { Keys, ConsistentRead: true } };
      for (let attempt = 0; request?.[tableName]; attempt++) {
        if (attempt > 7) throw new Error('audit heads left unprocessed');
        if (attempt) await new Promise((r) => setTimeout(r, 25 * 2 ** attempt));
        const result: BatchGetItemOutput = await documentClient.send(
          new BatchGetItemCommand({ RequestItems: request }),
        );
        for (const item of result.Responses?.[tableName] ?? []) {
          heads.set(item.pk!.S!, {
            seq: Number(item.seq!.N),
            hash: item.hash!.S!,
            streamSequence: item.streamSequence!.S!,
          });
        }
        request = result.UnprocessedKeys;
      }
    }),
  );
  return heads;
}

/**
 * Appends subjects' entries in one transaction (at most MAX_TRANSACTION_ITEMS items: a head and
 * its entries per subject): each head moves from `head` (or from nothing) to its last entry in
 * the transaction that stores them, and no entry is overwritten. A concurrent append for any of
 * the subjects cancels the whole (ConflictError), which then stored nothing; the caller re-reads.
 */
export async function appendAuditEntries(
  appends: readonly { head: AuditHead | undefined; entries: readonly AuditEntry[] }[],
): Promise<void> {
  await transact(
    appends.flatMap(({ head, entries }): TransactItem[] => {
      const last = entries.at(-1)!;
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
        ...entries.map((entry) => ({
          Put: {
            TableName: tableName,
            Item: { ...keys.auditEntry(entry.subjectType, entry.subjectId, entry.seq), ...entry },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        })),
      ];
    }),
  );
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
