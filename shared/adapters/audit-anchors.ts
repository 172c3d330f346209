import { getObject, putObject } from '#adapters/aws-services';
import { requireEnv } from '#config/env';
import type { AuditAnchor, AuditHead, SubjectType } from '#domain/audit';

/**
 * Chain heads anchored outside the table (docs/DESIGN.md, the audit trail): one object per
 * subject in a versioned bucket under Object Lock (compliance mode), a new version per anchor.
 * Every version stays for the bucket's retention, whatever is written after it; the current
 * version is the latest anchor, which verification compares with the chain in the table.
 */
const bucket = requireEnv('AUDIT_ANCHORS_BUCKET');

export function anchorKey(type: SubjectType, id: string): string {
  return `heads/${type}/${encodeURIComponent(id)}.json`;
}

export async function putAnchor(type: SubjectType, id: string, head: AuditHead, now: Date): Promise<void> {
  const anchor: AuditAnchor = {
    subjectType: type,
    subjectId: id,
    seq: head.seq,
    hash: head.hash,
    anchoredAt: now.toISOString(),
  };
  await putObject({
    bucket,
    key: anchorKey(type, id),
    body: JSON.stringify(anchor),
    contentType: 'application/json',
  });
}

/** The latest anchor of a subject's chain, or undefined when it was never anchored. */
export async function getLatestAnchor(type: SubjectType, id: string): Promise<AuditAnchor | undefined> {
  try {
    const body = await getObject({ bucket, key: anchorKey(type, id) });
    const stored = JSON.parse(Buffer.from(body).toString('utf8')) as Partial<AuditAnchor>;
    return {
      subjectType: type,
      subjectId: id,
      seq: Number(stored.seq),
      hash: String(stored.hash),
      anchoredAt: String(stored.anchoredAt),
    };
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
