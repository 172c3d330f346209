import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PutAccountBody } from '#schemas/accounts';
import { AddressBody } from '#schemas/addresses';
import { UpsertBillingRecordsBody } from '#schemas/billing-records';
import { ApplicationDecisionBody, PaperStockNoticeBody } from '#schemas/invoices';
import { ReturnBody } from '#schemas/returns';
import { BIDI_MESSAGE, CONTROL_MESSAGE, text, WELL_FORMED_MESSAGE } from '#schemas/text';
import { TitleBody, TitleDecisionBody } from '#schemas/titles';
import { WebhookBody } from '#schemas/webhooks';
import * as z from '#schemas/zod';

const single = text({ max: 500 });
const printed = text({ max: 500, printed: true });
const messages = (schema: z.ZodMiniType, value: unknown) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

/** Text as customers write it: CJK (BMP and beyond), Latin with accents, digits, punctuation, spaces. */
const ordinaryChar = fc.oneof(
  fc.integer({ min: 0x4e00, max: 0x9fff }),
  fc.integer({ min: 0x20000, max: 0x2a6df }),
  fc.integer({ min: 0x21, max: 0x7e }),
  fc.integer({ min: 0xc0, max: 0x17f }),
  fc.constantFrom(0x20, 0x3000, 0xff08, 0xff09, 0xff0c, 0x3001, 0x3002, 0x2014),
);
const ordinaryText = fc
  .array(ordinaryChar, { minLength: 1, maxLength: 60 })
  .map((points) => `x${String.fromCodePoint(...points)}x`);

/** `ch` put between two code points of `base`, away from the ends (trimming does not reach it). */
const withInside = (ch: fc.Arbitrary<string>) =>
  fc.tuple(fc.array(ordinaryChar, { maxLength: 40 }), ch, fc.nat()).map(([points, c, at]) => {
    const chars = points.map((p) => String.fromCodePoint(p));
    const i = chars.length === 0 ? 0 : at % (chars.length + 1);
    return `a${chars.slice(0, i).join('')}${c}${chars.slice(i).join('')}b`;
  });

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u));
const control = fc
  .oneof(
    fc.integer({ min: 0, max: 0x1f }),
    fc.integer({ min: 0x7f, max: 0x9f }),
    fc.constantFrom(0x2028, 0x2029),
  )
  .map((u) => String.fromCharCode(u));
const bidi = fc
  .constantFrom(
    0x202a,
    0x202b,
    0x202c,
    0x202d,
    0x202e,
    0x2066,
    0x2067,
    0x2068,
    0x2069,
    0x200e,
    0x200f,
    0x061c,
  )
  .map((u) => String.fromCharCode(u));

describe('the text rule', () => {
  it('passes ordinary Chinese and English text, trimmed', () => {
    fc.assert(
      fc.property(ordinaryText, (value) => {
        expect(printed.parse(`  ${value} `)).toBe(value);
        expect(single.parse(value)).toBe(value);
      }),
    );
    expect(printed.parse('𠮷野家（杭州）餐饮管理有限公司')).toBe('𠮷野家（杭州）餐饮管理有限公司');
    expect(printed.parse("O'Brien & Partners (Shanghai) Co., Ltd.")).toBe(
      "O'Brien & Partners (Shanghai) Co., Ltd.",
    );
  });

  it('refuses any string with a lone surrogate', () => {
    fc.assert(
      fc.property(withInside(loneSurrogate), (value) => {
        expect(messages(single, value)).toEqual([WELL_FORMED_MESSAGE]);
      }),
    );
    // A pair is one character: allowed; either half alone is not, wherever it is.
    expect(messages(single, '\ud83d\ude00')).toEqual([]);
    expect(messages(single, '\ude00\ud83d')).toEqual([WELL_FORMED_MESSAGE]);
    expect(messages(single, '\ud800')).toEqual([WELL_FORMED_MESSAGE]);
  });

  it('refuses any string with a control character (C0, DEL, C1) or a line separator', () => {
    fc.assert(
      fc.property(withInside(control), (value) => {
        expect(messages(single, value)).toEqual([CONTROL_MESSAGE]);
        expect(messages(printed, value)).toEqual([CONTROL_MESSAGE]);
      }),
    );
  });

  it('refuses bidirectional controls in printed fields only', () => {
    fc.assert(
      fc.property(withInside(bidi), (value) => {
        expect(messages(printed, value)).toEqual([BIDI_MESSAGE]);
        expect(messages(single, value)).toEqual([]);
      }),
    );
  });

  it('bounds the length after trimming, and refuses blank unless the field allows it', () => {
    const short = text({ max: 3, printed: true });
    expect(short.parse(' 发票号 ')).toBe('发票号');
    expect(messages(short, '发票号码')).toHaveLength(1);
    expect(messages(short, '   ')).toHaveLength(1);
    expect(text({ max: 3, blank: true }).parse('  ')).toBe('');
  });
});

/**
 * Every free-text field of every request schema, with a valid body to put it in: the list of
 * docs/API.md "Text fields". A field's rule is checked through its schema, at its path.
 */
