import type { RouteGroup } from '#http/routes/route';
import {
  WebhookAction,
  WebhookActionResult,
  WebhookBody,
  WebhookDetail,
  WebhookIdPath,
  WebhookList,
  WebhookQuery,
  WebhookView,
  WebhookWithSecret,
} from '#schemas/webhooks';

/**
 * The account's webhook endpoints (docs/webhooks.md), served by the function that also
 * delivers them (infra/constructs/webhooks.ts). Two paths, six methods: a rotated secret and a
 * resend are actions on the endpoint (`POST /v1/webhooks/{webhookId}`), and the delivery log
 * is paged inside the endpoint's own GET.
 */
export const WEBHOOKS = {
  listWebhooks: {
    method: 'GET',
    path: '/v1/webhooks',
    uses: ['table-read'],
    summary: 'The account’s webhook endpoints (at most 10); secrets are never shown again',
    ok: { status: 200, schema: WebhookList },
    errors: [],
  },
  getWebhook: {
    method: 'GET',
    path: '/v1/webhooks/{webhookId}',
    uses: ['table-read'],
    summary: 'A webhook endpoint with a page of its delivery log, newest first (limit default 20, cursor)',
    pathParams: WebhookIdPath,
    query: WebhookQuery,
    ok: { status: 200, schema: WebhookDetail },
    errors: ['NOT_FOUND'],
  },
  createWebhook: {
    method: 'POST',
    path: '/v1/webhooks',
    uses: ['table-write'],
    summary:
      'Register a webhook endpoint (https, public address; at most 10 per account); answers its signing secret, this once',
    body: WebhookBody,
    idempotent: true,
    ok: { status: 201, schema: WebhookWithSecret },
    errors: ['WEBHOOK_URL_NOT_ALLOWED', 'WEBHOOK_LIMIT_REACHED', 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  },
  updateWebhook: {
    method: 'PUT',
    path: '/v1/webhooks/{webhookId}',
    uses: ['table-write'],
    summary:
      'Replace a webhook endpoint’s URL, event types, description and enabled flag; enabling it again clears its failures',
    pathParams: WebhookIdPath,
    body: WebhookBody,
    ok: { status: 200, schema: WebhookView },
    errors: ['NOT_FOUND', 'WEBHOOK_URL_NOT_ALLOWED', 'CONFLICT'],
  },
  deleteWebhook: {
    method: 'DELETE',
    path: '/v1/webhooks/{webhookId}',
    uses: ['table-write'],
    summary: 'Delete a webhook endpoint; nothing more is delivered to it',
    pathParams: WebhookIdPath,
    ok: { status: 204 },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  webhookAction: {
    method: 'POST',
    path: '/v1/webhooks/{webhookId}',
    uses: ['table-write'],
    summary:
      '{action: "rotate-secret", overlapSeconds?} answers a new secret once (the old one signs too during the overlap); {action: "resend", deliveryId} attempts a delivery again',
    pathParams: WebhookIdPath,
    body: WebhookAction,
    ok: { status: 200, schema: WebhookActionResult },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
} satisfies RouteGroup;
