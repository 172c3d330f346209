import { getApplication } from '#adapters/application-repository';
import { getLatestAnchor } from '#adapters/audit-anchors';
import { listAuditEntries, readAuditTrail } from '#adapters/audit-repository';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { type AuditEntry, checkAnchor, type SubjectType, verifyChain } from '#domain/audit';
import { toShanghaiIso } from '#domain/calendar';
import { NotFoundError } from '#domain/errors';
import type { AuditEntryView, AuditQuery, AuditTrailView, AuditVerificationView } from '#schemas/audit';
import { cursorCodec } from '#schemas/cursor';
import * as z from '#schemas/zod';

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
  const page = await listAuditEntries(
    type,
    id,
    query.limit ?? DEFAULT_PAGE,
    cursor.decode(query.cursor)?.after,
  );
  return {
    items: page.entries.map(auditEntryView),
    ...(page.lastSeq === undefined ? {} : { nextCursor: cursor.encode({ after: page.lastSeq }) }),
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
 * chain from what is stored and compares it with its latest anchor outside the table. 404 when
 * the subject has no trail at all.
 */
export async function verifyAuditTrail(type: SubjectType, id: string): Promise<AuditVerificationView> {
  // The anchor first: an append between the two reads then only puts the head ahead of it.
  const anchor = await getLatestAnchor(type, id);
  const { entries, head } = await readAuditTrail(type, id);
  if (entries.length === 0 && !head) throw new NotFoundError(`No audit trail for ${type} ${id}.`);
  const chain = verifyChain(entries, head);
  const problems = [...chain.problems, ...checkAnchor(entries, anchor)];
  const result = { ok: problems.length === 0, entries: chain.entries, problems };
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
    ...(anchor
      ? {
          anchor: {
            seq: anchor.seq,
            hash: anchor.hash,
            anchoredAt: toShanghaiIso(new Date(anchor.anchoredAt)),
          },
        }
      : {}),
  };
}

const cursor = cursorCodec(
  'audit',
  z.object({ after: z.int().check(z.gte(1), z.lte(Number.MAX_SAFE_INTEGER)) }),
);
