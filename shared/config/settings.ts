import { type InvoicingEntity, parseEntities } from '#config/entities';
import { requireEnv, requireIntEnv, requireOneOf } from '#config/env';
import type { ArrearsPolicy } from '#domain/invoiceable';

/*
 * Deployment settings (cdk.json context → Lambda environment). Read lazily per setting so a
 * function only needs the variables it uses, but each read fails fast with the name. Import
 * the module as a namespace (`import * as settings`) and each export is pure: the bundler drops
 * the settings a function never reads, so its bundle names exactly the variables it needs
 * (infra gives each function only those; test/infra checks both agree).
 */

export const entities = /* @__PURE__ */ once((): InvoicingEntity[] =>
  parseEntities(requireEnv('INVOICING_ENTITIES')),
);
/** "end-of-day" (24:00 Asia/Shanghai of the submission day, R24) or an ISO duration for local runs. */
export const cancelWindow = /* @__PURE__ */ once(() => requireEnv('CANCEL_WINDOW'));
export const arrearsPolicy = /* @__PURE__ */ once(
  (): ArrearsPolicy => requireOneOf('ARREARS_POLICY', ['offset', 'block'] as const),
);
/** R23: "special-only" lets only special VAT invoices be on paper; "none" disables paper. */
export const paperInvoices = /* @__PURE__ */ once(() =>
  requireOneOf('PAPER_INVOICES', ['special-only', 'none'] as const),
);
export const reviewThresholdFen = /* @__PURE__ */ once(() => requireIntEnv('REVIEW_THRESHOLD_FEN'));
export const expectedWorkingDays = /* @__PURE__ */ once(() => requireIntEnv('EXPECTED_WORKING_DAYS'));
export const paymentSyncDays = /* @__PURE__ */ once(() => requireIntEnv('PAYMENT_SYNC_DAYS'));
/** R28: where breached deadlines and failed deliveries are reported (finance staff's mailbox). */
export const financeEmail = /* @__PURE__ */ once(() => requireEnv('FINANCE_EMAIL'));
/**
 * R27: how long the download link of a PDF too large to attach stays valid, in seconds (a
 * pre-signed S3 URL; SigV4 allows at most 7 days, and a link signed with the function's role
 * session ends with that session at the latest: docs/DESIGN.md).
 */
export const downloadLinkSeconds = /* @__PURE__ */ once(() => requireIntEnv('DOWNLOAD_LINK_SECONDS'));
/**
 * The console's address (served from the API's origin), for links in e-mails; empty when the
 * deployment has no console, and the e-mails then carry no links.
 */
export const consoleUrl = /* @__PURE__ */ once(
  () => process.env.CONSOLE_URL?.trim().replace(/\/+$/, '') || undefined,
);
/** R31: how long one invocation of the monthly run's shard task works before it hands on a cursor. */
export const monthlyShardSeconds = /* @__PURE__ */ once(() => requireIntEnv('MONTHLY_SHARD_SECONDS'));
/** R31: opted-in accounts read per query of a shard, and processed at once within a page. */
export const monthlyPageSize = /* @__PURE__ */ once(() => requireIntEnv('MONTHLY_PAGE_SIZE'));
export const monthlyAccountConcurrency = /* @__PURE__ */ once(() =>
  requireIntEnv('MONTHLY_ACCOUNT_CONCURRENCY'),
);
/** R27: the most PDF bytes one e-mail carries before links are sent instead. */
export const mailAttachmentLimitBytes = /* @__PURE__ */ once(() =>
  requireIntEnv('MAIL_ATTACHMENT_LIMIT_BYTES'),
);

/** Webhooks may reach loopback addresses (http://127.0.0.1): the local stack only, never deployed. */
export const webhooksAllowLoopback = /* @__PURE__ */ once(
  () => requireOneOf('WEBHOOKS_ALLOW_LOOPBACK', ['true', 'false'] as const) === 'true',
);
/** The first retry's delay of a failed webhook delivery; each next one doubles (docs/webhooks.md). */
export const webhookRetryBaseSeconds = /* @__PURE__ */ once(() =>
  requireIntEnv('WEBHOOK_RETRY_BASE_SECONDS'),
);
/** Failed attempts in a row after which a webhook endpoint is disabled. */
export const webhookDisableAfterFailures = /* @__PURE__ */ once(() =>
  requireIntEnv('WEBHOOK_DISABLE_AFTER_FAILURES'),
);
/**
 * Which tax platform adapter issues invoices (docs/tax-platform.md): "simulator" (numbers from
 * the entity's counter, answered at once) or the base URL of a provider's HTTP API.
 */
export const taxPlatform = /* @__PURE__ */ once((): string => {
  const value = requireEnv('TAX_PLATFORM');
  if (value !== 'simulator' && !/^https?:\/\/\S+$/.test(value))
    throw new Error(
      `Environment variable TAX_PLATFORM must be "simulator" or a provider URL, got "${value}"`,
    );
  return value;
});

export function entityById(entityId: string): InvoicingEntity | undefined {
  return entities().find((e) => e.entityId === entityId);
}

function once<T>(read: () => T): () => T {
  let cached: { value: T } | undefined;
  return () => {
    cached ??= { value: read() };
    return cached.value;
  };
}
