import { getAccount } from '#adapters/account-repository';
import { logger } from '#adapters/logger';
import { isSuppressed } from '#adapters/mail-suppression';
import { sendNotice } from '#adapters/notice-mail';
import { postWebhook, resolveAllowed, UrlNotAllowed } from '#adapters/webhook-http';
import {
  abandonDelivery,
  claimDelivery,
  disableWebhook,
  dueDeliveries,
  getWebhook,
  listWebhooks,
  putNewDelivery,
  recordAttempt,
  recordEndpointOutcome,
} from '#adapters/webhook-repository';
import * as settings from '#config/settings';
import type { DomainEvent } from '#domain/domain-events';
import { webhookDisabledEmail } from '#domain/webhook-notifications';
import {
  type Delivery,
  type DeliveryAttempt,
  deliveryIdFor,
  HEADERS,
  nextAttemptAt,
  recipients,
  shouldDisable,
  signatureHeader,
  signingSecrets,
  type Webhook,
} from '#domain/webhooks';

/**
 * Webhook delivery (docs/webhooks.md): the dispatcher function runs `dispatchEvent` for every
 * domain event on the bus and `deliverDue` every minute for retries and resends. Each delivery
 * is attempted by whoever claims it (a lease on the due list), recorded in its log, and
 * retried with exponential backoff until 24 hours after its first attempt; an endpoint that
 * keeps failing is disabled and its account told by e-mail.
 */

/** The HTTP call's limit: connection, request and answer together. */
export const ATTEMPT_TIMEOUT_MS = 5000;
/** How long a claimed delivery stays off the due list while its attempt runs. */
const LEASE_MS = ATTEMPT_TIMEOUT_MS + 55_000;
const CONCURRENCY = 8;
/** How long one periodic run starts new attempts. */
const RUN_MS = 40_000;

export interface DispatchResult {
  deliveries: number;
  succeeded: number;
  failed: number;
}

/**
 * One domain event: a delivery for each of its account's enabled endpoints subscribed to its
 * type, attempted at once. An event without an account reaches no customer; a duplicated
 * event finds its deliveries written and attempts nothing again.
 */
export async function dispatchEvent(event: DomainEvent, now: Date): Promise<DispatchResult> {
  const result: DispatchResult = { deliveries: 0, succeeded: 0, failed: 0 };
  if (!event.accountId) return result;
  const targets = recipients(event, await listWebhooks(event.accountId));
  const body = JSON.stringify(event);
  const iso = now.toISOString();
  await Promise.all(
    targets.map(async (webhook) => {
      const delivery: Delivery = {
        deliveryId: deliveryIdFor(event, webhook.webhookId),
        webhookId: webhook.webhookId,
        accountId: webhook.accountId,
        eventId: event.id,
        eventType: event.type,
        body,
        status: 'pending',
        attempts: [],
        firstAttemptAt: iso,
        // Written claimed: due again only if this attempt is never recorded.
        nextAttemptAt: new Date(now.getTime() + LEASE_MS).toISOString(),
        createdAt: iso,
      };
      if (!(await putNewDelivery(delivery))) return;
      result.deliveries++;
      const ok = await attempt(delivery, webhook, now, true);
      if (ok !== undefined) result[ok ? 'succeeded' : 'failed']++;
    }),
  );
  return result;
}

/** Retries and resends that are due: at most `limit` per run, the next run takes the rest. */
export async function deliverDue(now: Date, limit = 200): Promise<DispatchResult> {
  const result: DispatchResult = { deliveries: 0, succeeded: 0, failed: 0 };
  const due = await dueDeliveries(now, limit);
  const endpoints = new Map<string, Promise<Webhook | undefined>>();
  const endpoint = (d: Delivery) => {
    let found = endpoints.get(d.webhookId);
    if (!found) {
      found = getWebhook(d.accountId, d.webhookId);
      endpoints.set(d.webhookId, found);
    }
    return found;
  };
  const queue = [...due];
  // Leave time to record the attempts under way before the function's 60-second limit; what
  // is left stays due for the next run.
  const stopAt = Date.now() + RUN_MS;
  const work = async () => {
    for (let delivery = queue.shift(); delivery && Date.now() < stopAt; delivery = queue.shift()) {
      const webhook = await endpoint(delivery);
      if (!webhook?.enabled) {
        await abandonDelivery(delivery);
        continue;
      }
      result.deliveries++;
      const ok = await attempt(delivery, webhook, new Date());
      if (ok !== undefined) result[ok ? 'succeeded' : 'failed']++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, work));
  return result;
}

