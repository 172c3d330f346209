import { describe, expect, it } from 'vitest';
import {
  clientFor,
  clientWithToken,
  givenAccount,
  order,
  pdfText,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';

const BUYER = '杭州示例科技有限公司';

async function customerWithTitle(records: Record<string, unknown>[]) {
  const accountId = uniqueId('acct');
  await givenAccount(accountId, { records });
  const customer = await clientFor(accountId);
  const title = await customer.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: BUYER,
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  return { accountId, customer, titleId: title.body.titleId as string };
}

describe('one invoice end to end: HTTP → DynamoDB → state machine → SES', () => {
  it('issues an electronic invoice for an amount and e-mails its PDF', async () => {
    // Prepare
    const { accountId, customer, titleId } = await customerWithTitle([
      order(uniqueId('o'), { cashAmount: 10_600, paidAt: '2026-10-05T10:00:00+08:00' }),
      order(uniqueId('o'), { cashAmount: 5_000, paidAt: '2026-10-06T10:00:00+08:00' }),
    ]);
    const email = `${accountId}@example.com`;
    const invoiceable = await customer.get('/v1/invoiceable');
    expect(invoiceable.status).toBe(200);
    expect(invoiceable.body.amount).toBe(15_600);

    // Act
    const created = await customer.post('/v1/applications', {
      mode: 'amount',
      amount: 10_600,
      titleId,
      delivery: { medium: 'electronic', email },
    });

    // Assess: accepted, then issued and e-mailed after the (short, local) cancellation window
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('submitted');
    expect(created.body.total).toBe(10_600);
    expect(created.body.invoices).toHaveLength(1);
    expect(created.body.invoices[0]).toMatchObject({
      entity: 'cn-bj-01',
      taxRate: '0.06',
      amount: 10_600,
      taxAmount: 600,
    });
    expect(created.body.cancellableUntil).toMatch(/\+08:00$/);
    const applicationId = created.body.applicationId as string;

    const issued = await waitFor(async () => {
      const r = await customer.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'delivered' &&
        r.body.timeline.some((t: { note?: string }) => t.note?.includes(email))
        ? r.body
        : undefined;
    }, 'the application to be issued and e-mailed');
    expect(issued.timeline.map((t: { status: string }) => t.status)).toEqual([
      'submitted',
      'issuing',
      'issued',
      'delivered',
    ]);
    const invoiceId = issued.invoices[0].invoiceId as string;

    const invoice = await customer.get(`/v1/invoices/${invoiceId}`);
    expect(invoice.status).toBe(200);
    expect(invoice.body).toMatchObject({
      applicationId,
      kind: 'blue',
      amount: 10_600,
      taxAmount: 600,
      status: 'issued',
    });
    expect(invoice.body.invoiceNumber).toMatch(/^\d{20}$/);
    expect(invoice.body.title.name).toBe(BUYER);

    const pdf = await customer.get(`/v1/invoices/${invoiceId}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const text = pdfText(pdf.raw);
    expect(text).toContain(BUYER);
    expect(text).toContain('106.00');
    expect(text).toContain(invoice.body.invoiceNumber);

    const mails = await sentMailTo(email);
    expect(mails).toHaveLength(1);
    const attachment = mails[0]!.attachments.find((a) => a.contentType === 'application/pdf');
    expect(attachment?.filename).toBe(`${invoice.body.invoiceNumber}.pdf`);
    const mailed = pdfText(Buffer.from(attachment!.content, 'base64'));
    expect(mailed).toContain(BUYER);
    expect(mailed).toContain('壹佰零陆圆整');
    // R30: a text and an HTML alternative, the rate in percent, a link to the application.
    expect(mails[0]!.body.text).toContain(`${invoice.body.invoiceNumber}  ¥106.00  6%`);
    expect(mails[0]!.body.html).toContain('>6%</td>');
    expect(mails[0]!.body.html).toMatch(
      new RegExp(`<a href="https?://[^"]+/applications/${applicationId}">`),
    );

    const after = await customer.get('/v1/invoiceable');
    expect(after.body.amount).toBe(5_000);
    expect(after.body.formula).toMatchObject({
      consumedCash: 15_600,
      invoiced: 10_600,
      reserved: 0,
      amount: 5_000,
    });
  });

  it('answers 404 for another account’s application and invoice (tenant isolation)', async () => {
    // Prepare
    const owner = await customerWithTitle([order(uniqueId('o'))]);
    const created = await owner.customer.post('/v1/applications', {
      mode: 'amount',
      amount: 10_600,
      titleId: owner.titleId,
      delivery: { medium: 'electronic', email: 'owner@example.com' },
    });
    expect(created.status).toBe(201);
    const intruder = await clientFor(uniqueId('intruder'));

    // Act
    const application = await intruder.get(`/v1/applications/${created.body.applicationId}`);
    const invoice = await intruder.get(`/v1/invoices/${created.body.invoices[0].invoiceId}`);

    // Assess
    expect(application.status).toBe(404);
    expect(application.body).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(application.headers.get('content-type')).toContain('application/problem+json');
    expect(invoice.status).toBe(404);
  });

  it('rejects requests without a valid token with 401 problem+json', async () => {
    const anonymous = await clientWithToken(undefined).get('/v1/invoiceable');
    const forged = await clientWithToken('not.a.jwt').get('/v1/invoiceable');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('UNAUTHENTICATED');
    expect(forged.status).toBe(401);
  });

  it('keeps internal endpoints for the billing-system group (403 otherwise)', async () => {
    const customer = await clientFor(uniqueId('acct'));
    const response = await customer.post('/v1/internal/billing-records', {
      records: [order('x', { accountId: 'x' })],
    });
    expect(response.status).toBe(403);
    expect(response.body.code).toBe('FORBIDDEN');
  });

  it('validates bodies with field paths and writes nothing', async () => {
    // Prepare
    const { customer, titleId } = await customerWithTitle([order(uniqueId('o'))]);

    // Act
    const bad = await customer.post('/v1/applications', {
      mode: 'amount',
      amount: '10',
      titleId,
      delivery: { medium: 'fax' },
    });
    const malformed = await customer.post('/v1/applications', '{not json');

    // Assess
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['body.amount', 'body.delivery.medium']),
    );
    expect(malformed.status).toBe(400);
    expect((await customer.get('/v1/invoiceable')).body.formula.reserved).toBe(0);
  });

  it('refuses more than the invoiceable amount with AMOUNT_EXCEEDS_INVOICEABLE', async () => {
    const { customer, titleId } = await customerWithTitle([order(uniqueId('o'), { cashAmount: 1_000 })]);
    const response = await customer.post('/v1/applications', {
      mode: 'amount',
      amount: 1_001,
      titleId,
      delivery: { medium: 'electronic', email: 'a@example.com' },
    });
    expect(response.status).toBe(422);
    expect(response.body.code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
  });

  it('replays the first response for a repeated Idempotency-Key and refuses a different body', async () => {
    // Prepare
    const { customer, titleId } = await customerWithTitle([order(uniqueId('o'), { cashAmount: 3_000 })]);
    const body = {
      mode: 'amount',
      amount: 1_000,
      titleId,
      delivery: { medium: 'electronic', email: 'i@example.com' },
    };
    const key = uniqueId('key');

    // Act
    const first = await customer.post('/v1/applications', body, { 'idempotency-key': key });
    const again = await customer.post('/v1/applications', body, { 'idempotency-key': key });
    const different = await customer.post(
      '/v1/applications',
      { ...body, amount: 2_000 },
      { 'idempotency-key': key },
    );

    // Assess
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.applicationId).toBe(first.body.applicationId);
    expect(different.status).toBe(422);
    expect(different.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const { formula } = (await customer.get('/v1/invoiceable')).body;
    expect(formula.reserved + formula.invoiced).toBe(1_000);
  });
});
