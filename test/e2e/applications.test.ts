import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import {
  type ApiClient,
  clientFor,
  daysAgo,
  givenAccount,
  order,
  sampleAddress,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';
import { documents, executionArnOf, sfn } from '../support/aws.ts';
import { type BundledFunctions, bundledFunctions, proxyEvent } from '../support/in-process.ts';

const BUYER = '杭州示例科技有限公司';
/** Issued electronic invoices are delivered once e-mailed. */
const ISSUED = ['issued', 'delivered'];
const USCC = '91330106MA2H00006X';

interface Customer {
  accountId: string;
  api: ApiClient;
  titleId: string;
  email: string;
}

async function customer(
  records: Record<string, unknown>[],
  account: Parameters<typeof givenAccount>[1] = {},
): Promise<Customer> {
  const accountId = uniqueId('app');
  await givenAccount(accountId, { records, ...account });
  const api = await clientFor(accountId);
  const title = await api.post('/v1/titles', { type: 'enterprise-ordinary', name: BUYER, taxId: USCC });
  expect(title.status).toBe(201);
  return { accountId, api, titleId: title.body.titleId, email: `${accountId}@example.com` };
}

const electronic = (c: Customer) => ({ medium: 'electronic', email: c.email });

/** The bundled functions run in this process, by cancellation window (see `createWithWindow`). */
const withWindow = new Map<string, BundledFunctions>();
afterAll(async () => {
  await Promise.all([...withWindow.values()].map((functions) => functions.close()));
});

/**
 * POST /v1/applications through the bundled create function run in this process with a
 * cancellation window of `window` instead of the shared stack's 2 seconds (R24), for tests that
 * must cancel inside the window: they do not race it on a busy machine. The application's
 * workflow then runs on the shared stack as any other.
 */
async function createWithWindow(c: Customer, window: string, body: Record<string, unknown>) {
  let functions = withWindow.get(window);
  if (!functions) {
    functions = bundledFunctions({ CANCEL_WINDOW: window });
    withWindow.set(window, functions);
  }
  const response = (await functions.invoke(
    'functions/api/applications-write.ts',
    proxyEvent('POST', '/v1/applications', c.accountId, { body }),
  )) as { statusCode: number; body: string };
  return { status: response.statusCode, body: JSON.parse(response.body) };
}

const bill = (recordId: string, fields: Record<string, unknown> = {}) =>
  order(recordId, { kind: 'monthly-bill', ...fields });

async function recordItem(accountId: string, recordId: string) {
  const { Item } = await documents().send(
    new GetCommand({
      TableName: inject('tableName'),
      Key: { pk: `ACCOUNT#${accountId}`, sk: `RECORD#${recordId}` },
      ConsistentRead: true,
    }),
  );
  return Item!;
}

async function applicationItems(applicationId: string) {
  const { Items } = await documents().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `APPLICATION#${applicationId}` },
      ConsistentRead: true,
    }),
  );
  return Items ?? [];
}

/** DynamoDB's item size rules (names + values; numbers ~1 byte per 2 digits; +3 per list/map element). */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace('.', '').length / 2) + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + itemBytes(v), 0);
  if (typeof value === 'object') {
    return (
      3 +
      Object.entries(value as Record<string, unknown>).reduce(
        (n, [k, v]) => n + 1 + Buffer.byteLength(k) + itemBytes(v),
        0,
      )
    );
  }
  return 0;
}

const withoutIds = (invoices: { invoiceId?: string; invoiceNumber?: string }[]) =>
  invoices.map(({ invoiceId: _i, invoiceNumber: _n, ...rest }) => rest);

