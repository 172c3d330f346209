import { describe, expect, it } from 'vitest';
import { clientFor, givenAccount, order, uniqueId } from '../support/api.ts';

const billing = () => clientFor('billing-system', ['billing-system']);
const ENTERPRISE = { type: 'enterprise', name: '杭州示例科技有限公司' } as const;

async function apply(accountId: string, titleId = 'ttl-any') {
  return (await clientFor(accountId)).post('/v1/applications', {
    mode: 'amount',
    amount: 100,
    titleId,
    delivery: { medium: 'electronic', email: `${accountId}@example.com` },
  });
}

describe('GET /v1/account', () => {
  it('R1 an account the billing system has not sent yet is shown as not verified, and applying asks for verification', async () => {
    // Prepare
    const accountId = uniqueId('new');
    const client = await clientFor(accountId);

    // Act
    const account = await client.get('/v1/account');
    const applied = await apply(accountId);

    // Assess
    expect(account.status).toBe(200);
    expect(account.body).toEqual({
      accountId,
      synced: false,
      region: 'mainland',
      realName: { type: 'none' },
      language: 'zh',
      arrears: 0,
      deficit: 0,
      invoiceable: 0,
      autoInvoicing: { enabled: false },
    });
    expect(applied.status).toBe(422);
    expect(applied.body.code).toBe('REAL_NAME_REQUIRED');
  });

  it('R1 records sent before the profile count at once; the profile then makes the account verified', async () => {
    // Prepare
    const accountId = uniqueId('early');
    const client = await clientFor(accountId);
    const feed = await billing();
    await feed.post('/v1/internal/billing-records', {
      records: [order('first', { accountId, cashAmount: 4_200 })],
    });
    const before = (await client.get('/v1/account')).body;

    // Act
    const put = await feed.put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: ENTERPRISE,
      arrears: 200,
    });
    const after = (await client.get('/v1/account')).body;

    // Assess
    expect(before).toMatchObject({ synced: false, realName: { type: 'none' }, invoiceable: 4_200 });
    expect(put.status).toBe(200);
    expect(after).toMatchObject({ synced: true, realName: ENTERPRISE, arrears: 200, invoiceable: 4_000 });
  });

  it('R1 an account without real-name verification gets REAL_NAME_REQUIRED when it applies', async () => {
    // Prepare
    const accountId = uniqueId('unverified');
    await givenAccount(accountId, {
      realName: { type: 'none' },
      records: [order('o', { cashAmount: 5_000 })],
    });

    // Act
    const account = (await (await clientFor(accountId)).get('/v1/account')).body;
    const applied = await apply(accountId);

    // Assess
    expect(account).toMatchObject({ synced: true, realName: { type: 'none' }, invoiceable: 5_000 });
    expect(applied.status).toBe(422);
    expect(applied.headers.get('content-type')).toContain('application/problem+json');
    expect(applied.body.code).toBe('REAL_NAME_REQUIRED');
    expect(applied.body.detail).toMatch(/real-name verification/i);
    expect((await (await clientFor(accountId)).get('/v1/invoiceable')).body.formula.reserved).toBe(0);
  });

  it('R3 an account outside the mainland gets REGION_NOT_SUPPORTED, told to raise a ticket for a commercial invoice', async () => {
    // Prepare
    const accountId = uniqueId('hk');
    await givenAccount(accountId, { region: 'overseas', records: [order('o', { cashAmount: 5_000 })] });

    // Act
    const account = (await (await clientFor(accountId)).get('/v1/account')).body;
    const applied = await apply(accountId);

    // Assess
    expect(account).toMatchObject({ region: 'overseas', realName: ENTERPRISE });
    expect(applied.status).toBe(422);
    expect(applied.body.code).toBe('REGION_NOT_SUPPORTED');
    expect(applied.body.detail).toMatch(/support ticket/);
    expect(applied.body.detail).toMatch(/commercial invoice/);
  });

  it('R19 the last title and delivery target used are shown after an application, to prefill the next one', async () => {
    // Prepare
    const accountId = uniqueId('prefill');
    await givenAccount(accountId, { records: [order('o', { cashAmount: 5_000 })] });
    const client = await clientFor(accountId);
    const before = (await client.get('/v1/account')).body;
    const title = await client.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: ENTERPRISE.name,
      taxId: '91330106MA2H00006X',
    });
    expect(title.status).toBe(201);

    // Act
    const applied = await apply(accountId, title.body.titleId);
    const after = (await client.get('/v1/account')).body;

    // Assess
    expect(applied.status).toBe(201);
    expect(before.lastUsed).toBeUndefined();
    expect(after.lastUsed).toEqual({
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    expect(after.invoiceable).toBe(4_900);
  });

  it('R31 monthly invoicing shows once turned on, with its title and delivery target', async () => {
    // Prepare
    const accountId = uniqueId('monthly');
    await givenAccount(accountId, { records: [order('o', { cashAmount: 5_000 })] });
    const client = await clientFor(accountId);
    const title = await client.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: ENTERPRISE.name,
      taxId: '91330106MA2H00006X',
    });
    const delivery = { medium: 'electronic', email: `${accountId}@example.com` };
    const before = (await client.get('/v1/account')).body;

    // Act
    const turnedOn = await client.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId: title.body.titleId,
      delivery,
    });
    const after = (await client.get('/v1/account')).body;

    // Assess
    expect(before.autoInvoicing).toEqual({ enabled: false });
    expect(turnedOn.status).toBe(200);
    expect(after.autoInvoicing).toEqual({ enabled: true, titleId: title.body.titleId, delivery });
  });

  it('shows the profile the billing system sent: language and contact e-mail, arrears at once (R12)', async () => {
    // Prepare
    const accountId = uniqueId('profile');
    await givenAccount(accountId, { records: [order('o', { cashAmount: 9_000 })] });
    const client = await clientFor(accountId);
    const feed = await billing();
    const first = (await client.get('/v1/account')).body;

    // Act
    const put = await feed.put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: ENTERPRISE,
      arrears: 1_000,
      language: 'en',
      email: 'ap@example.com',
      orgId: 'org-1',
    });
    const updated = (await client.get('/v1/account')).body;
    await feed.put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: ENTERPRISE,
      arrears: 0,
    });
    const cleared = (await client.get('/v1/account')).body;

    // Assess
    expect(first).toMatchObject({ language: 'zh', arrears: 0, invoiceable: 9_000 });
    expect(first.email).toBeUndefined();
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      accountId,
      language: 'en',
      email: 'ap@example.com',
      orgId: 'org-1',
      arrears: 1_000,
    });
    expect(put.body.updatedAt).toMatch(/\+08:00$/);
    expect(updated).toMatchObject({
      language: 'en',
      email: 'ap@example.com',
      orgId: 'org-1',
      arrears: 1_000,
      invoiceable: 8_000,
    });
    // Optional fields left out are removed; the language stays as it was.
    expect(cleared).toMatchObject({ language: 'en', arrears: 0, invoiceable: 9_000 });
    expect(cleared.email).toBeUndefined();
    expect(cleared.orgId).toBeUndefined();
  });
});

