import { GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import {
  type ApiClient,
  clientFor,
  givenAccount,
  order,
  pdfText,
  sampleAddress,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';
import { documents } from '../support/aws.ts';
import { schemaErrors } from '../support/invoice-xml-schema.ts';

const BUYER = '杭州示例科技有限公司';
const SPECIAL_TITLE = {
  type: 'enterprise-special',
  name: BUYER,
  taxId: '91330106MA2H00006X',
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202000000000000000',
};

async function customer(records: Record<string, unknown>[]) {
  const accountId = uniqueId('ret');
  await givenAccount(accountId, { records });
  const api = await clientFor(accountId);
  const staff = await clientFor('finance-staff', ['finance']);
  const title = await api.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: BUYER,
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  return { accountId, api, staff, email: `${accountId}@example.com`, titleId: title.body.titleId as string };
}

type Customer = Awaited<ReturnType<typeof customer>>;

async function approvedSpecialTitle(c: Customer): Promise<string> {
  const title = await c.api.post('/v1/titles', {
    ...SPECIAL_TITLE,
    notifyEmail: `${c.accountId}-t@example.com`,
  });
  expect(title.status).toBe(201);
  const decided = await c.staff.post(
    `/v1/admin/accounts/${c.accountId}/titles/${title.body.titleId}/decision`,
    {
      approve: true,
    },
  );
  expect(decided.status).toBe(200);
  return title.body.titleId;
}

/** Applies and waits until the application reaches one of `statuses` (finance approves if it asks). */
async function applied(c: Customer, body: Record<string, unknown>, statuses: string[]) {
  const created = await c.api.post('/v1/applications', body);
  expect(created.status).toBe(201);
  const applicationId = created.body.applicationId as string;
  return waitFor(
    async () => {
      const r = await c.api.get(`/v1/applications/${applicationId}`);
      if (r.body.status === 'in-review')
        await c.staff.post(`/v1/admin/applications/${applicationId}/decision`, { approve: true });
      return statuses.includes(r.body.status) ? r.body : undefined;
    },
    `application ${applicationId} to be ${statuses.join('/')}`,
  );
}

async function returnReaches(api: ApiClient, invoiceId: string, statuses: string[]) {
  return waitFor(
    async () => {
      const r = await api.get(`/v1/invoices/${invoiceId}`);
      return statuses.includes(r.body.return?.status) ? r.body : undefined;
    },
    `the return of ${invoiceId} to be ${statuses.join('/')}`,
  );
}

async function ledger(api: ApiClient) {
  const invoiceable = (await api.get('/v1/invoiceable')).body;
  const records = (await api.get('/v1/billing-records?limit=100')).body.items as {
    recordId: string;
    invoicedAmount: number;
    reservedAmount: number;
    invoiceableAmount: number;
  }[];
  return { invoiceable, records: Object.fromEntries(records.map((r) => [r.recordId, r])) };
}

/**
 * Invariant 2: the numbers used in an entity are exactly 1..counter, each once. The counter is
 * read first: a number and its invoice appear in one transaction, so every number up to it has
 * its invoice by then, whatever other test files issue while the table is scanned.
 */
async function expectNoNumberSkippedOrRepeated(entity: string) {
  const client = documents();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  const { Item: counterItem } = await client.send(
    new GetCommand({
      TableName: inject('tableName'),
      Key: { pk: `COUNTER#INVOICE_NUMBER#${entity}`, sk: 'COUNTER' },
      ConsistentRead: true,
    }),
  );
  do {
    const page = await client.send(
      new ScanCommand({ TableName: inject('tableName'), ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) {
      if (item.sk === 'INVOICE' && item.entity === entity) items.push(item);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  const counter = counterItem?.sequence as number;
  const sequences = items.map((i) => Number(String(i.invoiceNumber).slice(-12))).filter((n) => n <= counter);
  sequences.sort((a, b) => a - b);
  expect(sequences).toEqual(Array.from({ length: counter }, (_, i) => i + 1));
}

describe('R34 returns: red-letter invoices restore the invoiceable amount', () => {
  it('R34 an electronic return issues a red-letter invoice (own number, PDF, e-mail) and restores the ledger', async () => {
    // Prepare
    const kept = uniqueId('o');
    const returned = uniqueId('o');
    const c = await customer([
      order(returned, { cashAmount: 10_600, paidAt: '2026-10-05T10:00:00+08:00' }),
      order(kept, { cashAmount: 5_000, paidAt: '2026-10-06T10:00:00+08:00' }),
    ]);
    const application = await applied(
      c,
      {
        mode: 'orders',
        recordIds: [returned],
        titleId: c.titleId,
        delivery: { medium: 'electronic', email: c.email },
      },
      ['delivered'],
    );
    const invoiceId = application.invoices[0].invoiceId as string;
    const before = await ledger(c.api);
    const other = await clientFor(uniqueId('other'));

    // Act
    const byOther = await other.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'ISSUE_ERROR' });
    const accepted = await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'ISSUE_ERROR' });
    const twice = await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'SALES_RETURN' });
    const original = await returnReaches(c.api, invoiceId, ['credited']);

    // Assess: the return and the original
    expect(byOther.status).toBe(404);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ status: 'crediting', reason: 'ISSUE_ERROR', invoiceId });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('CONFLICT');
    expect(original.status).toBe('credited');
    expect(original.return.redInvoiceNumber).toMatch(/^\d{20}$/);
    // the red-letter invoice
    const red = (await c.api.get(`/v1/invoices/${accepted.body.redInvoiceId}`)).body;
    expect(red).toMatchObject({
      kind: 'red',
      status: 'issued',
      amount: -10_600,
      taxAmount: -600,
      entity: original.entity,
      originalInvoiceId: invoiceId,
      originalInvoiceNumber: original.invoiceNumber,
    });
    expect(red.invoiceNumber).not.toBe(original.invoiceNumber);
    expect(red.invoiceNumber.slice(0, 8)).toBe(original.invoiceNumber.slice(0, 8));
    const listed = (await c.api.get('/v1/invoices')).body.items.map(
      (i: { invoiceId: string }) => i.invoiceId,
    );
    expect(listed).toEqual(expect.arrayContaining([invoiceId, red.invoiceId]));
    const text = pdfText((await c.api.get(`/v1/invoices/${red.invoiceId}/pdf`)).raw);
    expect(text).toContain('红字');
    expect(text).toContain('¥-106.00');
    expect(text).toContain(`被红冲蓝字发票号码: ${original.invoiceNumber}`);
    const mails = await sentMailTo(c.email);
    const redMail = mails.filter((m) => m.subject.includes('红字发票'));
    expect(redMail).toHaveLength(1);
    expect(redMail[0]!.subject).toBe(
      `红字发票 ${red.invoiceNumber} 已开具（冲销发票 ${original.invoiceNumber}）`,
    );
    expect(redMail[0]!.attachments.map((a) => [a.filename, a.contentType])).toEqual([
      [`${red.invoiceNumber}.pdf`, 'application/pdf'],
      [`${red.invoiceNumber}.xml`, 'application/xml'],
    ]);
    const redXml = await c.api.get(`/v1/invoices/${red.invoiceId}/xml`);
    expect(redXml.status).toBe(200);
    expect(Buffer.from(redMail[0]!.attachments[1]!.content, 'base64').equals(Buffer.from(redXml.raw))).toBe(
      true,
    );
    const redXmlText = Buffer.from(redXml.raw).toString('utf8');
    expect(redXmlText).toContain(`<OriginalInvoiceNumber>${original.invoiceNumber}</OriginalInvoiceNumber>`);
    expect(redXmlText).toContain('<Total>-106.00</Total>');
    expect(await schemaErrors(redXmlText)).toEqual([]);
    // the ledger: the returned record is invoiceable again, the formula agrees with the records
    const after = await ledger(c.api);
    expect(before.invoiceable.amount).toBe(5_000);
    expect(before.records[returned]).toMatchObject({ invoicedAmount: 10_600, invoiceableAmount: 0 });
    expect(after.invoiceable.amount).toBe(15_600);
    expect(after.invoiceable.formula).toMatchObject({
      consumedCash: 15_600,
      invoiced: 0,
      reserved: 0,
      amount: 15_600,
    });
    expect(after.records[returned]).toMatchObject({
      invoicedAmount: 0,
      reservedAmount: 0,
      invoiceableAmount: 10_600,
    });
    expect(after.records[kept]).toMatchObject({ invoicedAmount: 0, invoiceableAmount: 5_000 });
    expect(Object.values(after.records).reduce((sum, r) => sum + r.invoiceableAmount, 0)).toBe(
      after.invoiceable.amount,
    );
    // a red-letter invoice, or a credited one, cannot be returned
    expect(
      (await c.api.post(`/v1/invoices/${red.invoiceId}/returns`, { reason: 'ISSUE_ERROR' })).status,
    ).toBe(409);
    expect((await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'ISSUE_ERROR' })).status).toBe(
      409,
    );
    await expectNoNumberSkippedOrRepeated(original.entity);
    // the return is on the audit trail: requested by the customer, each step after, chained whole
    const trail = await auditedWhole(c.staff, 'return', accepted.body.returnId, 2);
    expect(trail[0]).toMatchObject({ action: 'created', actor: `account:${c.accountId}` });
    expect(trail.map((e) => e.action)).toContain('status: crediting → credited');
  });

  it('R34 a return with reissueTitleId reissues the same records under the corrected title once the red-letter invoice exists', async () => {
    // Prepare
    const recordId = uniqueId('o');
    const c = await customer([order(recordId, { cashAmount: 21_200 })]);
    const corrected = await c.api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技（集团）有限公司',
      taxId: '91330106MA2H00006X',
    });
    expect(corrected.status).toBe(201);
    const application = await applied(
      c,
      {
        mode: 'amount',
        amount: 21_200,
        titleId: c.titleId,
        delivery: { medium: 'electronic', email: c.email },
      },
      ['delivered'],
    );
    const invoiceId = application.invoices[0].invoiceId as string;

    // Act
    const accepted = await c.api.post(
      `/v1/invoices/${invoiceId}/returns`,
      { reason: 'ISSUE_ERROR', reissueTitleId: corrected.body.titleId },
      { 'idempotency-key': `return-${invoiceId}` },
    );
    const repeated = await c.api.post(
      `/v1/invoices/${invoiceId}/returns`,
      { reason: 'ISSUE_ERROR', reissueTitleId: corrected.body.titleId },
      { 'idempotency-key': `return-${invoiceId}` },
    );
    const original = await returnReaches(c.api, invoiceId, ['reissued']);
    const reissued = await waitFor(async () => {
      const r = await c.api.get(`/v1/applications/${original.return.reissueApplicationId}`);
      return r.body.status === 'delivered' ? r.body : undefined;
    }, 'the reissued application to be delivered');

    // Assess
    expect(accepted.status).toBe(202);
    expect(repeated.status).toBe(202);
    expect(repeated.body.returnId).toBe(accepted.body.returnId);
    expect(original.status).toBe('credited');
    expect(reissued.title.titleId).toBe(corrected.body.titleId);
    expect(reissued.title.name).toBe('杭州示例科技（集团）有限公司');
    expect(reissued.mode).toBe('orders');
    expect(reissued.total).toBe(21_200);
    const after = await ledger(c.api);
    expect(after.records[recordId]).toMatchObject({ invoicedAmount: 21_200, invoiceableAmount: 0 });
    expect(after.invoiceable.amount).toBe(0);
    const kinds = (await c.api.get('/v1/invoices')).body.items.map((i: { kind: string; amount: number }) => [
      i.kind,
      i.amount,
    ]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['blue', 21_200],
        ['red', -21_200],
        ['blue', 21_200],
      ]),
    );
    expect(kinds).toHaveLength(3);
  });

  it('R34 a paper return needs the courier and tracking number, and the red-letter invoice waits for finance to confirm arrival', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 50_000 })]);
    const specialTitleId = await approvedSpecialTitle(c);
    const address = await c.api.post('/v1/addresses', sampleAddress());
    const application = await applied(
      c,
      {
        mode: 'amount',
        amount: 50_000,
        titleId: specialTitleId,
        delivery: { medium: 'paper', addressId: address.body.addressId, email: c.email },
      },
      ['issued'],
    );
    const invoiceId = application.invoices[0].invoiceId as string;

    // Act
    const withoutTracking = await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'SALES_RETURN' });
    const accepted = await c.api.post(`/v1/invoices/${invoiceId}/returns`, {
      reason: 'SALES_RETURN',
      courier: 'SF',
      trackingNumber: 'SF9876543210',
    });
    await new Promise((r) => setTimeout(r, 3_000));
    const waiting = (await c.api.get(`/v1/invoices/${invoiceId}`)).body;
    const redBefore = await c.api.get(`/v1/invoices/${accepted.body.redInvoiceId}`);
    const byCustomer = await c.api.post(`/v1/admin/invoices/${invoiceId}/returned`);
    const arrived = await c.staff.post(`/v1/admin/invoices/${invoiceId}/returned`);
    const original = await returnReaches(c.api, invoiceId, ['credited']);

    // Assess
    expect(withoutTracking.status).toBe(400);
    expect(withoutTracking.body.code).toBe('VALIDATION_FAILED');
    expect(withoutTracking.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'body.courier',
      'body.trackingNumber',
    ]);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({
      status: 'awaiting-arrival',
      mailedBack: { courier: 'SF', trackingNumber: 'SF9876543210' },
    });
    expect(waiting.status).toBe('returning');
    expect(waiting.return.status).toBe('awaiting-arrival');
    expect(redBefore.status).toBe(404);
    expect(byCustomer.status).toBe(403);
    expect(arrived.status).toBe(200);
    expect(arrived.body.status).toBe('crediting');
    expect(arrived.body.arrivedAt).toMatch(/\+08:00$/);
    expect(original.status).toBe('credited');
    const red = (await c.api.get(`/v1/invoices/${accepted.body.redInvoiceId}`)).body;
    expect(red).toMatchObject({
      kind: 'red',
      amount: -50_000,
      originalInvoiceNumber: original.invoiceNumber,
    });
    expect((await c.api.get('/v1/invoiceable')).body.amount).toBe(50_000);
  });

  it('R34 a special invoice the buyer certified needs the red-letter information form number', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 30_000 })]);
    const specialTitleId = await approvedSpecialTitle(c);
    const application = await applied(
      c,
      {
        mode: 'amount',
        amount: 30_000,
        titleId: specialTitleId,
        delivery: { medium: 'electronic', email: c.email },
      },
      ['delivered'],
    );
    const invoiceId = application.invoices[0].invoiceId as string;

    // Act
    const certified = await c.staff.post(`/v1/admin/invoices/${invoiceId}/certified`);
    const withoutForm = await c.api.post(`/v1/invoices/${invoiceId}/returns`, { reason: 'SALES_DISCOUNT' });
    const badForm = await c.api.post(`/v1/invoices/${invoiceId}/returns`, {
      reason: 'SALES_DISCOUNT',
      redLetterFormNumber: '12345',
    });
    const withForm = await c.api.post(`/v1/invoices/${invoiceId}/returns`, {
      reason: 'SALES_DISCOUNT',
      redLetterFormNumber: '4403012611000123',
    });
    const original = await returnReaches(c.api, invoiceId, ['credited']);

    // Assess
    expect(certified.status).toBe(200);
    expect(certified.body.certifiedAt).toMatch(/\+08:00$/);
    expect(withoutForm.status).toBe(400);
    expect(withoutForm.body.code).toBe('VALIDATION_FAILED');
    expect(withoutForm.body.errors).toEqual([
      { path: 'body.redLetterFormNumber', message: expect.stringContaining('红字信息表') },
    ]);
    expect(badForm.status).toBe(400);
    expect(withForm.status).toBe(202);
    expect(withForm.body.redLetterFormNumber).toBe('4403012611000123');
    expect(original.status).toBe('credited');
    expect((await c.api.get('/v1/invoiceable')).body.amount).toBe(30_000);
  });
});

