import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { putAnchor } from '#adapters/audit-anchors';
import {
  appendAuditEntry,
  getAuditHead,
  type SubjectChange,
  subjectChangeOf,
} from '#adapters/audit-repository';
import { isAfter } from '#adapters/audit-stream';
import { logger } from '#adapters/logger';
import { type AuditHead, describeChange, nextEntry } from '#domain/audit';
import { ConflictError } from '#domain/errors';

const APPEND_ATTEMPTS = 4;

/**
 * The table stream's consumer: appends an entry per audited change, in stream order per
 * subject (subjects in parallel). A record at or before the subject's head was applied already
 * (a redelivered batch) and is skipped, so redelivery never duplicates an entry. When a
 * subject's record fails, its later records wait: the answer names the first failure so Lambda
 * retries from there (ReportBatchItemFailures), and what was appended meanwhile is skipped then.
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
    const key = `${change.subject.type}#${change.subject.id}`;
    bySubject.set(key, [...(bySubject.get(key) ?? []), change]);
  }
  const failed = await Promise.all([...bySubject.values()].map(recordSubject));
  return {
    batchItemFailures: failed
      .filter((sequence) => sequence !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}

/** Appends a subject's changes and anchors its head; the sequence number of the first failure. */
async function recordSubject(changes: SubjectChange[]): Promise<string | undefined> {
  const { failed, head, reached } = await appendInOrder(changes);
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
 * Appends a subject's changes in order: the sequence number of the first that failed, the head
 * after them, and whether any change reached the chain (appended now or before, on an earlier
 * delivery): only then is there a head to anchor.
 */
async function appendInOrder(
  changes: SubjectChange[],
): Promise<{ failed?: string; head?: AuditHead; reached: boolean }> {
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
    if (current && !isAfter(change.sequence, current.streamSequence)) return current;
    const described = describeChange(change.subject, change.change);
    if (!described) return current;
    const entry = nextEntry(current, change.subject, described, change.sequence);
    const image = change.change.newImage ?? change.change.oldImage;
    const correlationId = typeof image?.correlationId === 'string' ? image.correlationId : undefined;
    try {
      await appendAuditEntry(correlationId ? { ...entry, correlationId } : entry, current);
      logger.info('audit entry appended', {
        subjectType: entry.subjectType,
        subjectId: entry.subjectId,
        seq: entry.seq,
        ...(correlationId ? { correlation_id: correlationId } : {}),
      });
      return { seq: entry.seq, hash: entry.hash, streamSequence: entry.streamSequence };
    } catch (error) {
      // Another consumer moved the head (only when two pollers overlap): read it and go on.
      if (!(error instanceof ConflictError) || attempt >= APPEND_ATTEMPTS) throw error;
      current = await getAuditHead(change.subject.type, change.subject.id);
    }
  }
}
