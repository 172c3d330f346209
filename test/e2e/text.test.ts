import { describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, tokenFor, uniqueId } from '../support/api.ts';

/** The one text rule for free-text fields (shared/schemas/text.ts, docs/API.md "Text fields"). */

const USCC = '91330106MA2H00006X';

const title = (fields: Record<string, unknown> = {}) => ({
  type: 'enterprise-ordinary',
  name: '杭州示例科技有限公司',
  taxId: USCC,
  ...fields,
});

const address = (fields: Record<string, unknown> = {}) => ({
  recipient: '张三',
  phone: '13800138000',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  street: '文三路1号',
  postalCode: '310000',
  ...fields,
});

async function customer() {
  const accountId = uniqueId('acct');
  await givenAccount(accountId);
  return { accountId, api: await clientFor(accountId) };
}

type Problem = { code: string; errors?: { path: string; message: string }[] };
const errorsOf = (body: Problem) => (body.errors ?? []).map((e) => [e.path, e.message]);

describe('free text is well-formed Unicode', () => {
  it('a lone surrogate in a title name, remark or address field is 400 at that field, and nothing is stored', async () => {
    // Prepare
    const { api } = await customer();

    // Act (JSON.stringify writes a lone surrogate as the escape \ud800)
    const name = await api.post('/v1/titles', title({ name: '杭州\ud800科技' }));
    const remark = await api.post('/v1/titles', title({ remark: 'a\udc00' }));
    const street = await api.post('/v1/addresses', address({ street: '文三路\ud83d号' }));
    const recipient = await api.post('/v1/addresses', address({ recipient: '\udfff张三' }));

    // Assess
    const message = 'must be well-formed Unicode (no lone surrogates)';
    expect([name.status, name.body.code, errorsOf(name.body)]).toEqual([
      400,
      'VALIDATION_FAILED',
      [['body.name', message]],
    ]);
    expect(errorsOf(remark.body)).toEqual([['body.remark', message]]);
    expect(errorsOf(street.body)).toEqual([['body.street', message]]);
    expect(errorsOf(recipient.body)).toEqual([['body.recipient', message]]);
    for (const response of [remark, street, recipient]) expect(response.status).toBe(400);
    expect((await api.get('/v1/titles')).body.items).toEqual([]);
    expect((await api.get('/v1/addresses')).body.items).toEqual([]);
  });

  it('a body that is not UTF-8 is 400 VALIDATION_FAILED, never stored as U+FFFD', async () => {
    // Prepare
    const { accountId, api } = await customer();
    const token = await tokenFor(accountId);
    const send = (bytes: Buffer) =>
      fetch(`${inject('apiUrl')}/v1/titles`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: bytes,
      });
    const json = (name: Buffer) =>
      Buffer.concat([
        Buffer.from(`{"type":"enterprise-ordinary","taxId":"${USCC}","name":"`),
        name,
        Buffer.from('"}'),
      ]);

    // Act: a stray byte, a truncated sequence, an encoded surrogate (CESU-8), an overlong "/"
    const responses = [];
    for (const bad of [[0xff], [0xe6, 0x9d], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const response = await send(json(Buffer.concat([Buffer.from('杭州'), Buffer.from(bad)])));
      responses.push({
        status: response.status,
        type: response.headers.get('content-type'),
        body: await response.json(),
      });
    }
    const good = await send(json(Buffer.from('杭州𠮷科技有限公司', 'utf8')));

    // Assess
    for (const response of responses) {
      expect(response).toEqual({
        status: 400,
        type: 'application/problem+json',
        body: expect.objectContaining({
          code: 'VALIDATION_FAILED',
          errors: [{ path: 'body', message: 'must be UTF-8 text' }],
        }),
      });
    }
    expect(good.status).toBe(201);
    const items: { name: string }[] = (await api.get('/v1/titles')).body.items;
    expect(items.map((t) => t.name)).toEqual(['杭州𠮷科技有限公司']);
  });
});

