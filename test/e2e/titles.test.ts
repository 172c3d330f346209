import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import holidayData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { describe, expect, inject, it } from 'vitest';
import { type ApiClient, clientFor, givenAccount, order, uniqueId } from '../support/api.ts';
import { documents, executionArnOf, finishedExecution } from '../support/aws.ts';

const USCC = '91330106MA2H00006X';

const ordinary = (fields: Record<string, unknown> = {}) => ({
  type: 'enterprise-ordinary',
  name: '杭州示例科技有限公司',
  taxId: USCC,
  ...fields,
});

const special = (fields: Record<string, unknown> = {}) => ({
  type: 'enterprise-special',
  name: '杭州示例科技有限公司',
  taxId: USCC,
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202 0000 0000 0000 000',
  notifyEmail: 'tax@example.com',
  ...fields,
});

async function customer(
  options: Parameters<typeof givenAccount>[1] = {},
): Promise<{ accountId: string; api: ApiClient }> {
  const accountId = uniqueId('acct');
  await givenAccount(accountId, options);
  return { accountId, api: await clientFor(accountId) };
}

const paths = (body: { errors?: { path: string }[] }) => (body.errors ?? []).map((e) => e.path);

/**
 * An oracle independent of the service's calendar code: the end (24:00 Shanghai) of the 2nd
 * mainland working day after `instant`'s Shanghai date, from the holiday data directly.
 */
function twoWorkingDaysAfter(instant: Date): string {
  const holidays: Record<string, string> = holidayData.holidays;
  const workdays: Record<string, string> = holidayData.workdays;
  const day = new Date(`${new Date(instant.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)}T00:00:00Z`);
  let counted = 0;
  while (counted < 2) {
    day.setUTCDate(day.getUTCDate() + 1);
    const iso = day.toISOString().slice(0, 10);
    const weekday = day.getUTCDay();
    if (iso in workdays || (weekday >= 1 && weekday <= 5 && !(iso in holidays))) counted += 1;
  }
  day.setUTCDate(day.getUTCDate() + 1);
  return `${day.toISOString().slice(0, 10)}T00:00:00+08:00`;
}

describe('who may hold titles', () => {
  it('R1 an account without real-name verification cannot add a title (REAL_NAME_REQUIRED)', async () => {
    // Prepare
    const { api } = await customer({ realName: { type: 'none' } });
    const unknown = await clientFor(uniqueId('no-profile'));

    // Act
    const unverified = await api.post('/v1/titles', { type: 'personal-ordinary', name: '张三' });
    const noProfile = await unknown.post('/v1/titles', { type: 'personal-ordinary', name: '张三' });

    // Assess
    expect(unverified.status).toBe(422);
    expect(unverified.body.code).toBe('REAL_NAME_REQUIRED');
    expect(unverified.headers.get('content-type')).toContain('application/problem+json');
    expect(noProfile.status).toBe(422);
    expect(noProfile.body.code).toBe('REAL_NAME_REQUIRED');
    expect((await api.get('/v1/titles')).body.items).toEqual([]);
  });

  it('R2 an account verified as an individual may hold only personal titles (TITLE_TYPE_NOT_ALLOWED)', async () => {
    // Prepare
    const { api } = await customer({ realName: { type: 'individual', name: '张三' } });

    // Act
    const refused = await Promise.all([
      api.post('/v1/titles', ordinary()),
      api.post('/v1/titles', special()),
      api.post('/v1/titles', {
        type: 'organization-ordinary',
        name: '某某基金会',
        taxId: '52100000500012345Y',
      }),
    ]);
    const personal = await api.post('/v1/titles', { type: 'personal-ordinary', name: '张三' });
    const changedToEnterprise = await api.request('PUT', `/v1/titles/${personal.body.titleId}`, ordinary());

    // Assess
    for (const response of refused) {
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('TITLE_TYPE_NOT_ALLOWED');
    }
    expect(personal.status).toBe(201);
    expect(personal.body).toMatchObject({ type: 'personal-ordinary', name: '张三', status: 'approved' });
    expect(changedToEnterprise.status).toBe(422);
    expect(changedToEnterprise.body.code).toBe('TITLE_TYPE_NOT_ALLOWED');
    const list = await api.get('/v1/titles');
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0].type).toBe('personal-ordinary');
  });
});

