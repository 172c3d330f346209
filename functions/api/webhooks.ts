import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { api, json } from '#http/handler';
import { WEBHOOKS } from '#http/routes/webhooks';
import {
  createWebhook,
  deleteWebhook,
  getWebhookDetail,
  listWebhooks,
  updateWebhook,
  webhookAction,
} from '#use-cases/webhooks';
import { handler as dispatch } from '../webhooks/dispatch.ts';

const http = api(WEBHOOKS, {
  listWebhooks: async ({ accountId }) => json(200, await listWebhooks(accountId)),
  getWebhook: async ({ accountId, path, query }) =>
    json(200, await getWebhookDetail(accountId, path.webhookId, query)),
  createWebhook: async ({ accountId, body, headers, now }) => {
    const result = await createWebhook(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
  updateWebhook: async ({ accountId, path, body, now }) =>
    json(200, await updateWebhook(accountId, path.webhookId, body, now)),
  deleteWebhook: async ({ accountId, path }) => {
    await deleteWebhook(accountId, path.webhookId);
    return json(204, undefined);
  },
  webhookAction: async ({ accountId, path, body, now }) =>
    json(200, await webhookAction(accountId, path.webhookId, body, now)),
});

/**
 * The webhooks context's one function (infra/constructs/webhooks.ts): API Gateway's requests
 * for `/v1/webhooks`, and EventBridge's domain events and scheduled runs for delivery.
 */
export const handler = (event: unknown, context: Context) =>
  typeof event === 'object' && event !== null && 'httpMethod' in event
    ? http(event as APIGatewayProxyEvent, context)
    : dispatch(event as Parameters<typeof dispatch>[0], context);
