import { type InvoicingEntity, parseEntities } from '#config/entities';
import { requireEnv, requireIntEnv, requireOneOf } from '#config/env';
import type { ArrearsPolicy } from '#domain/invoiceable';

/**
 * Deployment settings (cdk.json context → Lambda environment). Read lazily per setting so a
 * function only needs the variables it uses, but each read fails fast with the name.
 */
export const settings = {
  entities: once((): InvoicingEntity[] => parseEntities(requireEnv('INVOICING_ENTITIES'))),
  /** "end-of-day" (24:00 Asia/Shanghai of the submission day, R24) or an ISO duration for local runs. */
  cancelWindow: once(() => requireEnv('CANCEL_WINDOW')),
  arrearsPolicy: once((): ArrearsPolicy => requireOneOf('ARREARS_POLICY', ['offset', 'block'] as const)),
  /** R23: "special-only" lets only special VAT invoices be on paper; "none" disables paper. */
  paperInvoices: once(() => requireOneOf('PAPER_INVOICES', ['special-only', 'none'] as const)),
  reviewThresholdFen: once(() => requireIntEnv('REVIEW_THRESHOLD_FEN')),
  expectedWorkingDays: once(() => requireIntEnv('EXPECTED_WORKING_DAYS')),
  paymentSyncDays: once(() => requireIntEnv('PAYMENT_SYNC_DAYS')),
  /** R28: where breached deadlines and failed deliveries are reported (finance staff's mailbox). */
  financeEmail: once(() => requireEnv('FINANCE_EMAIL')),
  /** R27: the public API root (custom domain), for download links in e-mails. */
  apiBaseUrl: once(() => requireEnv('API_BASE_URL').replace(/\/+$/, '')),
  /** R31: how long one invocation of the monthly run's shard task works before it hands on a cursor. */
  monthlyShardSeconds: once(() => requireIntEnv('MONTHLY_SHARD_SECONDS')),
  /** R31: opted-in accounts read per query of a shard, and processed at once within a page. */
  monthlyPageSize: once(() => requireIntEnv('MONTHLY_PAGE_SIZE')),
  monthlyAccountConcurrency: once(() => requireIntEnv('MONTHLY_ACCOUNT_CONCURRENCY')),
  /** R27: the most PDF bytes one e-mail carries before links are sent instead. */
  mailAttachmentLimitBytes: once(() => requireIntEnv('MAIL_ATTACHMENT_LIMIT_BYTES')),
};

export function entityById(entityId: string): InvoicingEntity | undefined {
  return settings.entities().find((e) => e.entityId === entityId);
}

function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    cached ??= { value: read() };
    return cached.value;
  };
}
