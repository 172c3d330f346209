import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, clientFor, givenAccount, order, uniqueId } from '../support/api.ts';

/**
 * Every list cursor is validated (docs/API.md, paging): a forged, truncated or another list's
 * cursor is 400 VALIDATION_FAILED at query.cursor on every list, never a 5xx, and a cursor
 * taken from another account only ever moves within the caller's own list.
 */
let owner: ApiClient;
let stranger: ApiClient;
let finance: ApiClient;
let applicationId: string;
let recordsCursor: string;

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

beforeAll(async () => {
  const accountId = uniqueId('cur');
  await givenAccount(accountId, {
    records: [order(uniqueId('o')), order(uniqueId('o')), order(uniqueId('o'))],
  });
  owner = await clientFor(accountId);
  const strangerId = uniqueId('cur-stranger');
  await givenAccount(strangerId, { records: [order(uniqueId('o'), { cashAmount: 5_300 })] });
  stranger = await clientFor(strangerId);
  finance = await clientFor('finance-staff', ['finance']);
  const title = await owner.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  const created = await owner.post('/v1/applications', {
    mode: 'amount',
    amount: 10_600,
    titleId: title.body.titleId,
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
  });
  expect(created.status).toBe(201);
  applicationId = created.body.applicationId;
  const page = await owner.get('/v1/billing-records?limit=1');
  expect(page.body.nextCursor).toEqual(expect.any(String));
  recordsCursor = page.body.nextCursor;
});

const LISTS: [string, () => ApiClient, () => string][] = [
  ['GET /v1/billing-records', () => owner, () => '/v1/billing-records'],
  ['GET /v1/applications', () => owner, () => '/v1/applications'],
  ['GET /v1/titles', () => owner, () => '/v1/titles'],
  ['GET /v1/invoices', () => owner, () => '/v1/invoices'],
  ['GET /v1/applications/{id}/audit', () => owner, () => `/v1/applications/${applicationId}/audit`],
  ['GET /v1/admin/reviews', () => finance, () => '/v1/admin/reviews'],
  ['GET /v1/admin/copy-requests', () => finance, () => '/v1/admin/copy-requests'],
];

const FORGED: [string, () => string][] = [
  ['the crafted invoice position with an empty sort key', () => b64({ id: 'INVOICE#x', at: '' })],
  [
    'a position in this format with an empty key',
    () => b64({ l: 'invoices', p: { invoiceId: 'x', at: '' } }),
  ],
  ['a cursor cut short', () => recordsCursor.slice(0, -6)],
  ['text that is not base64url', () => encodeURIComponent('{"after":"x"}')],
  ['invalid UTF-8', () => Buffer.from([0x7b, 0xc3, 0x28, 0x7d]).toString('base64url')],
];

describe('list cursors', () => {
  it.each(LISTS)(
    '%s refuses forged, truncated and foreign-list cursors with 400 at query.cursor',
    async (_, client, path) => {
      for (const [what, cursor] of [
        ...FORGED,
        ...(path() === '/v1/billing-records'
          ? []
          : [['a cursor of another list', () => recordsCursor] as const]),
      ]) {
        // Act
        const answer = await client().get(`${path()}?cursor=${cursor()}`);

        // Assess
        expect(answer.status, what).toBe(400);
        expect(answer.body.code, what).toBe('VALIDATION_FAILED');
        expect(answer.body.errors, what).toEqual([
          { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
        ]);
      }
    },
  );

  it('another account’s cursor moves only within the caller’s own list', async () => {
    // Act
    const theirs = await stranger.get(`/v1/billing-records?cursor=${recordsCursor}`);
    const own = await owner.get(`/v1/billing-records?cursor=${recordsCursor}`);

    // Assess
    expect(theirs.status).toBe(200);
    expect(theirs.body.items.every((r: { cashAmount: number }) => r.cashAmount === 5_300)).toBe(true);
    expect(own.status).toBe(200);
    expect(own.body.items).toHaveLength(2);
  });
});