describe('title types and their fields', () => {
  it.each([
    ['enterprise-ordinary', { type: 'enterprise-ordinary', name: '杭州示例科技有限公司' }, ['body.taxId']],
    ['organization-ordinary', { type: 'organization-ordinary', name: '某某基金会' }, ['body.taxId']],
    [
      'enterprise-special',
      { type: 'enterprise-special', name: '杭州示例科技有限公司', taxId: USCC },
      ['body.bankAccount', 'body.bankName', 'body.registeredAddress', 'body.registeredPhone'],
    ],
    ['personal-ordinary', { type: 'personal-ordinary' }, ['body.name']],
  ])(
    'R20 a %s title without its required fields is refused with their paths',
    async (_type, body, missing) => {
      // Prepare
      const { api } = await customer();

      // Act
      const response = await api.post('/v1/titles', body);

      // Assess
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(paths(response.body).sort()).toEqual(missing);
    },
  );

  it('R20 each of the four types is accepted with exactly what it requires', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const created = await Promise.all([
      api.post('/v1/titles', { type: 'personal-ordinary', name: '张三' }),
      api.post('/v1/titles', ordinary()),
      api.post('/v1/titles', {
        type: 'organization-ordinary',
        name: '某某基金会',
        taxId: '52100000500012345Y',
      }),
      api.post('/v1/titles', special()),
    ]);

    // Assess
    expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(created.map((r) => r.body.status)).toEqual(['approved', 'approved', 'approved', 'pending-review']);
    expect(created[3]!.body).toMatchObject({
      registeredAddress: '杭州市西湖区文三路1号',
      bankAccount: '1202 0000 0000 0000 000',
      notifyEmail: 'tax@example.com',
    });
    const list = await api.get('/v1/titles');
    expect(list.body.items.map((t: { titleId: string }) => t.titleId).sort()).toEqual(
      created.map((r) => r.body.titleId).sort(),
    );
  });

  it.each([
    ['a wrong USCC check character', '91330106MA2H00006Y'],
    ['too short', '91330106MA2H0'],
    ['too long', '91330106MA2H00006X123'],
    ['a forbidden letter', '91330106MA2H0000OX'],
    ['punctuation', '91330106-MA2H0006X'],
  ])('R20 a taxpayer ID with %s is refused at body.taxId', async (_what, taxId) => {
    // Prepare
    const { api } = await customer();

    // Act
    const response = await api.post('/v1/titles', ordinary({ taxId }));

    // Assess
    expect(response.status).toBe(400);
    expect(paths(response.body)).toEqual(['body.taxId']);
  });

  it('R20 a legacy 15-character taxpayer ID is accepted, and a lower-case code is stored upper-case', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const legacy = await api.post('/v1/titles', ordinary({ taxId: '330106123456789' }));
    const lower = await api.post('/v1/titles', ordinary({ taxId: '91330106ma2h00006x' }));

    // Assess
    expect(legacy.status).toBe(201);
    expect(lower.status).toBe(201);
    expect(lower.body.taxId).toBe(USCC);
  });
});