describe('R14 three modes', () => {
  it('R14 R7 orders: selected orders are taken whole and a selected refund comes with its order', async () => {
    // Prepare: o1 10 600 refunded by 600; o2 5 000 not selected
    const [o1, o2, rf] = [uniqueId('o'), uniqueId('o'), uniqueId('rf')];
    const c = await customer([
      order(o1, { cashAmount: 10_600 }),
      order(o2, { cashAmount: 5_000 }),
      order(rf, { kind: 'refund', cashAmount: -600, parentRecordId: o1 }),
    ]);

    // Act
    const created = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [o1, rf],
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ mode: 'orders', status: 'submitted', total: 10_000 });
    expect(created.body.invoices).toHaveLength(1);
    expect(await recordItem(c.accountId, o1)).toMatchObject({ reservedAmount: 10_000, availableAmount: 0 });
    expect(await recordItem(c.accountId, o2)).toMatchObject({ reservedAmount: 0, availableAmount: 5_000 });
  });

  it('R7 a refund selected without its order is NEGATIVE_RECORD_ALONE', async () => {
    // Prepare
    const [o1, rf] = [uniqueId('o'), uniqueId('rf')];
    const c = await customer([
      order(o1, { cashAmount: 10_600 }),
      order(rf, { kind: 'refund', cashAmount: -600, parentRecordId: o1 }),
    ]);

    // Act
    const response = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [rf],
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'NEGATIVE_RECORD_ALONE', status: 422 });
    expect(response.body.detail).toContain(o1);
  });

  it('R15 bills: whole monthly statements of several months in one application, one line per month', async () => {
    // Prepare
    const [b8, b9] = [uniqueId('b'), uniqueId('b')];
    const c = await customer([
      bill(b8, { period: '2026-08', cashAmount: 21_200, paidAt: daysAgo(60) }),
      bill(b9, { period: '2026-09', cashAmount: 10_600, paidAt: daysAgo(30) }),
    ]);

    // Act
    const created = await c.api.post('/v1/applications', {
      mode: 'bills',
      recordIds: [b9, b8],
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(31_800);
    expect(created.body.invoices).toHaveLength(1);
    expect(
      created.body.invoices[0].lines.map((l: { specification: string; total: number }) => [
        l.specification,
        l.total,
      ]),
    ).toEqual([
      ['2026-08', 21_200],
      ['2026-09', 10_600],
    ]);
  });

  it('R15 a monthly bill in orders mode, or an order in bills mode, is RECORD_NOT_INVOICEABLE with a hint', async () => {
    // Prepare
    const [b, o] = [uniqueId('b'), uniqueId('o')];
    const c = await customer([bill(b), order(o)]);

    // Act
    const billAsOrder = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [b],
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const orderAsBill = await c.api.post('/v1/applications', {
      mode: 'bills',
      recordIds: [o],
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(billAsOrder.status).toBe(422);
    expect(billAsOrder.body.code).toBe('RECORD_NOT_INVOICEABLE');
    expect(billAsOrder.body.detail).toContain('mode "bills"');
    expect(orderAsBill.status).toBe(422);
    expect(orderAsBill.body.code).toBe('RECORD_NOT_INVOICEABLE');
    expect(orderAsBill.body.detail).toContain('mode "orders"');
  });

  it('R14 amount: drawn oldest payment first, whole orders then the last in part; a bill that does not fit is skipped (R15)', async () => {
    // Prepare: by payment: old bill 5 000, o1 1 000, o2 2 000, o3 3 000
    const [b, o1, o2, o3] = [uniqueId('b'), uniqueId('o'), uniqueId('o'), uniqueId('o')];
    const c = await customer([
      order(o3, { cashAmount: 3_000, paidAt: daysAgo(10) }),
      bill(b, { cashAmount: 5_000, paidAt: daysAgo(40) }),
      order(o1, { cashAmount: 1_000, paidAt: daysAgo(30) }),
      order(o2, { cashAmount: 2_000, paidAt: daysAgo(20) }),
    ]);

    // Act
    const created = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 4_500,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(4_500);
    const reserved = await Promise.all(
      [b, o1, o2, o3].map(async (id) => (await recordItem(c.accountId, id)).reservedAmount),
    );
    expect(reserved).toEqual([0, 1_000, 2_000, 1_500]);
  });

  it('R14 an amount above the invoiceable amount is AMOUNT_EXCEEDS_INVOICEABLE and reserves nothing', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 1_000 })]);

    // Act
    const response = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_001,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
    expect((await c.api.get('/v1/invoiceable')).body.formula.reserved).toBe(0);
  });

  it('VALIDATION_FAILED when the mode and its selection do not match', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);

    // Act
    const noAmount = await c.api.post('/v1/applications', {
      mode: 'amount',
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const noRecords = await c.api.post('/v1/applications', {
      mode: 'orders',
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(noAmount.status).toBe(400);
    expect(noAmount.body.errors.map((e: { path: string }) => e.path)).toContain('body.amount');
    expect(noRecords.status).toBe(400);
    expect(noRecords.body.errors.map((e: { path: string }) => e.path)).toContain('body.recordIds');
  });
});

