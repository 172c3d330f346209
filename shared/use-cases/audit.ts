import { getApplication } from '#adapters/application-repository';
import { listAuditEntries, readAuditTrail } from '#adapters/audit-repository';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { type AuditEntry, type SubjectType, verifyChain } from '#domain/audit';
import { toShanghaiIso } from '#domain/calendar';
import { NotFoundError, ValidationError } from '#domain/errors';
import type { AuditEntryView, AuditQuery, AuditTrailView, AuditVerificationView } from '#schemas/audit';

/** Reading and verifying trails; the stream consumer that writes them is #use-cases/audit-recorder. */
const DEFAULT_PAGE = 100;

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