const USCC = '91330106MA2H00006X';
const special = {
  type: 'enterprise-special',
  name: '杭州示例科技有限公司',
  taxId: USCC,
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202 0000 0000 0000 000',
  remark: '项目 A-17',
};
const address = {
  recipient: '张三',
  phone: '13800138000',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  street: '文三路1号',
  postalCode: '310000',
};
const record = {
  accountId: 'acct-1',
  recordId: 'ord-1',
  kind: 'order',
  period: '2026-10',
  paidAt: '2026-11-01T00:00:00+08:00',
  entity: 'cn-bj-01',
  taxRate: '0.06',
  cashAmount: 100,
  productName: '云服务器',
  notInvoiceableReason: '数据同步中',
};

interface Field {
  schema: z.ZodMiniType;
  body: Record<string, unknown>;
  path: string[];
  max: number;
  printed: boolean;
}
const field = (
  schema: z.ZodMiniType,
  body: Record<string, unknown>,
  path: string[],
  max: number,
  printed: boolean,
) => ({
  schema,
  body,
  path,
  max,
  printed,
});

const TEXT_FIELDS: Field[] = [
  field(TitleBody, special, ['name'], 100, true),
  field(TitleBody, special, ['registeredAddress'], 200, true),
  field(TitleBody, special, ['bankName'], 100, true),
  field(TitleBody, special, ['remark'], 200, true),
  field(TitleDecisionBody, { approve: false, reason: '税号有误' }, ['reason'], 500, false),
  ...(['recipient', 'province', 'city', 'district'] as const).map((f) =>
    field(AddressBody, address, [f], 50, true),
  ),
  field(AddressBody, address, ['street'], 200, true),
  field(
    PutAccountBody,
    { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例' }, arrears: 0 },
    ['realName', 'name'],
    200,
    false,
  ),
  field(UpsertBillingRecordsBody, { records: [record] }, ['records', '0', 'productName'], 200, false),
  field(
    UpsertBillingRecordsBody,
    { records: [record] },
    ['records', '0', 'notInvoiceableReason'],
    200,
    false,
  ),
  field(
    PaperStockNoticeBody,
    { message: '纸票暂缺', expectedMailingDate: '2026-12-20' },
    ['message'],
    500,
    false,
  ),
  field(ApplicationDecisionBody, { approve: false, reason: '金额有误' }, ['reason'], 500, false),
  field(
    ReturnBody,
    { reason: 'ISSUE_ERROR', courier: '顺丰', trackingNumber: 'SF1234567890' },
    ['courier'],
    40,
    false,
  ),
  field(
    WebhookBody,
    { url: 'https://hooks.example.com/in', events: ['*'], description: 'ERP' },
    ['description'],
    200,
    false,
  ),
];

function withValue(body: Record<string, unknown>, path: string[], value: string): unknown {
  const copy = structuredClone(body);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path.at(-1)!] = value;
  return copy;
}

function issues(f: Field, value: string): [string, string][] {
  const parsed = f.schema.safeParse(withValue(f.body, f.path, value));
  return parsed.success ? [] : parsed.error.issues.map((i) => [i.path.join('.'), i.message]);
}

describe.each(
  TEXT_FIELDS.map((f) => [`${f.path.join('.')} of ${z.globalRegistry.get(f.schema)?.id}`, f] as const),
)('%s', (_, f) => {
  const at = f.path.join('.');
  it('takes ordinary text and refuses lone surrogates and control characters', () => {
    expect(f.schema.safeParse(f.body).success).toBe(true);
    expect(issues(f, '杭州 Acme 𠮷')).toEqual([]);
    expect(issues(f, '杭州\ud800')).toEqual([[at, WELL_FORMED_MESSAGE]]);
    expect(issues(f, '杭\u0000州')).toEqual([[at, CONTROL_MESSAGE]]);
    expect(issues(f, '杭\r\n州')).toEqual([[at, CONTROL_MESSAGE]]);
  });
  it(`is bounded at ${f.max} characters`, () => {
    expect(issues(f, '发'.repeat(f.max))).toEqual([]);
    expect(issues(f, '发'.repeat(f.max + 1)).map(([path]) => path)).toEqual([at]);
  });
  it(
    f.printed ? 'refuses bidirectional controls (printed)' : 'allows bidirectional marks (not printed)',
    () => {
      expect(issues(f, '杭州\u202E司公')).toEqual(f.printed ? [[at, BIDI_MESSAGE]] : []);
    },
  );
});

describe('docs/API.md "Text fields"', () => {
  const api = readFileSync(new URL('../../docs/API.md', import.meta.url), 'utf8');
  const section = api.slice(api.indexOf('## Text fields'));
  const rows = section
    .slice(0, section.indexOf('\n#', 1) === -1 ? undefined : section.indexOf('\n#', 1))
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => line.split('|').map((cell) => cell.trim()));

  it('lists every free-text field with its bound and whether it is printed', () => {
    const listed = rows.map(([, path, , max, printed]) => `${path} ${max} ${printed}`).sort();
    const expected = TEXT_FIELDS.map(
      (f) => `\`body.${f.path.join('.').replace('.0.', '[i].')}\` ${f.max} ${f.printed ? 'yes' : 'no'}`,
    );
    expect([...new Set(listed)].sort()).toEqual([...new Set(expected)].sort());
  });
});
