import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '#domain/domain-events';
import { type ApiClient, clientFor, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import { type BundledFunctions, bundledFunctions, proxyEvent } from '../support/in-process.ts';
import { type Receiver, startReceiver, verifyWebhook } from '../support/webhook-receiver.ts';

/**
 * Customer webhooks (issue 14) against the shared local stack: endpoints registered through
 * the API, events handed to the webhooks function as EventBridge hands them over, the retry
 * run fired as its one-minute rule would, and a receiver of the test's own on 127.0.0.1.
 * (test/e2e/webhooks-bus.test.ts follows real events from an application's lifecycle.)
 */
const WEBHOOKS = 'functions/api/webhooks.ts';
let receiver: Receiver;
let fns: BundledFunctions;
let deployed: BundledFunctions;
let billing: ApiClient;

beforeAll(async () => {
  receiver = await startReceiver();
  // As the shared stack's functions run (global-setup): retries after 1 s, disabled after 3.
  fns = bundledFunctions({ WEBHOOK_RETRY_BASE_SECONDS: '1', WEBHOOK_DISABLE_AFTER_FAILURES: '3' });
  // The deployed setting: loopback refused like any private address.
  deployed = bundledFunctions({ WEBHOOKS_ALLOW_LOOPBACK: 'false' });
  billing = await clientFor('billing', ['billing-system']);
});
afterAll(async () => {
  await Promise.all([receiver.close(), fns.close(), deployed.close()]);
});

async function account(language: 'zh' | 'en' = 'en') {
  const accountId = uniqueId('hooks');
  const email = `${accountId}@example.com`;
  const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: 0,
    language,
    email,
  });
  expect(put.status).toBe(200);
  return { accountId, email, api: await clientFor(accountId) };
}

async function register(api: ApiClient, path: string, body: Record<string, unknown> = {}) {
  const created = await api.post('/v1/webhooks', { url: receiver.url(path), events: ['*'], ...body });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { webhookId: string; secret: string };
}

function domainEvent(accountId: string | undefined, type = 'invoice.issued') {
  return {
    id: `evt-${randomUUID()}`,
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    ...(accountId ? { accountId } : {}),
    data: { invoiceId: `inv_${randomUUID().slice(0, 8)}` },
  };
}

/** What the service's bus rule hands the function. */
const publish = (detail: ReturnType<typeof domainEvent>) =>
  fns.invoke(WEBHOOKS, {
    version: '0',
    id: randomUUID(),
    source: EVENT_SOURCE,
    'detail-type': detail.type,
    time: detail.occurredAt,
    detail,
  });

/** The one-minute rule's run of due retries and resends. */
const retryRun = () =>
  fns.invoke(WEBHOOKS, { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });

const detail = async (api: ApiClient, webhookId: string) => {
  const response = await api.get(`/v1/webhooks/${webhookId}`);
  expect(response.status).toBe(200);
  return response.body;
};

