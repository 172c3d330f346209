import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import {
  type ApiClient,
  clientFor,
  daysAgo,
  givenAccount,
  order,
  uniqueId,
  waitFor,
} from '../support/api.ts';
import { documents } from '../support/aws.ts';

/** Every record of the caller, page by page (R10). */
async function allRecords(client: ApiClient, query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1_000; page++) {
    const separator = query ? '&' : '';
    const response = await client.get(
      `/v1/billing-records?${query}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(response.status).toBe(200);
    items.push(...response.body.items);
    cursor = response.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('too many pages');
}

function byId(records: any[]): Record<string, any> {
  return Object.fromEntries(records.map((r) => [r.recordId, r]));
}

function formulaTotal(f: Record<string, number>): number {
  return f.consumedCash! - f.negatives! - f.invoiced! - f.reserved! - f.arrearsOffset! - f.deficit!;
}

async function customer(records: Record<string, unknown>[], options: { arrears?: number } = {}) {
  const accountId = uniqueId('acct');
  await givenAccount(accountId, { records, arrears: options.arrears });
  return { accountId, client: await clientFor(accountId) };
}

async function approvedTitle(client: ApiClient): Promise<string> {
  const title = await client.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  return title.body.titleId;
}

const billing = () => clientFor('billing-system', ['billing-system']);

describe('what is invoiceable, per record and in all', () => {
  it('R5 only the cash part of consumption is invoiceable: vouchers and recharges never, marketplace consumption yes', async () => {
    // Prepare
    const { client } = await customer([
      order('mixed', { cashAmount: 7_000, voucherAmount: 3_000 }),
      order('voucher-only', { cashAmount: 0, voucherAmount: 5_000 }),
      order('marketplace', { cashAmount: 2_500, productName: '云市场 · 第三方堡垒机 月付' }),
      order('top-up', { kind: 'recharge', cashAmount: 50_000 }),
    ]);

    // Act
    const records = byId(await allRecords(client));
    const invoiceable = await client.get('/v1/invoiceable');

    // Assess
    expect(records.mixed).toMatchObject({
      cashAmount: 7_000,
      voucherAmount: 3_000,
      invoiceableAmount: 7_000,
      status: 'invoiceable',
    });
    expect(records['voucher-only']).toMatchObject({
      invoiceableAmount: 0,
      status: 'not-invoiceable',
      notInvoiceableReason: 'PAID_BY_VOUCHER',
    });
    expect(records.marketplace).toMatchObject({ invoiceableAmount: 2_500, status: 'invoiceable' });
    expect(records['top-up']).toMatchObject({
      kind: 'recharge',
      invoiceableAmount: 0,
      status: 'not-invoiceable',
      notInvoiceableReason: 'RECHARGE_NOT_CONSUMPTION',
    });
    expect(invoiceable.body.amount).toBe(9_500);
    expect(invoiceable.body.formula.consumedCash).toBe(9_500);
  });

  it('R6 a failed order is not invoiceable; a partly failed one, once cancelled, only for its fulfilled part', async () => {
    // Prepare
    const { accountId, client } = await customer([
      order('failed', { cashAmount: 8_800, fulfilment: 'failed' }),
      order('partial', { cashAmount: 10_000, fulfilment: 'partially-failed', fulfilledCashAmount: 6_000 }),
    ]);
    const before = byId(await allRecords(client));

    // Act: the failed 4 000 of the partial order is refunded when it is cancelled.
    const refund = await (await billing()).post('/v1/internal/billing-records', {
      records: [
        order('partial-refund', { accountId, kind: 'refund', parentRecordId: 'partial', cashAmount: -4_000 }),
      ],
    });
    const after = byId(await allRecords(client));
    const invoiceable = await client.get('/v1/invoiceable');

    // Assess
    expect(refund.status).toBe(200);
    expect(before.failed).toMatchObject({
      fulfilment: 'failed',
      invoiceableAmount: 0,
      status: 'not-invoiceable',
      notInvoiceableReason: 'FULFILMENT_FAILED',
    });
    expect(before.partial).toMatchObject({ fulfilledCashAmount: 6_000, invoiceableAmount: 6_000 });
    expect(after.partial).toMatchObject({ negativesAmount: -4_000, invoiceableAmount: 6_000 });
    expect(invoiceable.body.amount).toBe(6_000);
  });

  it('R7 negatives are linked to their original record, shown as negative documents, and reduce it', async () => {
    // Prepare
    const { accountId, client } = await customer([order('vm', { cashAmount: 10_000 })]);

    // Act
    const negatives = await (await billing()).post('/v1/internal/billing-records', {
      records: [
        order('vm-refund', { accountId, kind: 'refund', parentRecordId: 'vm', cashAmount: -2_000 }),
        order('vm-downgrade', { accountId, kind: 'adjustment', parentRecordId: 'vm', cashAmount: -500 }),
      ],
    });
    const records = byId(await allRecords(client));
    const invoiceable = await client.get('/v1/invoiceable');

    // Assess
    expect(negatives.status).toBe(200);
    expect(records.vm).toMatchObject({
      cashAmount: 10_000,
      negativesAmount: -2_500,
      invoiceableAmount: 7_500,
    });
    for (const id of ['vm-refund', 'vm-downgrade']) {
      expect(records[id]).toMatchObject({
        parentRecordId: 'vm',
        invoiceableAmount: 0,
        status: 'negative',
        notInvoiceableReason: 'NEGATIVE_DOCUMENT',
      });
      expect(records[id].cashAmount).toBeLessThan(0);
    }
    expect(invoiceable.body.formula).toMatchObject({ consumedCash: 10_000, negatives: 2_500, amount: 7_500 });
  });

  it('R7 a negative selected alone is refused; its original record brings it along', async () => {
    // Prepare
    const { accountId, client } = await customer([order('vm', { cashAmount: 10_000 })]);
    await (await billing()).post('/v1/internal/billing-records', {
      records: [order('vm-refund', { accountId, kind: 'refund', parentRecordId: 'vm', cashAmount: -2_000 })],
    });
    const titleId = await approvedTitle(client);
    const delivery = { medium: 'electronic', email: `${accountId}@example.com` };

    // Act
    const alone = await client.post('/v1/applications', {
      mode: 'orders',
      recordIds: ['vm-refund'],
      titleId,
      delivery,
    });
    const both = await client.post('/v1/applications', {
      mode: 'orders',
      recordIds: ['vm', 'vm-refund'],
      titleId,
      delivery,
    });

    // Assess
    expect(alone.status).toBe(422);
    expect(alone.body.code).toBe('NEGATIVE_RECORD_ALONE');
    expect(both.status).toBe(201);
    expect(both.body.total).toBe(8_000);
  });

  it('R8 a record is temporarily not invoiceable with its reason and date, and becomes invoiceable after', async () => {
    // Prepare: one record clears in a few seconds; one was just paid (payment data syncs 3 days).
    const eligibleFrom = new Date(Date.now() + 8_000).toISOString();
    const justPaid = new Date().toISOString();
    const { client } = await customer([
      order('settled', { cashAmount: 1_000 }),
      order('clearing', { cashAmount: 2_000, eligibleFrom, notInvoiceableReason: 'BANK_TRANSFER_CLEARING' }),
      order('fresh', { cashAmount: 4_000, paidAt: justPaid }),
    ]);

    // Act
    const early = byId(await allRecords(client));
    const earlyAmount = (await client.get('/v1/invoiceable')).body.amount;
    const later = await waitFor(async () => {
      const r = await client.get('/v1/invoiceable');
      return r.body.amount === 3_000 ? r.body : undefined;
    }, 'the clearing record to become invoiceable');
    const laterRecords = byId(await allRecords(client));

    // Assess
    expect(early.clearing).toMatchObject({
      status: 'temporarily-not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'BANK_TRANSFER_CLEARING',
    });
    expect(Date.parse(early.clearing.eligibleFrom)).toBe(Date.parse(eligibleFrom));
    expect(early.clearing.eligibleFrom).toMatch(/\+08:00$/);
    expect(early.fresh).toMatchObject({
      status: 'temporarily-not-invoiceable',
      notInvoiceableReason: 'PAYMENT_DATA_SYNCING',
    });
    expect(Date.parse(early.fresh.eligibleFrom)).toBe(Date.parse(justPaid) + 3 * 86_400_000);
    expect(earlyAmount).toBe(1_000);
    expect(later.formula.consumedCash).toBe(3_000);
    expect(laterRecords.clearing).toMatchObject({ status: 'invoiceable', invoiceableAmount: 2_000 });
    expect(laterRecords.fresh.status).toBe('temporarily-not-invoiceable');
  });

  it('R8 records that become eligible at many instants count once each, also after their instants are folded', async () => {
    // Prepare: nine records eligible in a few seconds, each at its own instant (an aggregate item each).
    const soon = Date.now() + 3_000;
    const { accountId, client } = await customer([
      order('settled', { cashAmount: 1_000 }),
      ...Array.from({ length: 9 }, (_, i) =>
        order(`clearing-${i}`, { cashAmount: 100 * (i + 1), eligibleFrom: new Date(soon + i).toISOString() }),
      ),
    ]);
    const ledgerItems = async () =>
      (
        await documents().send(
          new QueryCommand({
            TableName: inject('tableName'),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :ledger)',
            ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':ledger': 'LEDGER#' },
            ConsistentRead: true,
          }),
        )
      ).Items ?? [];
    const instantsBefore = (await ledgerItems()).length;
    const early = (await client.get('/v1/invoiceable')).body;

    // Act: the first read after the instants passed counts them and folds them; the next reads the main item alone.
    const passed = await waitFor(async () => {
      const r = await client.get('/v1/invoiceable');
      return r.body.amount === 5_500 ? r.body : undefined;
    }, 'the clearing records to become invoiceable');
    const instantsAfter = (await ledgerItems()).length;
    const folded = (await client.get('/v1/invoiceable')).body;

    // Assess
    expect(instantsBefore).toBe(9);
    expect(early.amount).toBe(1_000);
    expect(passed.formula.consumedCash).toBe(5_500);
    expect(instantsAfter).toBe(0);
    expect(folded).toEqual(passed);
  });

  it('R9 there is no cap on the amount: a very large consumption is invoiceable and can be applied for in full', async () => {
    // Prepare: 100 亿元 in one order.
    const huge = 1_000_000_000_000;
    const { accountId, client } = await customer([order('datacenter', { cashAmount: huge })]);
    const titleId = await approvedTitle(client);

    // Act
    const invoiceable = await client.get('/v1/invoiceable');
    const applied = await client.post('/v1/applications', {
      mode: 'amount',
      amount: huge,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });

    // Assess
    expect(invoiceable.body.amount).toBe(huge);
    expect(invoiceable.body.byEntity).toEqual([{ entity: 'cn-bj-01', taxRate: '0.06', amount: huge }]);
    expect(applied.status).toBe(201);
    expect(applied.body.total).toBe(huge);
  });

  it('R10 the formula adds up exactly, and every record shows its invoiceable amount or why it has none', async () => {
    // Prepare: a mixed ledger with arrears, a refund, and an open application (above the review
    // threshold, so it stays reserved while finance staff look at it).
    const { accountId, client } = await customer(
      [
        order('a', { cashAmount: 20_000_000, voucherAmount: 1_000, paidAt: daysAgo(40) }),
        order('b', { cashAmount: 8_000, paidAt: daysAgo(30), kind: 'monthly-bill', period: '2026-09' }),
        order('c', { cashAmount: 5_000, fulfilment: 'failed' }),
        order('d', { cashAmount: 3_000, kind: 'recharge' }),
        order('e', { cashAmount: 6_000, paidAt: daysAgo(10) }),
      ],
      { arrears: 1_500 },
    );
    await (await billing()).post('/v1/internal/billing-records', {
      records: [
        order('a-refund', { accountId, kind: 'refund', parentRecordId: 'a', cashAmount: -2_000_000 }),
      ],
    });
    const titleId = await approvedTitle(client);
    const applied = await client.post('/v1/applications', {
      mode: 'amount',
      amount: 18_000_000,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    expect(applied.status).toBe(201);

    // Act
    const { body } = await client.get('/v1/invoiceable');
    const records = await allRecords(client);

    // Assess: 20 014 000 consumed − 2 000 000 refunded − 18 000 000 reserved − 1 500 arrears = 12 500.
    expect(body.formula).toEqual({
      consumedCash: 20_014_000,
      negatives: 2_000_000,
      invoiced: 0,
      reserved: 18_000_000,
      arrearsOffset: 1_500,
      deficit: 0,
      amount: 12_500,
    });
    expect(formulaTotal(body.formula)).toBe(body.amount);
    expect(body.byEntity.reduce((s: number, g: { amount: number }) => s + g.amount, 0)).toBe(body.amount);
    const shown = records.reduce((s, r) => s + r.invoiceableAmount, 0);
    expect(shown - body.formula.arrearsOffset - body.formula.deficit).toBe(body.amount);
    for (const record of records) {
      if (record.status === 'invoiceable') expect(record.notInvoiceableReason).toBeUndefined();
      else expect(record.notInvoiceableReason).toEqual(expect.any(String));
    }
    const reasons = Object.fromEntries(records.map((r) => [r.recordId, r.notInvoiceableReason]));
    expect(reasons).toEqual({
      a: 'RESERVED_BY_OPEN_APPLICATION',
      'a-refund': 'NEGATIVE_DOCUMENT',
      b: undefined,
      c: 'FULFILMENT_FAILED',
      d: 'RECHARGE_NOT_CONSUMPTION',
      e: undefined,
    });
    expect(byId(records).a).toMatchObject({
      status: 'reserved',
      negativesAmount: -2_000_000,
      reservedAmount: 18_000_000,
      invoiceableAmount: 0,
    });
  });

  it('R11 each record carries its entity and tax rate, and the amount is split by both', async () => {
    // Prepare
    const { client } = await customer([
      order('bj-service', { entity: 'cn-bj-01', taxRate: '0.06', cashAmount: 1_060 }),
      order('bj-hardware', { entity: 'cn-bj-01', taxRate: '0.13', cashAmount: 11_300 }),
      order('sh-service', { entity: 'cn-sh-01', taxRate: '0.06', cashAmount: 2_120 }),
      order('sh-service-2', { entity: 'cn-sh-01', taxRate: '0.06', cashAmount: 880 }),
    ]);

    // Act
    const invoiceable = await client.get('/v1/invoiceable');
    const shanghai = await allRecords(client, 'entity=cn-sh-01');

    // Assess
    expect(invoiceable.body.byEntity).toEqual([
      { entity: 'cn-bj-01', taxRate: '0.06', amount: 1_060 },
      { entity: 'cn-bj-01', taxRate: '0.13', amount: 11_300 },
      { entity: 'cn-sh-01', taxRate: '0.06', amount: 3_000 },
    ]);
    expect(shanghai.map((r) => [r.recordId, r.entity, r.taxRate])).toEqual([
      ['sh-service', 'cn-sh-01', '0.06'],
      ['sh-service-2', 'cn-sh-01', '0.06'],
    ]);
  });

  it('R12 under offset, arrears are taken off the invoiceable amount and a selection must leave them covered', async () => {
    // Prepare
    const { accountId, client } = await customer([order('only', { cashAmount: 10_000 })], { arrears: 3_000 });
    const titleId = await approvedTitle(client);
    const delivery = { medium: 'electronic', email: `${accountId}@example.com` };

    // Act
    const owing = await client.get('/v1/invoiceable');
    const wholeRecord = await client.post('/v1/applications', {
      mode: 'orders',
      recordIds: ['only'],
      titleId,
      delivery,
    });
    await (await billing()).put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
      arrears: 0,
    });
    const paid = await client.get('/v1/invoiceable');

    // Assess
    expect(owing.body.amount).toBe(7_000);
    expect(owing.body.formula).toMatchObject({ consumedCash: 10_000, arrearsOffset: 3_000, amount: 7_000 });
    expect(wholeRecord.status).toBe(422);
    expect(wholeRecord.body.code).toBe('ARREARS_OUTSTANDING');
    expect(paid.body.amount).toBe(10_000);
    expect(paid.body.formula.arrearsOffset).toBe(0);
  });

  it('R13 a refund of an invoiced record is a deficit, shown, and covered by later consumption first', async () => {
    // Prepare: 10 000 invoiced.
    const { accountId, client } = await customer([order('vm', { cashAmount: 10_000 })]);
    const titleId = await approvedTitle(client);
    const applied = await client.post('/v1/applications', {
      mode: 'amount',
      amount: 10_000,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    expect(applied.status).toBe(201);
    await waitFor(async () => {
      const r = await client.get(`/v1/applications/${applied.body.applicationId}`);
      // Electronic invoices move on to delivered once e-mailed.
      return ['issued', 'delivered'].includes(r.body.status) ? r.body : undefined;
    }, 'the invoice to be issued');
    const feed = await billing();

    // Act: 3 000 refunded after invoicing, then 5 000 of new consumption.
    await feed.post('/v1/internal/billing-records', {
      records: [order('vm-refund', { accountId, kind: 'refund', parentRecordId: 'vm', cashAmount: -3_000 })],
    });
    const owed = (await client.get('/v1/account')).body;
    const owedRecords = byId(await allRecords(client));
    await feed.post('/v1/internal/billing-records', {
      records: [order('disk', { accountId, cashAmount: 5_000 })],
    });
    const covered = (await client.get('/v1/account')).body;
    const coveredInvoiceable = (await client.get('/v1/invoiceable')).body;

    // Assess
    expect(owed).toMatchObject({ deficit: 3_000, invoiceable: 0 });
    expect(owedRecords.vm).toMatchObject({
      invoicedAmount: 10_000,
      negativesAmount: -3_000,
      status: 'deficit',
      notInvoiceableReason: 'NEGATIVE_AFTER_INVOICING',
      invoiceableAmount: 0,
    });
    expect(covered).toMatchObject({ deficit: 0, invoiceable: 2_000 });
    expect(coveredInvoiceable.formula).toEqual({
      consumedCash: 15_000,
      negatives: 3_000,
      invoiced: 7_000,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 3_000,
      amount: 2_000,
    });
    expect(formulaTotal(coveredInvoiceable.formula)).toBe(2_000);
  });
});

describe('GET /v1/billing-records', () => {
  it('R10 pages through every record with an opaque cursor, and filters by kind, entity, period and invoiceability', async () => {
    // Prepare: 230 records, one in ten failed, two periods, two entities, some recharges.
    const records = Array.from({ length: 230 }, (_, i) =>
      order(`r-${String(i).padStart(3, '0')}`, {
        cashAmount: 100 + i,
        fulfilment: i % 10 === 0 ? 'failed' : 'succeeded',
        period: i < 100 ? '2026-09' : '2026-10',
        entity: i % 2 === 0 ? 'cn-bj-01' : 'cn-sh-01',
        kind: i % 23 === 5 ? 'recharge' : 'order',
      }),
    );
    const accountId = uniqueId('acct');
    await givenAccount(accountId, { records });
    const client = await clientFor(accountId);

    // Act
    const first = await client.get('/v1/billing-records?limit=100');
    const all = await allRecords(client, 'limit=100');
    const notInvoiceable = await allRecords(client, 'invoiceable=false&limit=7');
    const invoiceable = await allRecords(client, 'invoiceable=true');
    const september = await allRecords(client, 'period=2026-09&entity=cn-sh-01&kind=order');
    const recharges = await allRecords(client, 'kind=recharge');

    // Assess
    expect(first.body.items).toHaveLength(100);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(all.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    const expectedOut = records.filter((r) => r.fulfilment === 'failed' || r.kind === 'recharge');
    expect(notInvoiceable.map((r) => r.recordId)).toEqual(expectedOut.map((r) => r.recordId));
    expect(invoiceable).toHaveLength(230 - expectedOut.length);
    expect(invoiceable.every((r) => r.status === 'invoiceable' && r.invoiceableAmount > 0)).toBe(true);
    expect(september.map((r) => r.recordId)).toEqual(
      records
        .filter((r) => r.period === '2026-09' && r.entity === 'cn-sh-01' && r.kind === 'order')
        .map((r) => r.recordId),
    );
    expect(recharges.map((r) => r.recordId)).toEqual(
      records.filter((r) => r.kind === 'recharge').map((r) => r.recordId),
    );
    expect(all[0]).toMatchObject({
      recordId: 'r-000',
      kind: 'order',
      period: '2026-09',
      entity: 'cn-bj-01',
      taxRate: '0.06',
      cashAmount: 100,
      voucherAmount: 0,
      invoicedAmount: 0,
      reservedAmount: 0,
    });
    expect(all[0].paidAt).toMatch(/\+08:00$/);
  });

  it('invariant 6 a cursor only ever reads the caller’s own records', async () => {
    // Prepare
    const owner = await customer([order('a-1'), order('a-2'), order('a-3')]);
    const page = await owner.client.get('/v1/billing-records?limit=1');
    const other = await customer([order('b-9')]);

    // Act
    const borrowed = await other.client.get(`/v1/billing-records?limit=5&cursor=${page.body.nextCursor}`);

    // Assess
    expect(page.body.items.map((r: any) => r.recordId)).toEqual(['a-1']);
    expect(borrowed.status).toBe(200);
    expect(borrowed.body.items.map((r: any) => r.recordId)).toEqual(['b-9']);
  });

  it.each([
    ['limit=0', 'query.limit'],
    ['limit=101', 'query.limit'],
    ['limit=ten', 'query.limit'],
    ['invoiceable=yes', 'query.invoiceable'],
    ['period=2026-13', 'query.period'],
    ['kind=gift', 'query.kind'],
    ['colour=red', 'query'],
    ['cursor=not-a-cursor', 'query.cursor'],
  ])('rejects the query %s with VALIDATION_FAILED problem+json', async (query, path) => {
    // Prepare
    const { client } = await customer([order('x')]);

    // Act
    const response = await client.get(`/v1/billing-records?${query}`);

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
  });
});

describe('POST /v1/internal/billing-records', () => {
  it('is idempotent: a resent batch changes and writes nothing', async () => {
    // Prepare
    const accountId = uniqueId('acct');
    await givenAccount(accountId);
    const feed = await billing();
    const batch = {
      records: [
        order('o-1', { accountId, cashAmount: 5_000 }),
        order('o-1-refund', { accountId, kind: 'refund', parentRecordId: 'o-1', cashAmount: -1_000 }),
      ],
    };
    const first = await feed.post('/v1/internal/billing-records', batch);

    // Act
    const again = await feed.post('/v1/internal/billing-records', batch);
    const records = byId(await allRecords(await clientFor(accountId)));

    // Assess
    expect(first.body).toEqual({ upserted: 2, written: 2 });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ upserted: 2, written: 0 });
    expect(records['o-1']).toMatchObject({ negativesAmount: -1_000, invoiceableAmount: 4_000 });
  });

  it('R16 invariant 1 a correction of a reserved record keeps its reservation and the title it is bound to', async () => {
    // Prepare: 15 000 000 of 20 000 000 reserved by an application waiting for finance review.
    const { accountId, client } = await customer([order('big', { cashAmount: 20_000_000 })]);
    const titleId = await approvedTitle(client);
    const applied = await client.post('/v1/applications', {
      mode: 'amount',
      amount: 15_000_000,
      titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    });
    expect(applied.status).toBe(201);

    // Act: the billing system corrects the product name and the cash amount.
    const corrected = await (await billing()).post('/v1/internal/billing-records', {
      records: [order('big', { accountId, cashAmount: 19_000_000, productName: '专属宿主机 包年' })],
    });
    const { Item } = await documents().send(
      new GetCommand({
        TableName: inject('tableName'),
        Key: { pk: `ACCOUNT#${accountId}`, sk: 'RECORD#big' },
      }),
    );
    const view = byId(await allRecords(client)).big;

    // Assess
    expect(corrected.status).toBe(200);
    expect(Item).toMatchObject({
      titleId,
      productName: '专属宿主机 包年',
      cashAmount: 19_000_000,
      reservedAmount: 15_000_000,
      availableAmount: 4_000_000,
    });
    expect(view).toMatchObject({ reservedAmount: 15_000_000, invoiceableAmount: 4_000_000 });
    expect((await client.get('/v1/invoiceable')).body.formula).toMatchObject({
      consumedCash: 19_000_000,
      reserved: 15_000_000,
      amount: 4_000_000,
    });
  });

  it('R7 R32 a batch that mixes accounts links each negative to the parent in its own account', async () => {
    // Prepare: both accounts have an order "shared-id"; only one of them sends a refund.
    const a = await customer([order('shared-id', { cashAmount: 10_000 })]);
    const b = await customer([order('shared-id', { cashAmount: 4_000 })]);

    // Act
    const mixed = await (await billing()).post('/v1/internal/billing-records', {
      records: [
        order('new-a', { accountId: a.accountId, cashAmount: 100 }),
        order('refund-b', {
          accountId: b.accountId,
          kind: 'refund',
          parentRecordId: 'shared-id',
          cashAmount: -1_000,
        }),
      ],
    });

    // Assess
    expect(mixed.status).toBe(200);
    expect(byId(await allRecords(a.client))['shared-id']).toMatchObject({
      negativesAmount: 0,
      invoiceableAmount: 10_000,
    });
    expect(byId(await allRecords(b.client))['shared-id']).toMatchObject({
      negativesAmount: -1_000,
      invoiceableAmount: 3_000,
    });
    expect((await a.client.get('/v1/invoiceable')).body.amount).toBe(10_100);
    expect((await b.client.get('/v1/invoiceable')).body.amount).toBe(3_000);
  });

  it.each<[string, (a: string, b: string) => unknown, string]>([
    [
      'a wrong type',
      (a) => ({ records: [order('n', { accountId: a, cashAmount: '100' })] }),
      'body.records.0.cashAmount',
    ],
    [
      'a missing field',
      (a) => {
        const { paidAt: _p, ...rest } = order('n', { accountId: a });
        return { records: [rest] };
      },
      'body.records.0.paidAt',
    ],
    [
      'a tax rate written loosely',
      (a) => ({ records: [order('n', { accountId: a, taxRate: '0.060' })] }),
      'body.records.0.taxRate',
    ],
    [
      'a made-up tax rate',
      (a) => ({ records: [order('n', { accountId: a, taxRate: '0.07' })] }),
      'body.records.0.taxRate',
    ],
    [
      'a time without offset',
      (a) => ({ records: [order('n', { accountId: a, paidAt: '2026-10-08 10:00' })] }),
      'body.records.0.paidAt',
    ],
    [
      'an unknown field',
      (a) => ({ records: [order('n', { accountId: a, colour: 'red' })] }),
      'body.records.0',
    ],
    [
      '501 records',
      (a) => ({ records: Array.from({ length: 501 }, (_, i) => order(`n-${i}`, { accountId: a })) }),
      'body.records',
    ],
    ['an empty batch', () => ({ records: [] }), 'body.records'],
    [
      'an unknown invoicing entity',
      (a) => ({ records: [order('n', { accountId: a, entity: 'cn-gz-09' })] }),
      'body.records.0.entity',
    ],
    [
      'a refund linked to another account’s record',
      (a, b) => ({
        records: [
          order('n', { accountId: a }),
          order('n-refund', { accountId: a, kind: 'refund', parentRecordId: 'b-order', cashAmount: -10 }),
          order('b-new', { accountId: b }),
        ],
      }),
      'body.records.1.parentRecordId',
    ],
    [
      'a refund without a parent',
      (a) => ({
        records: [
          order('n', { accountId: a }),
          order('n-refund', { accountId: a, kind: 'refund', cashAmount: -10 }),
        ],
      }),
      'body.records.1.parentRecordId',
    ],
    [
      'a positive refund',
      (a) => ({
        records: [order('n', { accountId: a, kind: 'refund', parentRecordId: 'a-order', cashAmount: 10 })],
      }),
      'body.records.0.cashAmount',
    ],
  ])('refuses %s with 400 problem+json and writes nothing', async (_label, body, path) => {
    // Prepare
    const a = await customer([order('a-order', { cashAmount: 1_000 })]);
    const b = await customer([order('b-order', { cashAmount: 2_000 })]);

    // Act
    const response = await (await billing()).post(
      '/v1/internal/billing-records',
      body(a.accountId, b.accountId),
    );

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect((await allRecords(a.client)).map((r) => r.recordId)).toEqual(['a-order']);
    expect((await allRecords(b.client)).map((r) => r.recordId)).toEqual(['b-order']);
    expect((await a.client.get('/v1/invoiceable')).body.amount).toBe(1_000);
  });

  it('refuses a body that is not JSON, and callers outside the billing-system group', async () => {
    // Prepare
    const { accountId, client } = await customer([]);

    // Act
    const malformed = await (await billing()).post('/v1/internal/billing-records', '{"records": [');
    const fromCustomer = await client.post('/v1/internal/billing-records', {
      records: [order('mine', { accountId, cashAmount: 1 })],
    });

    // Assess
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    expect(fromCustomer.status).toBe(403);
    expect(fromCustomer.body.code).toBe('FORBIDDEN');
    expect(await allRecords(client)).toEqual([]);
  });
});