describe('R35 lost invoices: stamped copies', () => {
  it('R35 a copy request is idempotent while open, finance sees it, records the copy sent, and the customer is e-mailed', async () => {
    // Prepare
    const c = await customer([order(uniqueId('o'), { cashAmount: 10_600 })]);
    const application = await applied(
      c,
      {
        mode: 'amount',
        amount: 10_600,
        titleId: c.titleId,
        delivery: { medium: 'electronic', email: c.email },
      },
      ['delivered'],
    );
    const invoiceId = application.invoices[0].invoiceId as string;
    const invoiceNumber = (await c.api.get(`/v1/invoices/${invoiceId}`)).body.invoiceNumber as string;

    // Act
    const byOther = await (await clientFor(uniqueId('other'))).post(
      `/v1/invoices/${invoiceId}/copy-requests`,
    );
    const first = await c.api.post(`/v1/invoices/${invoiceId}/copy-requests`);
    const second = await c.api.post(`/v1/invoices/${invoiceId}/copy-requests`);
    const open = await c.staff.get('/v1/admin/copy-requests?limit=100');
    const byCustomer = await c.api.post(`/v1/admin/invoices/${invoiceId}/copy-sent`);
    const sent = await c.staff.post(`/v1/admin/invoices/${invoiceId}/copy-sent`);
    const sentAgain = await c.staff.post(`/v1/admin/invoices/${invoiceId}/copy-sent`);
    const openAfter = await c.staff.get('/v1/admin/copy-requests?limit=100');

    // Assess
    expect(byOther.status).toBe(404);
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ status: 'open', invoiceId, invoiceNumber });
    expect(second.status).toBe(202);
    expect(second.body.requestId).toBe(first.body.requestId);
    expect(open.status).toBe(200);
    expect(open.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ requestId: first.body.requestId, accountId: c.accountId }),
      ]),
    );
    expect(byCustomer.status).toBe(403);
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'sent', requestId: first.body.requestId });
    expect(sentAgain.status).toBe(200);
    expect(openAfter.body.items.map((r: { requestId: string }) => r.requestId)).not.toContain(
      first.body.requestId,
    );
    const mails = (await sentMailTo(c.email)).filter((m) => m.subject.includes('盖章复印件'));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`发票 ${invoiceNumber} 的盖章复印件已寄出`);
    expect(mails[0]!.body.text).toContain(`发票 ${invoiceNumber}（¥106.00）的盖章复印件已寄出`);
    // the request and its sending are on the audit trail (issue 13), once each, chained whole
    const trail = await auditedWhole(c.staff, 'copy-request', invoiceId, 2);
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ['created', `account:${c.accountId}`],
      ['status: open → sent', 'staff:finance-staff'],
    ]);
  });
});

/**
 * A subject's audit trail once the recorder (it follows the table's stream) has `count`
 * entries and finance's verification finds it whole; its stored entries.
 */
async function auditedWhole(staff: ApiClient, type: string, id: string, count: number) {
  await waitFor(async () => {
    const r = await staff.get(`/v1/admin/audit/${type}/${id}/verify`);
    if (r.status !== 200 || r.body.entries < count) return undefined;
    expect(r.body).toMatchObject({ ok: true, problems: [] });
    return r.body;
  }, `the ${type} ${id} trail to have ${count} entries`);
  const { Items = [] } = await documents().send(
    new QueryCommand({
      TableName: inject('tableName'),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :entry)',
      ExpressionAttributeValues: { ':pk': `AUDIT#${type}#${id}`, ':entry': 'ENTRY#' },
    }),
  );
  return Items as { seq: number; action: string; actor: string }[];
}