describe('R17 R18 split and preview', () => {
  const fourGroups = () => {
    const ids = {
      bj6: uniqueId('o'),
      bj13: uniqueId('o'),
      sh6: uniqueId('o'),
      sh13: uniqueId('o'),
      sh6b: uniqueId('o'),
    };
    return {
      ids,
      records: [
        order(ids.bj6, { entity: 'cn-bj-01', taxRate: '0.06', cashAmount: 10_600 }),
        order(ids.bj13, { entity: 'cn-bj-01', taxRate: '0.13', cashAmount: 11_300 }),
        order(ids.sh6, { entity: 'cn-sh-01', taxRate: '0.06', cashAmount: 1_001, period: '2026-09' }),
        order(ids.sh6b, { entity: 'cn-sh-01', taxRate: '0.06', cashAmount: 2_120, period: '2026-10' }),
        order(ids.sh13, { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 2_260 }),
      ],
    };
  };

  it('R17 two entities × two tax rates give four invoices with the tax of each line rounded to the fen', async () => {
    // Prepare
    const { ids, records } = fourGroups();
    const c = await customer(records);

    // Act
    const created = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: Object.values(ids),
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess: 1 001 at 6 % → 944.34 + 56.66 → 944 + 57 (half away from zero on the tax-inclusive split)
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(27_281);
    const invoices = created.body.invoices.map(
      (i: {
        entity: string;
        taxRate: string;
        amount: number;
        amountExcludingTax: number;
        taxAmount: number;
      }) => [i.entity, i.taxRate, i.amount, i.amountExcludingTax, i.taxAmount],
    );
    expect(invoices).toEqual([
      ['cn-bj-01', '0.06', 10_600, 10_000, 600],
      ['cn-bj-01', '0.13', 11_300, 10_000, 1_300],
      ['cn-sh-01', '0.06', 3_121, 2_944, 177],
      ['cn-sh-01', '0.13', 2_260, 2_000, 260],
    ]);
    const sh6 = created.body.invoices[2];
    expect(
      sh6.lines.map((l: { specification: string; taxAmount: number }) => [l.specification, l.taxAmount]),
    ).toEqual([
      ['2026-09', 57],
      ['2026-10', 120],
    ]);
  });

  it('R18 the preview is exactly what create then produces, and the preview writes nothing', async () => {
    // Prepare
    const { records } = fourGroups();
    const c = await customer(records);
    const body = { mode: 'amount', amount: 20_000, titleId: c.titleId, delivery: electronic(c) };
    const before = (await c.api.get('/v1/invoiceable')).body;
    const recordsBefore = await Promise.all(
      records.map((r) => recordItem(c.accountId, r.recordId as string)),
    );

    // Act
    const preview = await c.api.post('/v1/applications/preview', body);
    const again = await c.api.post('/v1/applications/preview', body);
    const afterPreview = (await c.api.get('/v1/invoiceable')).body;
    const recordsAfter = await Promise.all(records.map((r) => recordItem(c.accountId, r.recordId as string)));
    const listed = await c.api.get('/v1/applications');
    const created = await c.api.post('/v1/applications', body);

    // Assess
    expect(preview.status).toBe(200);
    expect(again.body).toEqual(preview.body);
    expect(afterPreview).toEqual(before);
    expect(recordsAfter).toEqual(recordsBefore);
    expect(listed.body.items).toEqual([]);
    expect(created.status).toBe(201);
    expect(preview.body.total).toBe(created.body.total);
    expect(preview.body.invoices).toEqual(withoutIds(created.body.invoices));
  });

  it('R18 the preview answers the same errors as create would', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 1_000 })]);

    // Act
    const response = await c.api.post('/v1/applications/preview', {
      mode: 'amount',
      amount: 5_000,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
  });
});

