import { randomBytes, randomUUID } from 'node:crypto';
import { idempotentRequest, replay } from '#adapters/idempotency';
import { resolveAllowed, UrlNotAllowed } from '#adapters/webhook-http';
import {
  getDelivery,
  getWebhook,
  listDeliveries,
  putNewWebhook,
  listWebhooks as readWebhooks,
  deleteWebhook as removeWebhook,
  replaceWebhook,
  resendDelivery,
} from '#adapters/webhook-repository';
import * as settings from '#config/settings';
import { toShanghaiIso } from '#domain/calendar';
import {
  ConflictError,
  NotFoundError,
  WebhookLimitReachedError,
  WebhookUrlNotAllowedError,
} from '#domain/errors';
import { DEFAULT_SECRET_OVERLAP_SECONDS, type Delivery, MAX_WEBHOOKS, type Webhook } from '#domain/webhooks';
import { CursorId, cursorCodec } from '#schemas/cursor';
import type { WebhookAction, WebhookBody, WebhookQuery } from '#schemas/webhooks';
import * as z from '#schemas/zod';

/** Customer webhooks: `/v1/webhooks` (docs/API.md, docs/webhooks.md). */

const DEFAULT_PAGE = 20;
const cursor = cursorCodec('webhook-deliveries', z.object({ before: CursorId }));

const at = (iso: string | undefined) => (iso ? toShanghaiIso(new Date(iso)) : undefined);

/** The public shape: China time, never a secret. */
export function webhookView(webhook: Webhook) {
  return {
    webhookId: webhook.webhookId,
    url: webhook.url,
    events: webhook.events,
    description: webhook.description,
    enabled: webhook.enabled,
    createdAt: at(webhook.createdAt)!,
    updatedAt: at(webhook.updatedAt)!,
    secretRotatedAt: at(webhook.secretRotatedAt),
    previousSecretExpiresAt: at(webhook.previousSecretExpiresAt),
    consecutiveFailures: webhook.consecutiveFailures,
    lastSuccessAt: at(webhook.lastSuccessAt),
    lastFailureAt: at(webhook.lastFailureAt),
    disabledAt: at(webhook.disabledAt),
    disabledReason: webhook.disabledReason,
  };
}

export function deliveryView(delivery: Delivery) {
  return {
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    status: delivery.status,
    createdAt: at(delivery.createdAt)!,
    nextAttemptAt: delivery.status === 'pending' ? at(delivery.nextAttemptAt) : undefined,
    attempts: delivery.attempts.map((a) => ({ ...a, at: at(a.at)! })),
  };
}

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

/** The URL must be https and resolve only to public addresses (server-side request forgery). */
async function assertUrlAllowed(url: string): Promise<void> {
  try {
    await resolveAllowed(new URL(url), settings.webhooksAllowLoopback());
  } catch (error) {
    if (!(error instanceof UrlNotAllowed)) throw error;
    throw new WebhookUrlNotAllowedError(`The webhook URL ${error.message}.`, [
      { path: 'body.url', message: error.message },
    ]);
  }
}

export async function listWebhooks(accountId: string) {
  return { items: (await readWebhooks(accountId)).map(webhookView) };
}

async function existing(accountId: string, webhookId: string): Promise<Webhook> {
  const webhook = await getWebhook(accountId, webhookId);
  if (!webhook) throw new NotFoundError('No such webhook endpoint.');
  return webhook;
}

/** The endpoint and one page of its delivery log, newest first. */
export async function getWebhookDetail(accountId: string, webhookId: string, query: WebhookQuery) {
  const webhook = await existing(accountId, webhookId);
  const page = await listDeliveries(
    webhookId,
    query.limit ?? DEFAULT_PAGE,
    cursor.decode(query.cursor)?.before,
  );
  return {
    ...webhookView(webhook),
    deliveries: page.items.map(deliveryView),
    nextCursor: page.last ? cursor.encode({ before: page.last }) : undefined,
  };
}