/** One attempt of a claimed delivery; undefined when another run had claimed it. */
async function attempt(
  delivery: Delivery,
  webhook: Webhook,
  now: Date,
  claimed = false,
): Promise<boolean | undefined> {
  if (!claimed && !(await claimDelivery(delivery, now, LEASE_MS))) return undefined;
  const sent = await send(delivery, webhook);
  const ok = sent.statusCode !== undefined && sent.statusCode >= 200 && sent.statusCode < 300;
  const done = new Date();
  const record: DeliveryAttempt = { at: done.toISOString(), ...sent };
  // The endpoint first: one that this failure disables (or that is gone) is not retried.
  const updated = quietSuccess(webhook, ok, done)
    ? webhook
    : await recordEndpointOutcome(webhook, ok, record.at);
  let retry = updated?.enabled === true;
  if (!ok && updated?.enabled) {
    const reason = shouldDisable(updated, done, settings.webhookDisableAfterFailures());
    if (reason) {
      retry = false;
      if (await disableWebhook(updated, reason, record.at)) await tellDisabled(updated, reason);
    }
  }
  if (ok) await recordAttempt(delivery, record, { status: 'succeeded' });
  else {
    const failedInSeries = delivery.attempts.filter((a) => a.at >= delivery.firstAttemptAt).length + 1;
    const next = retry
      ? nextAttemptAt(
          new Date(delivery.firstAttemptAt),
          failedInSeries,
          done,
          settings.webhookRetryBaseSeconds() * 1000,
        )
      : undefined;
    await recordAttempt(
      delivery,
      record,
      next ? { status: 'pending', nextAttemptAt: next.toISOString() } : { status: 'failed' },
    );
  }
  logger.info('webhook attempt', {
    deliveryId: delivery.deliveryId,
    webhookId: webhook.webhookId,
    statusCode: sent.statusCode,
    durationMs: sent.durationMs,
    ok,
  });
  return ok;
}

/**
 * A success of an endpoint with no failures to clear whose last success is recorded within the
 * minute changes nothing worth a write: `lastSuccessAt` is kept to the minute.
 */
function quietSuccess(webhook: Webhook, ok: boolean, now: Date): boolean {
  return (
    ok &&
    webhook.consecutiveFailures === 0 &&
    webhook.failingSince === undefined &&
    webhook.lastSuccessAt !== undefined &&
    now.getTime() - Date.parse(webhook.lastSuccessAt) < 60_000
  );
}

/**
 * The POST itself, to an address checked now (not only at registration: a name may resolve
 * elsewhere since), signed with every secret in force.
 */
async function send(delivery: Delivery, webhook: Webhook): Promise<Omit<DeliveryAttempt, 'at'>> {
  const url = new URL(webhook.url);
  let addresses: string[];
  try {
    addresses = await resolveAllowed(url, settings.webhooksAllowLoopback());
  } catch (error) {
    if (!(error instanceof UrlNotAllowed)) throw error;
    return { durationMs: 0, error: `not sent: the URL ${error.message}` };
  }
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    [HEADERS.id]: delivery.deliveryId,
    [HEADERS.timestamp]: String(timestamp),
    [HEADERS.signature]: signatureHeader(signingSecrets(webhook, new Date()), timestamp, delivery.body),
  };
  return postWebhook(url, addresses[0]!, headers, delivery.body, ATTEMPT_TIMEOUT_MS);
}

async function tellDisabled(webhook: Webhook, reason: string): Promise<void> {
  const account = await getAccount(webhook.accountId);
  if (!account?.email) {
    logger.warn('webhook disabled; the account has no e-mail address', { webhookId: webhook.webhookId });
    return;
  }
  if (await isSuppressed(webhook.accountId, account.email)) {
    logger.warn('webhook disabled; the address bounced or complained', { webhookId: webhook.webhookId });
    return;
  }
  const content = webhookDisabledEmail(account.language ?? 'zh', webhook, reason);
  await sendNotice(account.email, content, webhook.accountId);
}