describe('webhook delivery', () => {
  it('POSTs the event signed; the signature verifies with the documented algorithm and fails for a changed body', async () => {
    const { accountId, api } = await account();
    const { webhookId, secret } = await register(api, '/signed');
    expect(secret).toMatch(/^whsec_/);
    const event = domainEvent(accountId);

    await publish(event);

    const [got] = receiver.received('/signed');
    expect(got).toBeDefined();
    expect(JSON.parse(got!.body)).toEqual(event);
    expect(got!.headers['content-type']).toBe('application/json');
    expect(got!.headers['webhook-id']).toMatch(/^dlv_/);
    expect(got!.headers['webhook-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(secret, got!.headers, got!.body)).toBe(true);
    expect(verifyWebhook(secret, got!.headers, got!.body.replace(event.data.invoiceId, 'inv_forged'))).toBe(
      false,
    );
    expect(verifyWebhook(`${secret}x`, got!.headers, got!.body)).toBe(false);
    const log = await detail(api, webhookId);
    expect(log.deliveries).toHaveLength(1);
    expect(log.deliveries[0]).toMatchObject({
      deliveryId: got!.headers['webhook-id'],
      eventId: event.id,
      eventType: 'invoice.issued',
      status: 'succeeded',
    });
    expect(log.deliveries[0].attempts).toEqual([
      expect.objectContaining({ statusCode: 200, responseExcerpt: 'ok', durationMs: expect.any(Number) }),
    ]);
    expect(log).not.toHaveProperty('secret');
  });

  it('delivers a duplicated event once, and only the subscribed types', async () => {
    const { accountId, api } = await account();
    await register(api, '/typed', { events: ['title.approved'] });
    const event = domainEvent(accountId, 'title.approved');
    await publish(event);
    await publish(event);
    await publish(domainEvent(accountId, 'invoice.issued'));
    expect(receiver.received('/typed').map((r) => JSON.parse(r.body).id)).toEqual([event.id]);
  });

  it('gives each account only its own events; an event without an account reaches nobody', async () => {
    const a = await account();
    const b = await account();
    await register(a.api, '/tenant-a');
    await register(b.api, '/tenant-b');
    const forA = domainEvent(a.accountId);
    const forB = domainEvent(b.accountId);

    await Promise.all([
      publish(forA),
      publish(forB),
      publish(domainEvent(undefined, 'monthly-run.completed')),
    ]);

    expect(receiver.received('/tenant-a').map((r) => JSON.parse(r.body).id)).toEqual([forA.id]);
    expect(receiver.received('/tenant-b').map((r) => JSON.parse(r.body).id)).toEqual([forB.id]);
  });

  it('retries a failing endpoint with the same delivery id, then disables it and e-mails the customer', async () => {
    const { accountId, email, api } = await account('en');
    receiver.answer('/failing', 503);
    const { webhookId } = await register(api, '/failing');

    await publish(domainEvent(accountId));
    const disabled = await waitFor(
      async () => {
        await retryRun();
        const now = await detail(api, webhookId);
        return now.enabled ? undefined : now;
      },
      'the endpoint to be disabled',
      30_000,
      500,
    );

    const attempts = receiver.received('/failing');
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(disabled.disabledReason).toMatch(/3 consecutive/);
    const [delivery] = disabled.deliveries;
    expect(delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 503]);
    expect(delivery.attempts[0].responseExcerpt).toBe('receiver says no');
    const mail = await waitFor(async () => (await sentMailTo(email))[0], 'the disabled-endpoint e-mail');
    expect(mail.subject).toBe(`Webhook endpoint disabled: ${receiver.url('/failing')}`);
    // The delivery is given up, not retried, while the endpoint is off.
    await retryRun();
    expect(receiver.received('/failing')).toHaveLength(3);
    expect((await detail(api, webhookId)).deliveries[0].status).toBe('failed');
  });

  it('resends one delivery with the same id, once the endpoint is on again', async () => {
    const { accountId, api } = await account();
    const { webhookId } = await register(api, '/resend');
    await publish(domainEvent(accountId));
    const [first] = receiver.received('/resend');
    const deliveryId = first!.headers['webhook-id'] as string;

    const resent = await api.post(`/v1/webhooks/${webhookId}`, { action: 'resend', deliveryId });
    expect(resent.status).toBe(200);
    expect(resent.body.delivery).toMatchObject({ deliveryId, status: 'pending' });
    await retryRun();

    const both = receiver.received('/resend');
    expect(both).toHaveLength(2);
    expect(both[1]!.headers['webhook-id']).toBe(deliveryId);
    expect(both[1]!.body).toBe(first!.body);
    const log = await detail(api, webhookId);
    expect(log.deliveries[0].attempts).toHaveLength(2);
    const unknown = await api.post(`/v1/webhooks/${webhookId}`, { action: 'resend', deliveryId: 'dlv_nope' });
    expect(unknown.status).toBe(404);
  });

  it('signs with both secrets during a rotation’s overlap, and with the new one only after it', async () => {
    const { accountId, api } = await account();
    const { webhookId, secret: old } = await register(api, '/rotated');
    const rotated = await api.post(`/v1/webhooks/${webhookId}`, {
      action: 'rotate-secret',
      overlapSeconds: 3600,
    });
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.webhook.secret as string;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);
    expect(rotated.body.webhook.previousSecretExpiresAt).toBeDefined();

    await publish(domainEvent(accountId));
    const [during] = receiver.received('/rotated');
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyWebhook(fresh, during!.headers, during!.body)).toBe(true);
    expect(verifyWebhook(old, during!.headers, during!.body)).toBe(true);

    // No overlap: the old secret stops at once.
    const again = await api.post(`/v1/webhooks/${webhookId}`, { action: 'rotate-secret', overlapSeconds: 0 });
    const newest = again.body.webhook.secret as string;
    await publish(domainEvent(accountId));
    const after = receiver.received('/rotated')[1]!;
    expect(verifyWebhook(newest, after.headers, after.body)).toBe(true);
    expect(verifyWebhook(fresh, after.headers, after.body)).toBe(false);
    expect(JSON.stringify((await api.get('/v1/webhooks')).body)).not.toContain(newest);
  });
});

