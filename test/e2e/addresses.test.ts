import { describe, expect, it } from 'vitest';
import { type ApiClient, clientFor, givenAccount, order, sampleAddress, uniqueId } from '../support/api.ts';

const address = sampleAddress;

async function customer(
  records: Record<string, unknown>[] = [],
): Promise<{ accountId: string; api: ApiClient }> {
  const accountId = uniqueId('acct');
  await givenAccount(accountId, { records });
  return { accountId, api: await clientFor(accountId) };
}

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

async function book(api: ApiClient): Promise<{ addressId: string; isDefault: boolean; street: string }[]> {
  const list = await api.get('/v1/addresses');
  expect(list.status).toBe(200);
  return list.body.items;
}

const defaultsOf = async (api: ApiClient) =>
  (await book(api)).filter((a) => a.isDefault).map((a) => a.addressId);

describe('mailing addresses', () => {
  it('R22 the first address becomes the default; a new default unsets the old one', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const first = await api.post('/v1/addresses', address({ isDefault: false }));
    const second = await api.post('/v1/addresses', address({ street: '文三路2号' }));
    const afterSecond = await defaultsOf(api);
    const third = await api.post('/v1/addresses', address({ street: '文三路3号', isDefault: true }));

    // Assess
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ...address(), isDefault: true });
    expect(first.body.addressId).toEqual(expect.any(String));
    expect(second.body.isDefault).toBe(false);
    expect(afterSecond).toEqual([first.body.addressId]);
    expect(third.body.isDefault).toBe(true);
    const list = await book(api);
    expect(list.map((a) => a.addressId)).toEqual([
      third.body.addressId,
      second.body.addressId,
      first.body.addressId,
    ]);
    expect(list.filter((a) => a.isDefault).map((a) => a.addressId)).toEqual([third.body.addressId]);
  });

  it('R22 a change can move the default; the default cannot be unset without naming another', async () => {
    // Prepare
    const { api } = await customer();
    const first = await api.post('/v1/addresses', address());
    const second = await api.post('/v1/addresses', address({ street: '文三路2号' }));

    // Act
    const moved = await api.put(
      `/v1/addresses/${second.body.addressId}`,
      address({ street: '文三路22号', isDefault: true }),
    );
    const unset = await api.put(`/v1/addresses/${second.body.addressId}`, address({ isDefault: false }));

    // Assess
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ street: '文三路22号', isDefault: true });
    expect(await defaultsOf(api)).toEqual([second.body.addressId]);
    expect(unset.status).toBe(400);
    expect(paths(unset.body)).toEqual(['body.isDefault']);
    expect((await book(api)).find((a) => a.addressId === first.body.addressId)?.isDefault).toBe(false);
  });

  it('R22 deleting the default makes the most recently added remaining address the default', async () => {
    // Prepare
    const { api } = await customer();
    const first = await api.post('/v1/addresses', address());
    const second = await api.post('/v1/addresses', address({ street: '文三路2号' }));
    const third = await api.post('/v1/addresses', address({ street: '文三路3号' }));

    // Act
    const deleted = await api.request('DELETE', `/v1/addresses/${first.body.addressId}`);

    // Assess
    expect(deleted.status).toBe(204);
    const list = await book(api);
    expect(list.map((a) => a.addressId)).toEqual([third.body.addressId, second.body.addressId]);
    expect(list[0]!.isDefault).toBe(true);
    expect(list[1]!.isDefault).toBe(false);
  });

  it('R22 concurrent new defaults leave exactly one default and lose no address', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const created = await Promise.all(
      [1, 2, 3, 4, 5].map((n) =>
        api.post('/v1/addresses', address({ street: `文三路${n}号`, isDefault: true })),
      ),
    );

    // Assess
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const list = await book(api);
    expect(list).toHaveLength(5);
    expect(list.filter((a) => a.isDefault)).toHaveLength(1);
  });

  it('R22 at most 20 addresses: the 21st is VALIDATION_FAILED and not written', async () => {
    // Prepare
    const { api } = await customer();
    for (let n = 1; n <= 20; n++) {
      expect((await api.post('/v1/addresses', address({ street: `文三路${n}号` }))).status).toBe(201);
    }

    // Act
    const extra = await api.post('/v1/addresses', address({ street: '文三路21号' }));

    // Assess
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('VALIDATION_FAILED');
    expect(extra.body.detail).toMatch(/At most 20/);
    expect(await book(api)).toHaveLength(20);
  });

  it.each([
    ['a mobile number', '13912345678'],
    ['a landline with a dash', '010-12345678'],
    ['a landline without a dash', '057188888888'],
  ])('R22 %s is accepted', async (_what, phone) => {
    const { api } = await customer();
    const response = await api.post('/v1/addresses', address({ phone }));
    expect(response.status).toBe(201);
    expect(response.body.phone).toBe(phone);
  });

  it('R22 phone and postal code are validated: 400 with field paths, nothing written', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const responses = await Promise.all([
      api.post('/v1/addresses', address({ phone: '12800138000' })),
      api.post('/v1/addresses', address({ phone: '+8613800138000' })),
      api.post('/v1/addresses', address({ phone: '010-123456' })),
      api.post('/v1/addresses', address({ postalCode: '31000' })),
      api.post('/v1/addresses', address({ postalCode: '31000A' })),
    ]);

    // Assess
    expect(responses.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(responses.map((r) => paths(r.body))).toEqual([
      ['body.phone'],
      ['body.phone'],
      ['body.phone'],
      ['body.postalCode'],
      ['body.postalCode'],
    ]);
    expect(await book(api)).toEqual([]);
  });

  it('bad input (wrong types, missing fields, oversized strings, unknown fields) is a 400 with field paths and writes nothing', async () => {
    // Prepare
    const { api } = await customer();
    const kept = await api.post('/v1/addresses', address());

    // Act
    const wrongTypes = await api.post('/v1/addresses', address({ recipient: 1, isDefault: 'yes' }));
    const missing = await api.post('/v1/addresses', { recipient: '王五' });
    const oversized = await api.post('/v1/addresses', address({ street: '路'.repeat(201) }));
    const unknownField = await api.post('/v1/addresses', address({ accountId: 'someone-else' }));
    const badJson = await api.post('/v1/addresses', '[');
    const badPut = await api.put(`/v1/addresses/${kept.body.addressId}`, address({ city: '' }));

    // Assess
    expect(paths(wrongTypes.body).sort()).toEqual(['body.isDefault', 'body.recipient']);
    expect(paths(missing.body).sort()).toEqual([
      'body.city',
      'body.district',
      'body.phone',
      'body.postalCode',
      'body.province',
      'body.street',
    ]);
    expect(paths(oversized.body)).toEqual(['body.street']);
    expect(paths(unknownField.body)).toEqual(['body']);
    expect(paths(badPut.body)).toEqual(['body.city']);
    for (const response of [wrongTypes, missing, oversized, unknownField, badJson, badPut]) {
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect(await book(api)).toEqual([kept.body]);
  });

  it('another account’s address answers 404 on change and delete, and is not listed', async () => {
    // Prepare
    const owner = await customer();
    const saved = await owner.api.post('/v1/addresses', address());
    const intruder = await customer();

    // Act
    const changed = await intruder.api.put(
      `/v1/addresses/${saved.body.addressId}`,
      address({ street: '别处' }),
    );
    const deleted = await intruder.api.request('DELETE', `/v1/addresses/${saved.body.addressId}`);

    // Assess
    expect(changed.status).toBe(404);
    expect(changed.body.code).toBe('NOT_FOUND');
    expect(deleted.status).toBe(404);
    expect(await book(intruder.api)).toEqual([]);
    expect(await book(owner.api)).toEqual([saved.body]);
  });

  it('replays the first response for a repeated Idempotency-Key', async () => {
    // Prepare
    const { api } = await customer();
    const key = uniqueId('key');

    // Act
    const first = await api.post('/v1/addresses', address(), { 'idempotency-key': key });
    const again = await api.post('/v1/addresses', address(), { 'idempotency-key': key });
    const different = await api.post('/v1/addresses', address({ street: '别处' }), {
      'idempotency-key': key,
    });

    // Assess
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await book(api)).toHaveLength(1);
  });

  it('R27 an address an open paper application ships to cannot be deleted (409 CONFLICT)', async () => {
    // Prepare: paper needs an approved special title (R23), approved by finance (R21)
    const { accountId, api } = await customer([order(uniqueId('o'), { cashAmount: 20_000 })]);
    const finance = await clientFor('finance-staff', ['finance']);
    const saved = await api.post('/v1/addresses', address());
    const other = await api.post('/v1/addresses', address({ street: '文三路2号' }));
    const title = await api.post('/v1/titles', {
      type: 'enterprise-special',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
      registeredAddress: '杭州市西湖区文三路1号',
      registeredPhone: '0571-88888888',
      bankName: '中国工商银行杭州文三支行',
      bankAccount: '1202000000000000000',
      notifyEmail: `${accountId}@example.com`,
    });
    const approved = await finance.post(
      `/v1/admin/accounts/${accountId}/titles/${title.body.titleId}/decision`,
      {
        approve: true,
      },
    );
    expect(approved.status).toBe(200);
    const application = await api.post('/v1/applications', {
      mode: 'amount',
      amount: 10_000,
      titleId: title.body.titleId,
      delivery: { medium: 'paper', addressId: saved.body.addressId },
    });
    expect(application.status).toBe(201);

    // Act
    const deleted = await api.request('DELETE', `/v1/addresses/${saved.body.addressId}`);
    const otherDeleted = await api.request('DELETE', `/v1/addresses/${other.body.addressId}`);

    // Assess
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('CONFLICT');
    expect(otherDeleted.status).toBe(204);
    expect((await book(api)).map((a) => a.addressId)).toEqual([saved.body.addressId]);
  });
});
