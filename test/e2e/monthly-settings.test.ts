import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { shardOf } from '../../shared/domain/monthly.ts';
import { type ApiClient, clientFor, givenAccount, uniqueId } from '../support/api.ts';
import { documents } from '../support/aws.ts';

const USCC = '91330106MA2H00006X';
const ordinary = { type: 'enterprise-ordinary', name: '杭州示例科技有限公司', taxId: USCC };
const special = {
  type: 'enterprise-special',
  name: '杭州示例科技有限公司',
  taxId: USCC,
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202 0000 0000 0000 000',
  notifyEmail: 'tax@example.com',
};

async function customer(options: Parameters<typeof givenAccount>[1] = {}) {
  const accountId = uniqueId('auto');
  await givenAccount(accountId, options);
  return { accountId, api: await clientFor(accountId) };
}

async function titleOf(api: ApiClient, body: Record<string, unknown>): Promise<string> {
  const created = await api.post('/v1/titles', body);
  expect(created.status).toBe(201);
  return created.body.titleId;
}

const profile = async (accountId: string) =>
  (
    await documents().send(
      new GetCommand({
        TableName: inject('tableName'),
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' },
        ConsistentRead: true,
      }),
    )
  ).Item!;

const email = (accountId: string) => ({ medium: 'electronic', email: `${accountId}@example.com` });

describe('monthly invoicing settings (R31)', () => {
  it('R31 turning on stores the title and delivery, shows them on the account and lists the account in its shard; off removes it', async () => {
    // Prepare
    const { accountId, api } = await customer();
    const titleId = await titleOf(api, ordinary);

    // Act
    const on = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: email(accountId),
    });

    // Assess
    expect(on.status).toBe(200);
    expect(on.body).toEqual({ enabled: true, titleId, delivery: email(accountId) });
    expect((await api.get('/v1/account')).body.autoInvoicing).toEqual({
      enabled: true,
      titleId,
      delivery: email(accountId),
    });
    const item = await profile(accountId);
    expect(item.gsi2pk).toBe(`AUTO_INVOICING#${shardOf(accountId)}`);
    expect(item.gsi2sk).toBe(accountId);

    // Act: off
    const off = await api.put('/v1/account/auto-invoicing', { enabled: false });

    // Assess
    expect(off.status).toBe(200);
    expect((await api.get('/v1/account')).body.autoInvoicing).toEqual({ enabled: false });
    const after = await profile(accountId);
    expect(after.gsi2pk).toBeUndefined();
    // The billing system's next upsert keeps what the service owns.
    await givenAccount(accountId);
    expect((await profile(accountId)).autoInvoicing).toMatchObject({ enabled: false });
  });

  it('R31 settings survive a billing-system profile upsert', async () => {
    const { accountId, api } = await customer();
    const titleId = await titleOf(api, ordinary);
    expect(
      (await api.put('/v1/account/auto-invoicing', { enabled: true, titleId, delivery: email(accountId) }))
        .status,
    ).toBe(200);
    await givenAccount(accountId, { arrears: 100 });
    expect((await api.get('/v1/account')).body.autoInvoicing.enabled).toBe(true);
    expect((await profile(accountId)).gsi2pk).toBe(`AUTO_INVOICING#${shardOf(accountId)}`);
  });

  it('R31 turning on without a title or delivery is a validation error naming the fields', async () => {
    const { api } = await customer();
    const response = await api.put('/v1/account/auto-invoicing', { enabled: true });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.delivery',
      'body.titleId',
    ]);
  });

  it('R4 R31 an unknown title is 404, as for an application', async () => {
    const { accountId, api } = await customer();
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId: 'ttl_missing',
      delivery: email(accountId),
    });
    expect(response.status).toBe(404);
    expect(response.body.code).toBe('NOT_FOUND');
  });

  it('R1 R31 an account the billing system has not sent cannot turn it on', async () => {
    const accountId = uniqueId('auto-unsynced');
    const api = await clientFor(accountId);
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId: 'ttl_any',
      delivery: email(accountId),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('REAL_NAME_REQUIRED');
  });

  it('R3 R31 an overseas account cannot turn it on', async () => {
    const { accountId, api } = await customer({ region: 'overseas' });
    const titleId = await titleOf(api, ordinary);
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: email(accountId),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('REGION_NOT_SUPPORTED');
  });

  it('R2 R31 an individual cannot use an enterprise title', async () => {
    // An enterprise title saved before the billing system re-verified the account as an individual.
    const { accountId, api } = await customer();
    const titleId = await titleOf(api, ordinary);
    await givenAccount(accountId, { realName: { type: 'individual', name: '张三' } });
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: email(accountId),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('TITLE_TYPE_NOT_ALLOWED');
  });

  it('R21 R31 a special title waiting for review cannot be used', async () => {
    const { accountId, api } = await customer();
    const titleId = await titleOf(api, special);
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: email(accountId),
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('TITLE_NOT_APPROVED');
  });

  it('R4 R31 electronic delivery needs an e-mail address', async () => {
    const { api } = await customer();
    const titleId = await titleOf(api, ordinary);
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: { medium: 'electronic' },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('DELIVERY_REQUIRED');
  });

  it('R23 R31 ordinary invoices cannot go on paper', async () => {
    const { api } = await customer();
    const titleId = await titleOf(api, ordinary);
    const response = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: { medium: 'paper', addressId: 'adr_any' },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('PAPER_NOT_AVAILABLE');
  });

  it('R31 a refused setting leaves the account as it was', async () => {
    const { accountId, api } = await customer();
    const titleId = await titleOf(api, ordinary);
    expect(
      (await api.put('/v1/account/auto-invoicing', { enabled: true, titleId, delivery: email(accountId) }))
        .status,
    ).toBe(200);
    const refused = await api.put('/v1/account/auto-invoicing', {
      enabled: true,
      titleId,
      delivery: { medium: 'electronic' },
    });
    expect(refused.status).toBe(422);
    expect((await api.get('/v1/account')).body.autoInvoicing).toEqual({
      enabled: true,
      titleId,
      delivery: email(accountId),
    });
  });
});
