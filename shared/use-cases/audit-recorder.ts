import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { putAnchor } from '#adapters/audit-anchors';
import {
  appendAuditEntries,
  getAuditHead,
  getAuditHeads,
  headOf,
  type SubjectChange,
  subjectChangeOf,
  subjectKey,
} from '#adapters/audit-repository';
import { isAfter } from '#adapters/audit-stream';
import { MAX_TRANSACTION_ITEMS } from '#adapters/dynamodb';
import { logger } from '#adapters/logger';
import { type AuditEntry, type AuditHead, describeChange, nextEntry } from '#domain/audit';
import { ConflictError } from '#domain/errors';

const APPEND_ATTEMPTS = 4;

/** A subject's head and entries go into one transaction; one with more entries goes one at a time. */
const PACKED_ENTRIES_MAX = MAX_TRANSACTION_ITEMS - 1;

/** What appending a subject's changes came to (see appendInOrder). */
interface Appended {
  failed?: string;
  head?: AuditHead;
  reached: boolean;
}

/** A subject's entries computed from its head as read, before they are stored. */
interface Planned {
  /** The head as read, which the transaction expects to move from. */
  before: AuditHead | undefined;
  entries: AuditEntry[];
  /** The head after the entries. */
  after: AuditHead | undefined;
  reached: boolean;
}

/**
 * The table stream's consumer: appends an entry per audited change, in stream order per
 * subject. A record at or before the subject's head was applied already (a redelivered batch)
 * and is skipped, so redelivery never duplicates an entry. When a subject's record fails, its
 * later records wait: the answer names the first failure so Lambda retries from there
 * (ReportBatchItemFailures), and what was appended meanwhile is skipped then.
 *
 * The batch costs little DynamoDB work (appendBatch): one BatchGetItem for every subject's head,
 * then whole subjects packed into as few transactions as fit; a subject whose transaction did
 * not go through is appended on its own, one entry at a time (appendInOrder), as before.
 *
 * After a subject's records, its head is anchored outside the table (#adapters/audit-anchors),
 * also when the batch was a redelivery (its anchor may be what failed). When anchoring fails,
 * the subject's first record is reported: the retry skips what was appended and anchors again.
 */