/**
 * Registers an endpoint (at most MAX_WEBHOOKS per account) and answers its secret, this once.
 * A repeated Idempotency-Key answers the endpoint again without the secret: it is stored
 * nowhere but on the endpoint (rotate it if the first answer was lost).
 */
export async function createWebhook(
  accountId: string,
  body: WebhookBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ statusCode: number; body: unknown }> {
  const request = idempotentRequest(accountId, idempotencyKey, 'POST /v1/webhooks', body);
  const previous = await replay(request);
  if (previous) return previous;
  await assertUrlAllowed(body.url);
  const iso = now.toISOString();
  const webhook: Webhook = {
    accountId,
    webhookId: `whk_${randomUUID()}`,
    url: body.url,
    events: body.events,
    description: body.description,
    enabled: body.enabled ?? true,
    secret: newSecret(),
    consecutiveFailures: 0,
    createdAt: iso,
    updatedAt: iso,
  };
  const view = webhookView(webhook);
  let created: boolean;
  try {
    created = await putNewWebhook(
      webhook,
      request && { request, response: { statusCode: 201, body: view }, now },
    );
  } catch (error) {
    // The same key may have won a concurrent race: answer with its response.
    const raced = error instanceof ConflictError ? await replay(request) : undefined;
    if (raced) return raced;
    throw error;
  }
  if (!created)
    throw new WebhookLimitReachedError(
      `An account has at most ${MAX_WEBHOOKS} webhook endpoints; delete one before adding another.`,
    );
  return { statusCode: 201, body: { ...view, secret: webhook.secret } };
}

/** Replaces the endpoint's settings; turning it on again clears its failures. */
export async function updateWebhook(accountId: string, webhookId: string, body: WebhookBody, now: Date) {
  const current = await existing(accountId, webhookId);
  if (body.url !== current.url) await assertUrlAllowed(body.url);
  const enabled = body.enabled ?? true;
  const reenabled = enabled && !current.enabled;
  const next: Webhook = {
    ...current,
    url: body.url,
    events: body.events,
    description: body.description,
    enabled,
    updatedAt: now.toISOString(),
    ...(reenabled
      ? { consecutiveFailures: 0, failingSince: undefined, disabledAt: undefined, disabledReason: undefined }
      : {}),
  };
  await replaceWebhook(next, current.updatedAt);
  return webhookView(next);
}

export async function deleteWebhook(accountId: string, webhookId: string): Promise<void> {
  await existing(accountId, webhookId);
  try {
    await removeWebhook(accountId, webhookId);
  } catch (error) {
    // Deleted by a concurrent request meanwhile: the same outcome.
    if (error instanceof ConflictError && !(await getWebhook(accountId, webhookId))) return;
    throw error;
  }
}

/** `rotate-secret`: a new secret, answered once; the old one signs too for the overlap. `resend`: one delivery again. */
export async function webhookAction(accountId: string, webhookId: string, body: WebhookAction, now: Date) {
  const current = await existing(accountId, webhookId);
  if (body.action === 'rotate-secret') {
    const overlap = body.overlapSeconds ?? DEFAULT_SECRET_OVERLAP_SECONDS;
    const next: Webhook = {
      ...current,
      secret: newSecret(),
      previousSecret: overlap > 0 ? current.secret : undefined,
      previousSecretExpiresAt:
        overlap > 0 ? new Date(now.getTime() + overlap * 1000).toISOString() : undefined,
      secretRotatedAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await replaceWebhook(next, current.updatedAt);
    return { webhook: { ...webhookView(next), secret: next.secret } };
  }
  const delivery = await getDelivery(webhookId, body.deliveryId);
  if (!delivery || delivery.accountId !== accountId)
    throw new NotFoundError('No such delivery of this endpoint.');
  if (!current.enabled)
    throw new ConflictError(
      'The endpoint is disabled; turn it on (PUT with enabled: true) before resending.',
    );
  if (!(await resendDelivery(delivery, now)))
    throw new ConflictError('The delivery is still being attempted; wait for its outcome before resending.');
  const resent: Delivery = { ...delivery, status: 'pending', nextAttemptAt: now.toISOString() };
  return { delivery: deliveryView(resent) };
}