describe('free text has no control characters', () => {
  it("NUL, CR or LF in the billing system's realName.name is 400, and the account stays as it was", async () => {
    // Prepare
    const billing = await clientFor('billing-system', ['billing-system']);
    const accountId = uniqueId('acct');
    const profile = (name: string) => ({
      region: 'mainland',
      realName: { type: 'enterprise', name },
      arrears: 0,
    });

    // Act
    const nul = await billing.put(`/v1/internal/accounts/${accountId}`, profile('杭州\u0000示例'));
    const crlf = await billing.put(`/v1/internal/accounts/${accountId}`, profile('杭州\r\n示例'));
    const tab = await billing.put(`/v1/internal/accounts/${accountId}`, profile('杭州\t示例'));
    const account = await (await clientFor(accountId)).get('/v1/account');

    // Assess
    for (const response of [nul, crlf, tab]) {
      expect([response.status, response.body.code, errorsOf(response.body)]).toEqual([
        400,
        'VALIDATION_FAILED',
        [['body.realName.name', 'must not contain control characters (line breaks, tabs)']],
      ]);
    }
    expect(account.body).toMatchObject({ synced: false, realName: { type: 'none' } });
  });

  it('the paper-stock notice is one line: CR, LF, a line separator or NUL is 400 at body.message', async () => {
    // Prepare
    const staff = await clientFor('staff-1', ['finance']);
    const notice = (message: string) => ({ message, expectedMailingDate: '2026-12-20' });

    // Act
    const responses = await Promise.all(
      [
        '纸票暂缺\n预计下周寄出',
        '纸票暂缺\r预计下周寄出',
        '纸票暂缺\u2028预计下周寄出',
        '纸票\u0000暂缺',
      ].map((m) => staff.put('/v1/admin/paper-stock-notice', notice(m))),
    );

    // Assess
    for (const response of responses) {
      expect([response.status, response.body.code, errorsOf(response.body)]).toEqual([
        400,
        'VALIDATION_FAILED',
        [['body.message', 'must not contain control characters (line breaks, tabs)']],
      ]);
    }
  });
});

describe('text printed on an invoice or a parcel has no bidirectional controls', () => {
  it('U+202E (and the other bidi controls) in a buyer name, bank or address is 400; nothing is stored', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const name = await api.post('/v1/titles', title({ name: '杭州示例\u202E司公限有' }));
    const isolate = await api.post('/v1/titles', title({ name: 'Acme \u2067Ltd\u2069' }));
    const bank = await api.post('/v1/titles', {
      type: 'enterprise-special',
      name: '杭州示例科技有限公司',
      taxId: USCC,
      registeredAddress: '杭州市西湖区文三路1号',
      registeredPhone: '0571-88888888',
      bankName: '中国工商银行\u200F杭州文三支行',
      bankAccount: '1202 0000 0000 0000 000',
    });
    const street = await api.post('/v1/addresses', address({ street: '文三路\u202D1号' }));

    // Assess
    const message = 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';
    expect(errorsOf(name.body)).toEqual([['body.name', message]]);
    expect(errorsOf(isolate.body)).toEqual([['body.name', message]]);
    expect(errorsOf(bank.body)).toEqual([['body.bankName', message]]);
    expect(errorsOf(street.body)).toEqual([['body.street', message]]);
    for (const response of [name, isolate, bank, street]) {
      expect([response.status, response.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect((await api.get('/v1/titles')).body.items).toEqual([]);
    expect((await api.get('/v1/addresses')).body.items).toEqual([]);
  });

  it('ordinary Chinese and English text, inner spaces and characters outside the BMP pass as sent', async () => {
    // Prepare
    const { api } = await customer();

    // Act
    const chinese = await api.post(
      '/v1/titles',
      title({ name: '  𠮷野家（杭州）餐饮管理有限公司 ', remark: '项目编号 A-17；合同 #3' }),
    );
    const english = await api.post(
      '/v1/titles',
      title({ name: "O'Brien & Partners (Shanghai) Co., Ltd.", remark: '' }),
    );
    const home = await api.post(
      '/v1/addresses',
      address({ recipient: 'Zoë Müller', street: '文三路1号 2幢 301室' }),
    );

    // Assess
    expect([chinese.status, chinese.body.name, chinese.body.remark]).toEqual([
      201,
      '𠮷野家（杭州）餐饮管理有限公司',
      '项目编号 A-17；合同 #3',
    ]);
    expect([english.status, english.body.name]).toEqual([201, "O'Brien & Partners (Shanghai) Co., Ltd."]);
    expect([home.status, home.body.recipient, home.body.street]).toEqual([
      201,
      'Zoë Müller',
      '文三路1号 2幢 301室',
    ]);
  });
});
