import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { type ApiResponse, clientFor, daysAgo, givenAccount, order, uniqueId } from '../support/api.ts';
import { documents } from '../support/aws.ts';
import { expectLedgerExact } from '../support/invariants.ts';

const SIMULTANEOUS = 60;

async function customerWith(records: Record<string, unknown>[]) {
  const accountId = uniqueId('race');
  await givenAccount(accountId, { records });
  const api = await clientFor(accountId);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  return { accountId, api, titleId: title.body.titleId as string, email: `${accountId}@example.com` };
}

async function recordsOf(accountId: string): Promise<Record<string, any>[]> {
  const { Items } = await documents().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': 'RECORD#' },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

function expectOnlyWinnersAndPoliteLosers(responses: ApiResponse[]) {
  const statuses = responses.map((r) => r.status);
  expect(statuses.filter((s) => s >= 500)).toEqual([]);
  for (const r of responses.filter((r) => r.status !== 201)) {
    expect([409, 422]).toContain(r.status);
    if (r.status === 409) expect(r.body.code).toBe('CONFLICT');
    else expect(['RECORD_NOT_INVOICEABLE', 'AMOUNT_EXCEEDS_INVOICEABLE']).toContain(r.body.code);
  }
}

const committed = (records: Record<string, any>[]) =>
  records.reduce((n, r) => n + r.reservedAmount + r.invoicedAmount, 0);

describe(`${SIMULTANEOUS} simultaneous applications (invariant 1 under concurrency)`, () => {
  it('invariant 1 at the same records: exactly one wins, the rest get 409 CONFLICT or 422, none a 5xx', async () => {
    // Prepare
    const ids = [uniqueId('o'), uniqueId('o'), uniqueId('o')];
    const c = await customerWith(ids.map((id, i) => order(id, { cashAmount: 3_000 + i })));

    // Act
    const responses = await Promise.all(
      Array.from({ length: SIMULTANEOUS }, () =>
        c.api.post('/v1/applications', {
          mode: 'orders',
          recordIds: ids,
          titleId: c.titleId,
          delivery: { medium: 'electronic', email: c.email },
        }),
      ),
    );

    // Assess
    expectOnlyWinnersAndPoliteLosers(responses);
    const winners = responses.filter((r) => r.status === 201);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.body.total).toBe(9_003);
    const records = await recordsOf(c.accountId);
    expectLedgerExact(records);
    expect(committed(records)).toBe(9_003);
    expect((await c.api.get('/v1/applications')).body.items).toHaveLength(1);
  });

  it('invariant 1 at the same invoiceable amount: what is reserved never exceeds what was available', async () => {
    // Prepare: 10 000 fen over four records; each request asks for 3 000, so at most three can win
    const c = await customerWith(
      [2_000, 2_500, 2_500, 3_000].map((cashAmount, i) =>
        order(uniqueId('o'), { cashAmount, paidAt: daysAgo(30 - i) }),
      ),
    );

    // Act
    const responses = await Promise.all(
      Array.from({ length: SIMULTANEOUS }, () =>
        c.api.post('/v1/applications', {
          mode: 'amount',
          amount: 3_000,
          titleId: c.titleId,
          delivery: { medium: 'electronic', email: c.email },
        }),
      ),
    );

    // Assess
    expectOnlyWinnersAndPoliteLosers(responses);
    const winners = responses.filter((r) => r.status === 201);
    expect(winners.length).toBeGreaterThanOrEqual(1);
    expect(winners.length).toBeLessThanOrEqual(3);
    const records = await recordsOf(c.accountId);
    expectLedgerExact(records);
    expect(committed(records)).toBe(winners.length * 3_000);
    expect(committed(records)).toBeLessThanOrEqual(10_000);
    const listed = (await c.api.get('/v1/applications')).body.items;
    expect(listed.map((a: { applicationId: string }) => a.applicationId).sort()).toEqual(
      winners.map((w) => w.body.applicationId).sort(),
    );
  });

  it('invariant 1 when orders and amounts race for the same records: together never more than available', async () => {
    // Prepare
    const ids = [uniqueId('o'), uniqueId('o')];
    const c = await customerWith([
      order(ids[0]!, { cashAmount: 4_000, paidAt: daysAgo(30) }),
      order(ids[1]!, { cashAmount: 6_000, paidAt: daysAgo(20) }),
    ]);
    const delivery = { medium: 'electronic', email: c.email };

    // Act
    const responses = await Promise.all(
      Array.from({ length: SIMULTANEOUS }, (_, i) =>
        c.api.post(
          '/v1/applications',
          i % 3 === 0
            ? { mode: 'orders', recordIds: [ids[i % 2]!], titleId: c.titleId, delivery }
            : { mode: 'amount', amount: 1_500 + (i % 4) * 500, titleId: c.titleId, delivery },
        ),
      ),
    );

    // Assess
    expectOnlyWinnersAndPoliteLosers(responses);
    const winners = responses.filter((r) => r.status === 201);
    const records = await recordsOf(c.accountId);
    expectLedgerExact(records);
    expect(committed(records)).toBe(winners.reduce((n, w) => n + w.body.total, 0));
    expect(committed(records)).toBeLessThanOrEqual(10_000);
  });
});