describe('review status and edits', () => {
  it('R21 an ordinary title is approved at once and its edits apply at once', async () => {
    // Prepare
    const { api } = await customer();
    const created = await api.post('/v1/titles', ordinary());

    // Act
    const edited = await api.request(
      'PUT',
      `/v1/titles/${created.body.titleId}`,
      ordinary({ name: '杭州新名称有限公司', remark: '项目 A-17' }),
    );
    const read = await api.get(`/v1/titles/${created.body.titleId}`);

    // Assess
    expect(created.body.status).toBe('approved');
    expect(created.body.reviewDueBy).toBeUndefined();
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      status: 'approved',
      name: '杭州新名称有限公司',
      remark: '项目 A-17',
    });
    expect(read.body).toEqual(edited.body);
  });

  it('R21 a special title waits for review, due at the end of the 2nd mainland working day (+08:00)', async () => {
    // Prepare
    const { api } = await customer();
    const before = new Date();

    // Act
    const created = await api.post('/v1/titles', special());
    const after = new Date();

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending-review');
    expect(created.body.submittedAt).toMatch(/\+08:00$/);
    expect([twoWorkingDaysAfter(before), twoWorkingDaysAfter(after)]).toContain(created.body.reviewDueBy);
    expect((await api.get(`/v1/titles/${created.body.titleId}`)).body.reviewDueBy).toBe(
      created.body.reviewDueBy,
    );
  });

  it('R21 changing an ordinary title into a special one sends it to review', async () => {
    // Prepare
    const { api } = await customer();
    const created = await api.post('/v1/titles', ordinary());

    // Act
    const edited = await api.request('PUT', `/v1/titles/${created.body.titleId}`, special());

    // Assess
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ type: 'enterprise-special', status: 'pending-review' });
    expect(edited.body.reviewDueBy).toMatch(/T00:00:00\+08:00$/);
  });
});

describe('titles in use', () => {
  it('a title used by an open application cannot be deleted or changed (409 CONFLICT); once closed it can', async () => {
    // Prepare
    const { api } = await customer({ records: [order(uniqueId('o'), { cashAmount: 20_000 })] });
    const used = await api.post('/v1/titles', ordinary());
    const unused = await api.post('/v1/titles', ordinary({ name: '另一家公司' }));
    const application = await api.post('/v1/applications', {
      mode: 'amount',
      amount: 10_000,
      titleId: used.body.titleId,
      delivery: { medium: 'electronic', email: 'finance@example.com' },
    });
    expect(application.status).toBe(201);

    // Act
    const deleted = await api.request('DELETE', `/v1/titles/${used.body.titleId}`);
    const changed = await api.request('PUT', `/v1/titles/${used.body.titleId}`, ordinary({ name: '改名' }));
    const otherDeleted = await api.request('DELETE', `/v1/titles/${unused.body.titleId}`);

    // Assess
    expect(deleted.status).toBe(409);
    expect(deleted.body.code).toBe('CONFLICT');
    expect(deleted.body.detail).toMatch(/used by an application that is still open/);
    expect(changed.status).toBe(409);
    expect((await api.get(`/v1/titles/${used.body.titleId}`)).body.name).toBe('杭州示例科技有限公司');
    expect(otherDeleted.status).toBe(204);
    expect((await api.get(`/v1/titles/${unused.body.titleId}`)).status).toBe(404);

    // Act: the application reaches a closed status (its workflow done, then marked delivered)
    await finishedExecution(executionArnOf(application.body.applicationId));
    await documents().send(
      new UpdateCommand({
        TableName: inject('tableName'),
        Key: { pk: `APPLICATION#${application.body.applicationId}`, sk: 'APPLICATION' },
        UpdateExpression: 'SET #status = :delivered',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':delivered': 'delivered' },
      }),
    );
    const deletedLater = await api.request('DELETE', `/v1/titles/${used.body.titleId}`);

    // Assess
    expect(deletedLater.status).toBe(204);
    expect((await api.get(`/v1/titles/${used.body.titleId}`)).status).toBe(404);
  });
});

