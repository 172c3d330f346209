import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, clientFor, givenAccount, order, uniqueId, waitFor } from '../support/api.ts';
import { type Receiver, startReceiver, verifyWebhook } from '../support/webhook-receiver.ts';

/**
 * Customer webhooks through the whole chain of the shared local stack: an application's
 * lifecycle changes the table, the table-facts consumer puts one event per fact on the
 * service's bus, the bus rule invokes the webhooks function, and the customer's endpoint
 * (a receiver of the test's own) gets each event signed — and only its own account's.
 */
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
});

async function customer() {
  const accountId = uniqueId('bus-hooks');
  await givenAccount(accountId, {
    records: [order(uniqueId('o'), { cashAmount: 10_600, paidAt: '2026-10-05T10:00:00+08:00' })],
  });
  const api = await clientFor(accountId);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  const hook = await api.post('/v1/webhooks', {
    url: receiver.url(`/${accountId}`),
    events: ['application.submitted', 'application.delivered', 'invoice.issued'],
  });
  expect(hook.status).toBe(201);
  return { accountId, api, titleId: title.body.titleId as string, secret: hook.body.secret as string };
}

const apply = (api: ApiClient, accountId: string, titleId: string) =>
  api.post('/v1/applications', {
    mode: 'amount',
    amount: 10_600,
    titleId,
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
  });

describe('webhooks on the service bus', () => {
  it('deliver an application’s lifecycle, signed, each account only its own events', async () => {
    const a = await customer();
    const b = await customer();

    const [appA, appB] = await Promise.all([
      apply(a.api, a.accountId, a.titleId),
      apply(b.api, b.accountId, b.titleId),
    ]);
    expect(appA.status).toBe(201);
    expect(appB.status).toBe(201);

    for (const { accountId, secret } of [a, b]) {
      const received = await waitFor(
        async () => {
          const got = receiver.received(`/${accountId}`);
          const types = got.map((r) => JSON.parse(r.body).type);
          return types.includes('application.delivered') ? got : undefined;
        },
        `the delivered event at ${accountId}'s endpoint`,
        60_000,
        500,
      );
      const events = received.map((r) => JSON.parse(r.body));
      // The subscribed types only, each once, all of this account.
      expect(events.map((e) => e.type).sort()).toEqual([
        'application.delivered',
        'application.submitted',
        'invoice.issued',
      ]);
      expect(new Set(events.map((e) => e.accountId))).toEqual(new Set([accountId]));
      for (const r of received) expect(verifyWebhook(secret, r.headers, r.body)).toBe(true);
    }
    const submittedA = receiver
      .received(`/${a.accountId}`)
      .map((r) => JSON.parse(r.body))
      .find((e) => e.type === 'application.submitted');
    expect(submittedA.data.applicationId).toBe(appA.body.applicationId);
    // Nothing of one account reached the other's endpoint.
    const atB = receiver.received(`/${b.accountId}`).map((r) => r.body);
    expect(atB.some((body) => body.includes(appA.body.applicationId))).toBe(false);
  });
});