describe('checks before anything is reserved', () => {
  it('R1 REAL_NAME_REQUIRED when the account lost its real-name verification', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);
    await givenAccount(c.accountId, { realName: { type: 'none' } });

    // Act
    const response = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('REAL_NAME_REQUIRED');
  });

  it('R3 REGION_NOT_SUPPORTED outside the mainland, pointing to a support ticket', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);
    await givenAccount(c.accountId, { region: 'overseas' });

    // Act
    const response = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('REGION_NOT_SUPPORTED');
    expect(response.body.detail).toContain('support ticket');
  });

  it('R2 TITLE_TYPE_NOT_ALLOWED: an account verified as an individual cannot use an enterprise title', async () => {
    // Prepare: the enterprise title was added while the account was an enterprise
    const c = await customer([order(uniqueId('o'))]);
    await givenAccount(c.accountId, { realName: { type: 'individual', name: '张三' } });

    // Act
    const response = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('TITLE_TYPE_NOT_ALLOWED');
  });

  it('R21 TITLE_NOT_APPROVED for a special title still in review; NOT_FOUND for an unknown title', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);
    const special = await c.api.post('/v1/titles', specialTitle(c.email));
    expect(special.body.status).toBe('pending-review');

    // Act
    const pending = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: special.body.titleId,
      delivery: electronic(c),
    });
    const unknown = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: 'no-such-title',
      delivery: electronic(c),
    });

    // Assess
    expect(pending.status).toBe(422);
    expect(pending.body.code).toBe('TITLE_NOT_APPROVED');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('NOT_FOUND');
  });

  it('R4 DELIVERY_REQUIRED: electronic needs an e-mail; paper needs a saved address of this account', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);
    const titleId = await approvedSpecialTitle(c);
    const other = await customer([]);
    const foreignAddress = await other.api.post('/v1/addresses', sampleAddress());
    expect(foreignAddress.status).toBe(201);

    // Act
    const noEmail = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: { medium: 'electronic' },
    });
    const noAddress = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId,
      delivery: { medium: 'paper' },
    });
    const notMine = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId,
      delivery: { medium: 'paper', addressId: foreignAddress.body.addressId },
    });

    // Assess
    for (const response of [noEmail, noAddress, notMine]) {
      expect(response.status).toBe(422);
      expect(response.body.code).toBe('DELIVERY_REQUIRED');
    }
  });

  it('R23 PAPER_NOT_AVAILABLE for ordinary invoices; a special title on paper to a saved address is accepted', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 2_000 })]);
    const saved = await c.api.post('/v1/addresses', sampleAddress());
    const titleId = await approvedSpecialTitle(c);

    // Act
    const ordinary = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: { medium: 'paper', addressId: saved.body.addressId },
    });
    const special = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId,
      delivery: { medium: 'paper', addressId: saved.body.addressId },
    });

    // Assess
    expect(ordinary.status).toBe(422);
    expect(ordinary.body.code).toBe('PAPER_NOT_AVAILABLE');
    expect(special.status).toBe(201);
    expect(special.body.delivery).toEqual({ medium: 'paper', addressId: saved.body.addressId });
  });

  it('RECORD_NOT_INVOICEABLE for a record already reserved, a recharge, or one whose payment is still syncing; NOT_FOUND for an unknown record', async () => {
    // Prepare
    const [o, recharge, syncing] = [uniqueId('o'), uniqueId('rc'), uniqueId('o')];
    const c = await customer([
      order(o),
      order(recharge, { kind: 'recharge' }),
      order(syncing, { paidAt: new Date().toISOString() }),
    ]);
    const first = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [o],
      titleId: c.titleId,
      delivery: electronic(c),
    });
    expect(first.status).toBe(201);

    // Act
    const responses = await Promise.all(
      [[o], [recharge], [syncing], ['no-such-record']].map((recordIds) =>
        c.api.post('/v1/applications', {
          mode: 'orders',
          recordIds,
          titleId: c.titleId,
          delivery: electronic(c),
        }),
      ),
    );

    // Assess
    expect(responses.map((r) => [r.status, r.body.code])).toEqual([
      [422, 'RECORD_NOT_INVOICEABLE'],
      [422, 'RECORD_NOT_INVOICEABLE'],
      [422, 'RECORD_NOT_INVOICEABLE'],
      [404, 'NOT_FOUND'],
    ]);
  });

  it('R12 ARREARS_OUTSTANDING (policy offset): the selection must leave the arrears covered', async () => {
    // Prepare: 6 000 consumed, 5 000 owed → 1 000 invoiceable
    const [o1, o2] = [uniqueId('o'), uniqueId('o')];
    const c = await customer(
      [order(o1, { cashAmount: 1_000, paidAt: daysAgo(30) }), order(o2, { cashAmount: 5_000 })],
      { arrears: 5_000 },
    );

    // Act
    const tooMuch = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [o1, o2],
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const covered = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_000,
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('ARREARS_OUTSTANDING');
    expect(covered.status).toBe(201);
    expect(covered.body.total).toBe(1_000);
  });

  it('R16 a record partly invoiced under one title cannot be invoiced under another', async () => {
    // Prepare: half of o1 goes to an application under title A
    const o1 = uniqueId('o');
    const c = await customer([order(o1, { cashAmount: 2_000 })]);
    const titleB = await c.api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '另一家公司',
      taxId: USCC,
    });
    const first = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_000,
      titleId: c.titleId,
      delivery: electronic(c),
    });
    expect(first.status).toBe(201);

    // Act
    const underB = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [o1],
      titleId: titleB.body.titleId,
      delivery: electronic(c),
    });
    const amountUnderB = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 1_000,
      titleId: titleB.body.titleId,
      delivery: electronic(c),
    });
    const underA = await c.api.post('/v1/applications', {
      mode: 'orders',
      recordIds: [o1],
      titleId: c.titleId,
      delivery: electronic(c),
    });

    // Assess
    expect(underB.status).toBe(422);
    expect(underB.body.code).toBe('RECORD_NOT_INVOICEABLE');
    expect(underB.body.detail).toContain('another title');
    expect(amountUnderB.status).toBe(422);
    expect(amountUnderB.body.code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
    expect(underA.status).toBe(201);
    expect(await recordItem(c.accountId, o1)).toMatchObject({ reservedAmount: 2_000, titleId: c.titleId });
  });
});