describe('webhook endpoints', () => {
  it('are listed, changed and deleted; the secret is never shown again', async () => {
    const { api } = await account();
    const { webhookId, secret } = await register(api, '/crud', { description: 'ERP' });
    const listed = await api.get('/v1/webhooks');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ webhookId, description: 'ERP', enabled: true }),
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const put = await api.put(`/v1/webhooks/${webhookId}`, {
      url: receiver.url('/crud2'),
      events: ['invoice.issued', 'invoice.shipped'],
      enabled: false,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      url: receiver.url('/crud2'),
      events: ['invoice.issued', 'invoice.shipped'],
    });
    expect(put.body).not.toHaveProperty('secret');

    expect((await api.request('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(204);
    expect((await api.get(`/v1/webhooks/${webhookId}`)).status).toBe(404);
    expect((await api.request('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(404);
  });

  it('are not another account’s to read or change', async () => {
    const owner = await account();
    const other = await account();
    const { webhookId } = await register(owner.api, '/owned');
    expect((await other.api.get(`/v1/webhooks/${webhookId}`)).status).toBe(404);
    expect((await other.api.request('DELETE', `/v1/webhooks/${webhookId}`)).status).toBe(404);
    expect((await other.api.post(`/v1/webhooks/${webhookId}`, { action: 'rotate-secret' })).status).toBe(404);
    expect((await other.api.get('/v1/webhooks')).body.items).toEqual([]);
  });

  it('are at most 10 per account: the 11th is 422 WEBHOOK_LIMIT_REACHED', async () => {
    const { api } = await account();
    for (let i = 0; i < 10; i++) await register(api, `/limit-${i}`);
    const eleventh = await api.post('/v1/webhooks', { url: receiver.url('/limit-10'), events: ['*'] });
    expect(eleventh.status).toBe(422);
    expect(eleventh.body.code).toBe('WEBHOOK_LIMIT_REACHED');
    expect((await api.get('/v1/webhooks')).body.items).toHaveLength(10);
  });

  it('answers a repeated Idempotency-Key with the same endpoint, without its secret', async () => {
    const { api } = await account();
    const body = { url: receiver.url('/idem'), events: ['*'] };
    const first = await api.post('/v1/webhooks', body, { 'idempotency-key': 'hook-1' });
    const again = await api.post('/v1/webhooks', body, { 'idempotency-key': 'hook-1' });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.webhookId).toBe(first.body.webhookId);
    expect(again.body).not.toHaveProperty('secret');
    expect((await api.get('/v1/webhooks')).body.items).toHaveLength(1);
  });

  it.each([
    ['https://10.0.0.7/hook', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'private'],
    ['https://[fd00::1]/hook', 'private'],
    ['http://hooks.example.com/hook', 'https'],
    ['https://localhost/hook', 'public host'],
  ])('refuses %s with 422 WEBHOOK_URL_NOT_ALLOWED, even locally', async (url, why) => {
    const { api } = await account();
    const refused = await api.post('/v1/webhooks', { url, events: ['*'] });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    expect(refused.body.errors[0]).toMatchObject({ path: 'body.url' });
    expect(refused.body.errors[0].message).toContain(why);
    expect((await api.get('/v1/webhooks')).body.items).toEqual([]);
  });

  it('refuses bad bodies with 400 VALIDATION_FAILED', async () => {
    const { api } = await account();
    for (const body of [
      { url: receiver.url('/bad'), events: [] },
      { url: receiver.url('/bad'), events: ['invoice.eaten'] },
      { url: receiver.url('/bad'), events: ['*', 'invoice.issued'] },
      { url: 'not a url', events: ['*'] },
    ]) {
      const response = await api.post('/v1/webhooks', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('the deployed setting (invoice:webhooksAllowLoopback false)', () => {
  it('refuses a loopback endpoint at registration', async () => {
    const { accountId } = await account();
    for (const url of ['http://127.0.0.1:8080/hook', 'https://127.0.0.1/hook', 'https://[::1]/hook']) {
      const response = await deployed.invoke(
        WEBHOOKS,
        proxyEvent('POST', '/v1/webhooks', accountId, { body: { url, events: ['*'] } }),
      );
      expect(response.statusCode, url).toBe(422);
      expect(JSON.parse(response.body).code).toBe('WEBHOOK_URL_NOT_ALLOWED');
    }
  });

  it('does not connect to an endpoint that resolves to loopback at delivery time', async () => {
    const { accountId, api } = await account();
    const { webhookId } = await register(api, '/rebound');
    const event = domainEvent(accountId);
    await deployed.invoke(WEBHOOKS, { source: EVENT_SOURCE, 'detail-type': event.type, detail: event });
    expect(receiver.received('/rebound')).toEqual([]);
    const [delivery] = (await detail(api, webhookId)).deliveries;
    expect(delivery.attempts[0].error).toMatch(/^not sent: the URL must use https/);
    expect(delivery.attempts[0]).not.toHaveProperty('statusCode');
  });
});
