import { describe, expect, it } from 'vitest';
import { clientFor, clientWithToken, daysAgo, givenAccount, order, uniqueId } from '../support/api.ts';
import { executionArnOf, finishedExecution } from '../support/aws.ts';

/** An account with two delivered applications: 2 invoices, one of them with two lines (two months). */
async function invoicedCustomer(buyer: string) {
  const accountId = uniqueId('inv');
  await givenAccount(accountId, {
    records: [
      order(uniqueId('o'), { cashAmount: 10_600, period: '2026-09', paidAt: daysAgo(25) }),
      order(uniqueId('o'), { cashAmount: 5_300, period: '2026-10', paidAt: daysAgo(22) }),
      order(uniqueId('o'), { cashAmount: 11_300, entity: 'cn-sh-01', taxRate: '0.13', paidAt: daysAgo(15) }),
    ],
  });
  const api = await clientFor(accountId);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: buyer,
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  const applied = [];
  for (const amount of [15_900, 11_300]) {
    const created = await api.post('/v1/applications', {
      mode: 'amount',
      amount,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    expect(created.status).toBe(201);
    applied.push(created.body.applicationId as string);
    // One after the other, so the second application's invoices are the newest.
    expect((await finishedExecution(executionArnOf(created.body.applicationId))).status).toBe('SUCCEEDED');
  }
  return { accountId, api, applied };
}

describe('R29 issued invoices: list and export', () => {
  it('R29 lists the account’s invoices newest first, page by page, and no one else’s', async () => {
    // Prepare
    const c = await invoicedCustomer('杭州示例科技有限公司');
    const stranger = await clientFor(uniqueId('stranger'));

    // Act
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await c.api.get(`/v1/invoices?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.nextCursor;
    } while (cursor);
    const forged = await c.api.get('/v1/invoices?cursor=bm90LWEtY3Vyc29y');
    const others = await stranger.get('/v1/invoices');

    // Assess
    const items = pages.flatMap((p) => p.items);
    expect(items).toHaveLength(2);
    expect(pages[0].items).toHaveLength(1);
    expect(pages[0].nextCursor).toBeDefined();
    const issuedAt = items.map((i: { issuedAt: string }) => Date.parse(i.issuedAt));
    expect(issuedAt).toEqual([...issuedAt].sort((a, b) => b - a));
    expect(items[0].applicationId).toBe(c.applied[1]);
    expect(items[0]).toMatchObject({ kind: 'blue', status: 'issued', entity: 'cn-sh-01', amount: 11_300 });
    expect(items[0].issuedAt).toMatch(/\+08:00$/);
    expect(items[0]).not.toHaveProperty('seller');
    expect(items[0]).not.toHaveProperty('pdfKey');
    expect(forged.status).toBe(400);
    expect(others.body.items).toEqual([]);
  });

  it('R29 exports one CSV row per invoice line, UTF-8 with BOM and CRLF, quoted, in yuan, China time', async () => {
    // Prepare: a buyer name with a comma and a quote must survive CSV quoting
    const buyer = '杭州"示例",科技有限公司';
    const c = await invoicedCustomer(buyer);

    // Act
    const csv = await c.api.get('/v1/invoices/export.csv');
    const before = await c.api.get('/v1/invoices/export.csv?from=2020-01-01&to=2020-01-31');
    const inverted = await c.api.get('/v1/invoices/export.csv?from=2026-02-01&to=2026-01-01');

    // Assess
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="invoices-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = Buffer.from(csv.raw);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = text.slice(0, -2).split('\r\n');
    expect(rows[0]).toBe(
      '发票号码 Invoice number,开票日期 Issued at,种类 Kind,销售方 Entity,销售方名称 Seller,购买方 Buyer,' +
        '购买方税号 Buyer tax ID,项目 Item,规格 Period,税率 Tax rate,金额 Amount excl. tax (CNY),' +
        '税额 Tax (CNY),价税合计 Total (CNY),状态 Status',
    );
    expect(rows).toHaveLength(1 + 3); // bj invoice with 2026-09 and 2026-10 lines, sh invoice with one
    const quotedBuyer = '"杭州""示例"",科技有限公司"';
    for (const row of rows.slice(1)) expect(row).toContain(`,${quotedBuyer},`);
    const september = rows.find((r) => r.includes(',2026-09,'))!;
    expect(september).toMatch(
      /^\d{20},\d{4}-\d{2}-\d{2}T[\d:.]+\+08:00,blue,cn-bj-01,北京云启计算技术有限公司,/,
    );
    expect(september.endsWith(',0.06,100.00,6.00,106.00,issued')).toBe(true);
    const shanghai = rows.find((r) => r.includes(',cn-sh-01,'))!;
    expect(shanghai.endsWith(',0.13,100.00,13.00,113.00,issued')).toBe(true);
    expect(before.status).toBe(200);
    expect(Buffer.from(before.raw).subarray(3).toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(
      1,
    );
    expect(inverted.status).toBe(400);
  });

  it('R29 the export literal path is not taken for an invoice id, and needs a token', async () => {
    const anonymous = clientWithToken(undefined);
    const c = await clientFor(uniqueId('empty'));
    const empty = await c.get('/v1/invoices/export.csv?from=2026-01-01&to=2026-01-02');
    const missing = await c.get('/v1/invoices/export.json');
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(missing.status).toBe(404);
    expect((await anonymous.get('/v1/invoices/export.csv')).status).toBe(401);
  });
});