export async function recordStreamChanges(
  records: readonly DynamoDBRecord[],
): Promise<DynamoDBBatchResponse> {
  const bySubject = new Map<string, SubjectChange[]>();
  for (const record of records) {
    const change = subjectChangeOf(record);
    if (!change) continue;
    const key = subjectKey(change.subject);
    bySubject.set(key, [...(bySubject.get(key) ?? []), change]);
  }
  const subjects = [...bySubject.values()];
  const appended = await appendBatch(subjects);
  const failed = await Promise.all(subjects.map((changes, i) => anchorHead(changes, appended[i]!)));
  return {
    batchItemFailures: failed
      .filter((sequence) => sequence !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}

/**
 * Appends every subject's changes (answers in the order of `subjects`): the heads are read
 * together (strongly consistent), each subject's new entries computed from its head, and the
 * subjects packed whole (its head's Update and its entries' Puts) into transactions of at most
 * MAX_TRANSACTION_ITEMS items, run in parallel. Each head moves under the same condition as one
 * entry at a time would, so a transaction cancelled because a head moved meanwhile (an
 * overlapping consumer) stores nothing, and its subjects are appended one at a time from a
 * fresh read. So is every subject when the heads cannot be read together, and a subject with
 * more entries than a transaction holds.
 */
async function appendBatch(subjects: readonly SubjectChange[][]): Promise<Appended[]> {
  let heads: Map<string, AuditHead>;
  try {
    heads = await getAuditHeads(subjects.map((changes) => changes[0]!.subject));
  } catch (error) {
    logger.warn('audit heads not read', { error: error as Error });
    return Promise.all(subjects.map(appendInOrder));
  }
  const appended: (Appended | Promise<Appended>)[] = [];
  const packable: { index: number; planned: Planned }[] = [];
  subjects.forEach((changes, index) => {
    const planned = plan(changes, heads.get(subjectKey(changes[0]!.subject)));
    if (!planned || planned.entries.length > PACKED_ENTRIES_MAX) appended[index] = appendInOrder(changes);
    else if (planned.entries.length) packable.push({ index, planned });
    else appended[index] = { head: planned.after, reached: planned.reached };
  });
  // Largest first, each into the open transaction while it has room: whole subjects, few transactions.
  const packs: (typeof packable)[] = [];
  let room = 0;
  for (const member of packable.sort((a, b) => b.planned.entries.length - a.planned.entries.length)) {
    const items = member.planned.entries.length + 1;
    if (items > room) {
      packs.push([]);
      room = MAX_TRANSACTION_ITEMS;
    }
    packs.at(-1)!.push(member);
    room -= items;
  }
  for (const members of packs) {
    const stored = appendAuditEntries(
      members.map(({ planned }) => ({ head: planned.before, entries: planned.entries })),
    ).then(
      () => {
        for (const { planned } of members) planned.entries.forEach(logAppended);
        return true;
      },
      (error: unknown) => {
        logger.warn('audit pack not appended', { error: error as Error });
        return false;
      },
    );
    for (const { index, planned } of members) {
      appended[index] = stored.then((ok) =>
        ok ? { head: planned.after, reached: true } : appendInOrder(subjects[index]!),
      );
    }
  }
  return Promise.all(appended);
}

/**
 * A subject's new entries from `head` on, in memory, skipping what is at or before the head and
 * what is not audited: undefined when one cannot be described (appendInOrder then reports it).
 */
function plan(changes: readonly SubjectChange[], head: AuditHead | undefined): Planned | undefined {
  let after = head;
  const entries: AuditEntry[] = [];
  try {
    for (const change of changes) {
      const entry = entryFor(change, after);
      if (entry) entries.push(entry);
      after = entry ? headOf(entry) : after;
    }
  } catch {
    return undefined;
  }
  // Without new entries, the head is reached when a change is at or before it (appended before).
  const reached =
    entries.length > 0 || changes.some((c) => head && !isAfter(c.sequence, head.streamSequence));
  return { before: head, entries, after, reached };
}

/** Anchors a subject's head after appending; the sequence number of the subject's failure. */
async function anchorHead(
  changes: SubjectChange[],
  { failed, head, reached }: Appended,
): Promise<string | undefined> {
  if (!head || !reached) return failed;
  const { subject } = changes[0]!;
  try {
    await putAnchor(subject.type, subject.id, head, new Date());
    return failed;
  } catch (error) {
    logger.error('audit head not anchored', {
      subjectType: subject.type,
      subjectId: subject.id,
      seq: head.seq,
      error: error as Error,
    });
    return changes[0]!.sequence;
  }
}

/**
 * Appends a subject's changes in order, one transaction each, from a fresh read of its head:
 * the sequence number of the first that failed, the head after them, and whether any change
 * reached the chain (appended now or before, on an earlier delivery): only then is there a head
 * to anchor.
 */
async function appendInOrder(changes: SubjectChange[]): Promise<Appended> {
  let head: AuditHead | undefined;
  let headRead = false;
  let reached = false;
  for (const change of changes) {
    try {
      if (!headRead) {
        head = await getAuditHead(change.subject.type, change.subject.id);
        headRead = true;
      }
      const before = head;
      head = await appendOne(change, head);
      if (head !== before || (head && !isAfter(change.sequence, head.streamSequence))) reached = true;
    } catch (error) {
      logger.error('audit entry not appended', {
        subjectType: change.subject.type,
        subjectId: change.subject.id,
        sequence: change.sequence,
        error: error as Error,
      });
      return { failed: change.sequence, head, reached };
    }
  }
  return { head, reached };
}

async function appendOne(change: SubjectChange, head: AuditHead | undefined): Promise<AuditHead | undefined> {
  let current = head;
  for (let attempt = 1; ; attempt++) {
    const entry = entryFor(change, current);
    if (!entry) return current;
    try {
      await appendAuditEntries([{ head: current, entries: [entry] }]);
      logAppended(entry);
      return headOf(entry);
    } catch (error) {
      // Another consumer moved the head (only when two pollers overlap): read it and go on.
      if (!(error instanceof ConflictError) || attempt >= APPEND_ATTEMPTS) throw error;
      current = await getAuditHead(change.subject.type, change.subject.id);
    }
  }
}

/**
 * The entry a change appends after `head` (with the subject's correlation id beside it), or
 * undefined: the change is at or before the head (appended already), or nothing audited.
 */
function entryFor(change: SubjectChange, head: AuditHead | undefined): AuditEntry | undefined {
  if (head && !isAfter(change.sequence, head.streamSequence)) return undefined;
  const described = describeChange(change.subject, change.change);
  if (!described) return undefined;
  const entry = nextEntry(head, change.subject, described, change.sequence);
  const image = change.change.newImage ?? change.change.oldImage;
  const correlationId = typeof image?.correlationId === 'string' ? image.correlationId : undefined;
  return correlationId ? { ...entry, correlationId } : entry;
}

function logAppended(entry: AuditEntry): void {
  logger.info('audit entry appended', {
    subjectType: entry.subjectType,
    subjectId: entry.subjectId,
    seq: entry.seq,
    ...(entry.correlationId ? { correlation_id: entry.correlationId } : {}),
  });
}