function specialTitle(notifyEmail: string) {
  return {
    type: 'enterprise-special',
    name: BUYER,
    taxId: USCC,
    registeredAddress: '杭州市西湖区文三路1号',
    registeredPhone: '0571-88888888',
    bankName: '中国工商银行杭州文三支行',
    bankAccount: '1202000000000000000',
    notifyEmail,
  };
}

async function approvedSpecialTitle(c: Customer): Promise<string> {
  const created = await c.api.post('/v1/titles', specialTitle(c.email));
  expect(created.status).toBe(201);
  const finance = await clientFor('finance-staff', ['finance']);
  const decided = await finance.post(
    `/v1/admin/accounts/${c.accountId}/titles/${created.body.titleId}/decision`,
    {
      approve: true,
    },
  );
  expect(decided.status).toBe(200);
  return created.body.titleId;
}

describe('R24 cancellation', () => {
  it('R24 cancels before the deadline: releases every reservation, stops the workflow, shows it on the timeline', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 3_000 })]);
    const created = await createWithWindow(c, 'PT10S', {
      mode: 'amount',
      amount: 2_000,
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const { applicationId, cancellableUntil } = created.body;

    // Act
    const cancelled = await c.api.post(`/v1/applications/${applicationId}/cancel`);
    const again = await c.api.post(`/v1/applications/${applicationId}/cancel`);

    // Assess
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.timeline.map((t: { status: string }) => t.status)).toEqual([
      'submitted',
      'cancelled',
    ]);
    expect(again.status).toBe(200);
    expect(again.body.timeline).toEqual(cancelled.body.timeline);
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ reserved: 0, amount: 3_000 });
    const execution = await sfnExecution(applicationId);
    expect(execution?.status).toBe('ABORTED');
    // The deadline passes and nothing is issued.
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(cancellableUntil) - Date.now() + 500)));
    const later = await c.api.get(`/v1/applications/${applicationId}`);
    expect(later.body.status).toBe('cancelled');
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ reserved: 0, invoiced: 0 });
    // R30: the customer is told once, although cancel was called twice.
    const mails = await sentMailTo(c.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain(applicationId);
    expect(mails[0]!.body.text).toContain(applicationId);
  });

  it('R24 after the deadline the answer is 409 CANCEL_WINDOW_CLOSED and the invoice is issued', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 3_000 })]);
    const created = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 3_000,
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const { applicationId, cancellableUntil } = created.body;
    await new Promise((r) => setTimeout(r, Date.parse(cancellableUntil) - Date.now() + 100));

    // Act
    const response = await c.api.post(`/v1/applications/${applicationId}/cancel`);

    // Assess
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'CANCEL_WINDOW_CLOSED', status: 409 });
    const issued = await waitFor(async () => {
      const r = await c.api.get(`/v1/applications/${applicationId}`);
      return ISSUED.includes(r.body.status) ? r.body : undefined;
    }, 'the application to be issued');
    expect(issued.timeline.some((t: { status: string }) => t.status === 'cancelled')).toBe(false);
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({ reserved: 0, invoiced: 3_000 });
  });

  it('R24 a cancel racing the review step at the deadline ends one way only, with the ledger to match', async () => {
    // Prepare: five applications, each cancelled a little before or after its deadline
    const c = await customer(
      Array.from({ length: 5 }, (_, i) =>
        order(uniqueId('o'), { cashAmount: 1_000, paidAt: daysAgo(30 - i) }),
      ),
    );
    const created = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.api.post('/v1/applications', {
        mode: 'amount',
        amount: 1_000,
        titleId: c.titleId,
        delivery: electronic(c),
      });
      expect(r.status).toBe(201);
      created.push(r.body);
    }

    // Act
    const outcomes = await Promise.all(
      created.map(async (application, i) => {
        const at = Date.parse(application.cancellableUntil) - 60 + i * 30;
        await new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
        return (await c.api.post(`/v1/applications/${application.applicationId}/cancel`)).status;
      }),
    );

    // Assess: each is either cancelled (and never issued) or goes on to be issued
    expect(outcomes.every((s) => s === 200 || s === 409)).toBe(true);
    const finals = await Promise.all(
      created.map((application) =>
        waitFor(async () => {
          const r = await c.api.get(`/v1/applications/${application.applicationId}`);
          return ['cancelled', ...ISSUED].includes(r.body.status) ? r.body : undefined;
        }, 'a final status'),
      ),
    );
    finals.forEach((final, i) => {
      if (outcomes[i] === 200) expect(final.status).toBe('cancelled');
      else expect(ISSUED).toContain(final.status);
    });
    const issuedCount = finals.filter((f) => ISSUED.includes(f.status)).length;
    await waitFor(async () => {
      const { formula } = (await c.api.get('/v1/invoiceable')).body;
      return formula.reserved === 0 ? formula : undefined;
    }, 'every reservation settled or released');
    expect((await c.api.get('/v1/invoiceable')).body.formula).toMatchObject({
      reserved: 0,
      invoiced: issuedCount * 1_000,
      amount: 5_000 - issuedCount * 1_000,
    });
  });

  it('NOT_FOUND when cancelling another account’s application', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'))]);
    const created = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 100,
      titleId: c.titleId,
      delivery: electronic(c),
    });
    const intruder = await clientFor(uniqueId('intruder'));

    // Act
    const response = await intruder.post(`/v1/applications/${created.body.applicationId}/cancel`);

    // Assess
    expect(response.status).toBe(404);
    expect((await c.api.get(`/v1/applications/${created.body.applicationId}`)).body.status).not.toBe(
      'cancelled',
    );
  });
});