describe('isolation, paging, idempotency and bad input', () => {
  it('another account’s title answers 404 on read, change and delete, and is not listed', async () => {
    // Prepare
    const owner = await customer();
    const title = await owner.api.post('/v1/titles', ordinary());
    const intruder = await customer();

    // Act
    const read = await intruder.api.get(`/v1/titles/${title.body.titleId}`);
    const changed = await intruder.api.request(
      'PUT',
      `/v1/titles/${title.body.titleId}`,
      ordinary({ name: 'x' }),
    );
    const deleted = await intruder.api.request('DELETE', `/v1/titles/${title.body.titleId}`);
    const list = await intruder.api.get('/v1/titles');

    // Assess
    expect([read.status, changed.status, deleted.status]).toEqual([404, 404, 404]);
    expect(read.body.code).toBe('NOT_FOUND');
    expect(list.body.items).toEqual([]);
    expect((await owner.api.get(`/v1/titles/${title.body.titleId}`)).body.name).toBe('杭州示例科技有限公司');
  });

  it('lists titles page by page with a cursor, and refuses a cursor it did not give out', async () => {
    // Prepare
    const { api } = await customer();
    for (const name of ['甲公司', '乙公司', '丙公司'])
      expect((await api.post('/v1/titles', ordinary({ name }))).status).toBe(201);

    // Act
    const first = await api.get('/v1/titles?limit=2');
    const second = await api.get(`/v1/titles?limit=2&cursor=${first.body.nextCursor}`);
    const forged = await api.get(`/v1/titles?cursor=${Buffer.from('TITLE#x').toString('base64url')}`);
    const tooMany = await api.get('/v1/titles?limit=101');

    // Assess
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const names = [...first.body.items, ...second.body.items].map((t: { name: string }) => t.name);
    expect(names.sort()).toEqual(['丙公司', '乙公司', '甲公司'].sort());
    expect(forged.status).toBe(400);
    expect(paths(forged.body)).toEqual(['query.cursor']);
    expect(tooMany.status).toBe(400);
    expect(paths(tooMany.body)).toEqual(['query.limit']);
  });

  it('replays the first response for a repeated Idempotency-Key and refuses it with another body', async () => {
    // Prepare
    const { api } = await customer();
    const key = uniqueId('key');

    // Act
    const first = await api.post('/v1/titles', ordinary(), { 'idempotency-key': key });
    const again = await api.post('/v1/titles', ordinary(), { 'idempotency-key': key });
    const different = await api.post('/v1/titles', ordinary({ name: '别的公司' }), {
      'idempotency-key': key,
    });

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await api.get('/v1/titles')).body.items).toHaveLength(1);
  });

  it('bad input (wrong types, missing fields, oversized strings, unknown fields, bad JSON) is a 400 with field paths and writes nothing', async () => {
    // Prepare
    const { api } = await customer();
    const existing = await api.post('/v1/titles', ordinary());

    // Act
    const wrongTypes = await api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: 123,
      taxId: 91330106,
    });
    const missing = await api.post('/v1/titles', {});
    const oversized = await api.post(
      '/v1/titles',
      ordinary({ name: '长'.repeat(101), remark: 'r'.repeat(201) }),
    );
    const unknownField = await api.post('/v1/titles', ordinary({ status: 'approved' }));
    const badEmail = await api.post('/v1/titles', special({ notifyEmail: 'not-an-email' }));
    const badJson = await api.post('/v1/titles', '{"type":');
    const badPut = await api.request('PUT', `/v1/titles/${existing.body.titleId}`, ordinary({ name: '' }));

    // Assess
    expect(paths(wrongTypes.body).sort()).toEqual(['body.name', 'body.taxId']);
    expect(paths(missing.body).sort()).toEqual(['body.name', 'body.type']);
    expect(paths(oversized.body).sort()).toEqual(['body.name', 'body.remark']);
    expect(paths(unknownField.body)).toEqual(['body']);
    expect(paths(badEmail.body)).toEqual(['body.notifyEmail']);
    for (const response of [wrongTypes, missing, oversized, unknownField, badEmail, badJson, badPut]) {
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
    const list = await api.get('/v1/titles');
    expect(list.body.items).toEqual([existing.body]);
  });
});