describe('PUT /v1/internal/accounts/{accountId}', () => {
  it.each<[string, unknown, string]>([
    ['a wrong type', { region: 'mainland', realName: ENTERPRISE, arrears: '100' }, 'body.arrears'],
    ['negative arrears', { region: 'mainland', realName: ENTERPRISE, arrears: -1 }, 'body.arrears'],
    ['fractional arrears', { region: 'mainland', realName: ENTERPRISE, arrears: 1.5 }, 'body.arrears'],
    ['a missing field', { region: 'mainland', arrears: 0 }, 'body.realName'],
    ['an unknown region', { region: 'mars', realName: ENTERPRISE, arrears: 0 }, 'body.region'],
    [
      'an unknown real-name type',
      { region: 'mainland', realName: { type: 'robot' }, arrears: 0 },
      'body.realName.type',
    ],
    [
      'a bad e-mail',
      { region: 'mainland', realName: ENTERPRISE, arrears: 0, email: 'not-mail' },
      'body.email',
    ],
    [
      'an unknown language',
      { region: 'mainland', realName: ENTERPRISE, arrears: 0, language: 'fr' },
      'body.language',
    ],
    ['an unknown field', { region: 'mainland', realName: ENTERPRISE, arrears: 0, vip: true }, 'body'],
  ])('refuses %s with 400 problem+json and changes nothing', async (_label, body, path) => {
    // Prepare
    const accountId = uniqueId('acct');
    await givenAccount(accountId, { arrears: 700, records: [order('o', { cashAmount: 1_000 })] });
    const before = (await (await clientFor(accountId)).get('/v1/account')).body;

    // Act
    const response = await (await billing()).put(`/v1/internal/accounts/${accountId}`, body);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await (await clientFor(accountId)).get('/v1/account')).body).toEqual(before);
  });

  it('refuses an account id that is not an id, a body that is not JSON, and customers', async () => {
    // Prepare
    const accountId = uniqueId('acct');
    const feed = await billing();
    const profile = { region: 'mainland', realName: ENTERPRISE, arrears: 0 };

    // Act
    const badId = await feed.put('/v1/internal/accounts/a%20b', profile);
    const malformed = await feed.put(`/v1/internal/accounts/${accountId}`, '{"region":');
    const fromCustomer = await (await clientFor(accountId)).put(
      `/v1/internal/accounts/${accountId}`,
      profile,
    );

    // Assess
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((e: { path: string }) => e.path)).toContain('path.accountId');
    expect(malformed.status).toBe(400);
    expect(fromCustomer.status).toBe(403);
    expect(fromCustomer.body.code).toBe('FORBIDDEN');
    expect((await (await clientFor(accountId)).get('/v1/account')).body.synced).toBe(false);
  });
});