async function sfnExecution(applicationId: string) {
  return sfn()
    .send(new DescribeExecutionCommand({ executionArn: executionArnOf(applicationId) }))
    .catch(() => undefined);
}

describe('listing', () => {
  it('lists newest first with a status filter, pages with an opaque cursor, and prefills the last title and delivery (R19)', async () => {
    // Prepare: three applications, the second cancelled
    const c = await customer([order(uniqueId('o'), { cashAmount: 10_000 })]);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await createWithWindow(c, 'PT1H', {
        mode: 'amount',
        amount: 100 + i,
        titleId: c.titleId,
        delivery: electronic(c),
      });
      expect(r.status).toBe(201);
      ids.push(r.body.applicationId);
    }
    expect((await c.api.post(`/v1/applications/${ids[1]}/cancel`)).status).toBe(200);
    const other = await customer([order(uniqueId('o'))]);

    // Act
    const first = await c.api.get('/v1/applications?limit=2');
    const second = await c.api.get(`/v1/applications?limit=2&cursor=${first.body.nextCursor}`);
    const cancelled = await c.api.get('/v1/applications?status=cancelled');
    const none = await other.api.get('/v1/applications');
    const forged = await c.api.get('/v1/applications?cursor=bm90LWEtY3Vyc29y');
    const tooMany = await c.api.get('/v1/applications?limit=101');

    // Assess
    expect(first.status).toBe(200);
    expect(first.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([ids[2], ids[1]]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(second.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([ids[0]]);
    expect(second.body.nextCursor).toBeUndefined();
    expect(cancelled.body.items.map((a: { applicationId: string }) => a.applicationId)).toEqual([ids[1]]);
    expect(cancelled.body.items[0].timeline.at(-1).status).toBe('cancelled');
    expect(first.body.prefill).toEqual({ titleId: c.titleId, delivery: electronic(c) });
    expect(none.body.items).toEqual([]);
    expect(none.body.prefill).toBeUndefined();
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('VALIDATION_FAILED');
    expect(tooMany.status).toBe(400);
  });
});

describe('idempotency and size', () => {
  it('Idempotency-Key: the same key and body sent at once make one application, and every answer is its response', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 5_000 })]);
    const body = { mode: 'amount', amount: 1_000, titleId: c.titleId, delivery: electronic(c) };
    const key = uniqueId('key');

    // Act
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => c.api.post('/v1/applications', body, { 'idempotency-key': key })),
    );

    // Assess
    expect(responses.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect(new Set(responses.map((r) => r.body.applicationId)).size).toBe(1);
    expect((await c.api.get('/v1/applications')).body.items).toHaveLength(1);
    const { formula } = (await c.api.get('/v1/invoiceable')).body;
    expect(formula.reserved + formula.invoiced).toBe(1_000);
  });

  it('an application over 1,200 order records is accepted whole, its items stay far below 400 KB, and it is issued', async () => {
    // Prepare
    const accountId = uniqueId('big');
    const records = Array.from({ length: 1_200 }, (_, i) =>
      order(`big-order-${String(i).padStart(5, '0')}-${accountId}`, {
        cashAmount: 100 + (i % 7),
        entity: i % 2 === 0 ? 'cn-bj-01' : 'cn-sh-01',
        period: i % 3 === 0 ? '2026-09' : '2026-10',
      }),
    );
    await givenAccount(accountId);
    const billing = await clientFor('billing-system', ['billing-system']);
    for (let i = 0; i < records.length; i += 500) {
      const r = await billing.post('/v1/internal/billing-records', {
        records: records.slice(i, i + 500).map((r) => ({ accountId, ...r })),
      });
      expect(r.status).toBe(200);
    }
    const api = await clientFor(accountId);
    const title = await api.post('/v1/titles', { type: 'enterprise-ordinary', name: BUYER, taxId: USCC });
    const total = records.reduce((n, r) => n + (r.cashAmount as number), 0);
    const body = {
      mode: 'orders',
      recordIds: records.map((r) => r.recordId),
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    };

    // Act
    const started = performance.now();
    const created = await api.post('/v1/applications', body, { 'idempotency-key': `${accountId}-1` });
    const createMs = performance.now() - started;
    const replayed = await api.post('/v1/applications', body, { 'idempotency-key': `${accountId}-1` });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.total).toBe(total);
    expect(created.body.invoices).toHaveLength(2);
    expect(replayed.body).toEqual(created.body);
    const items = await applicationItems(created.body.applicationId);
    const main = items.find((i) => i.sk === 'APPLICATION')!;
    const chunks = items.filter((i) => i.sk !== 'APPLICATION');
    expect(chunks).toHaveLength(13);
    expect(chunks.flatMap((i) => i.allocations)).toHaveLength(1_200);
    const mainKb = itemBytes(main) / 1024;
    const chunkKb = Math.max(...chunks.map((i) => itemBytes(i))) / 1024;
    const inlineKb = (itemBytes(main) + itemBytes(chunks.flatMap((i) => i.allocations))) / 1024;
    console.log(
      `1,200 records: created in ${createMs.toFixed(0)} ms; application item ${mainKb.toFixed(1)} KB, ` +
        `largest chunk item ${chunkKb.toFixed(1)} KB (allocations inline would make ${inlineKb.toFixed(1)} KB)`,
    );
    expect(mainKb).toBeLessThan(50);
    expect(chunkKb).toBeLessThan(50);
    // The 2-second window may already have passed: issuing moves reserved to invoiced.
    const { formula } = (await api.get('/v1/invoiceable')).body;
    expect(formula.reserved + formula.invoiced).toBe(total);

    const issued = await waitFor(
      async () => {
        const r = await api.get(`/v1/applications/${created.body.applicationId}`);
        return ISSUED.includes(r.body.status) ? r.body : undefined;
      },
      'the 1,200-record application to be issued',
      55_000,
    );
    expect(issued.invoices.every((i: { invoiceNumber?: string }) => i.invoiceNumber)).toBe(true);
    expect((await api.get('/v1/invoiceable')).body.formula).toMatchObject({
      reserved: 0,
      invoiced: total,
      amount: 0,
    });
  }, 120_000);
});
