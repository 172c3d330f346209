import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { getApplication } from '#adapters/application-repository';
import {
  appendAuditEntry,
  getAuditHead,
  listAuditEntries,
  readAuditTrail,
  type SubjectChange,
  subjectChangeOf,
} from '#adapters/audit-repository';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import {
  type AuditEntry,
  type AuditHead,
  describeChange,
  isAfter,
  nextEntry,
  type SubjectType,
  verifyChain,
} from '#domain/audit';
import { toShanghaiIso } from '#domain/calendar';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors';
import type { AuditEntryView, AuditQuery, AuditTrailView, AuditVerificationView } from '#schemas/audit';

const APPEND_ATTEMPTS = 4;
const DEFAULT_PAGE = 100;

/**
 * The table stream's consumer: appends an entry per audited change, in stream order per
 * subject (subjects in parallel). A record at or before the subject's head was applied already
 * (a redelivered batch) and is skipped, so redelivery never duplicates an entry. When a
 * subject's record fails, its later records wait: the answer names the first failure so Lambda
 * retries from there (ReportBatchItemFailures), and what was appended meanwhile is skipped then.
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
  const failed = await Promise.all([...bySubject.values()].map(appendInOrder));
  return {
    batchItemFailures: failed
      .filter((sequence) => sequence !== undefined)
      .map((itemIdentifier) => ({ itemIdentifier })),
  };
}

/** Appends a subject's changes in order; returns the sequence number of the first that failed. */
async function appendInOrder(changes: SubjectChange[]): Promise<string | undefined> {
  let head: AuditHead | undefined;
  let headRead = false;
  for (const change of changes) {
    try {
      if (!headRead) {
        head = await getAuditHead(change.subject.type, change.subject.id);
        headRead = true;
      }
      head = await appendOne(change, head);
    } catch (error) {
      logger.error('audit entry not appended', {
        subjectType: change.subject.type,
        subjectId: change.subject.id,
        sequence: change.sequence,
        error: error as Error,
      });
      return change.sequence;
    }
  }
  return undefined;
}

async function appendOne(change: SubjectChange, head: AuditHead | undefined): Promise<AuditHead | undefined> {
  let current = head;
  for (let attempt = 1; ; attempt++) {
    if (current && !isAfter(change.sequence, current.streamSequence)) return current;
    const described = describeChange(change.subject, change.change);
    if (!described) return current;
    const entry = nextEntry(current, change.subject, described, change.sequence);
    try {
      await appendAuditEntry(entry, current);
      return { seq: entry.seq, hash: entry.hash, streamSequence: entry.streamSequence };
    } catch (error) {
      // Another consumer moved the head (only when two pollers overlap): read it and go on.
      if (!(error instanceof ConflictError) || attempt >= APPEND_ATTEMPTS) throw error;
      current = await getAuditHead(change.subject.type, change.subject.id);
    }
  }
}

/** GET /v1/applications/{applicationId}/audit: the owner only; anyone else gets 404. */
export async function applicationAuditFor(
  accountId: string,
  applicationId: string,
  query: AuditQuery,
): Promise<AuditTrailView> {
  const application = await getApplication(applicationId);
  if (!application || application.accountId !== accountId)
    throw new NotFoundError(`No application ${applicationId}.`);
  return trailPage('application', applicationId, query);
}

/** GET /v1/invoices/{invoiceId}/audit: the owner only; anyone else gets 404. */
export async function invoiceAuditFor(
  accountId: string,
  invoiceId: string,
  query: AuditQuery,
): Promise<AuditTrailView> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice || invoice.accountId !== accountId) throw new NotFoundError(`No invoice ${invoiceId}.`);
  return trailPage('invoice', invoiceId, query);
}

async function trailPage(type: SubjectType, id: string, query: AuditQuery): Promise<AuditTrailView> {
  const page = await listAuditEntries(type, id, query.limit ?? DEFAULT_PAGE, decodeCursor(query.cursor));
  return {
    items: page.entries.map(auditEntryView),
    ...(page.lastSeq === undefined ? {} : { nextCursor: encodeCursor(page.lastSeq) }),
  };
}

export function auditEntryView(entry: AuditEntry): AuditEntryView {
  return {
    seq: entry.seq,
    at: toShanghaiIso(new Date(entry.at)),
    actor: entry.actor,
    action: entry.action,
    ...(entry.reason === undefined ? {} : { reason: entry.reason }),
    hash: entry.hash,
    previousHash: entry.previousHash,
  };
}

/**
 * GET /v1/admin/audit/{subjectType}/{subjectId}/verify (finance): recomputes the subject's
 * chain from what is stored. 404 when the subject has no trail at all.
 */
export async function verifyAuditTrail(type: SubjectType, id: string): Promise<AuditVerificationView> {
  const { entries, head } = await readAuditTrail(type, id);
  if (entries.length === 0 && !head) throw new NotFoundError(`No audit trail for ${type} ${id}.`);
  const result = verifyChain(entries, head);
  if (!result.ok)
    logger.warn('audit chain verification failed', {
      subjectType: type,
      subjectId: id,
      problems: result.problems.length,
    });
  return {
    subjectType: type,
    subjectId: id,
    ...result,
    ...(head ? { head: { seq: head.seq, hash: head.hash } } : {}),
  };
}

const encodeCursor = (seq: number) => Buffer.from(`seq:${seq}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const match = /^seq:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) {
    throw new ValidationError('The cursor is not one this endpoint gave out.', [
      { path: 'query.cursor', message: 'is not a cursor from a previous page' },
    ]);
  }
  return Number(match[1]);
}
