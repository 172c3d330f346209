import { describe, expect, it } from 'vitest';
import {
  clientFor,
  givenAccount,
  order,
  sampleAddress,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';
import { executionArnOf, finishedExecution } from '../support/aws.ts';

const BUYER = '杭州示例科技有限公司';

/** A customer with an approved special VAT title and a saved address: paper is allowed (R23). */
async function paperCustomer(language: 'zh' | 'en', records: Record<string, unknown>[]) {
  const accountId = uniqueId('paper');
  await givenAccount(accountId, { records });
  const billing = await clientFor('billing-system', ['billing-system']);
  await billing.put(`/v1/internal/accounts/${accountId}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: BUYER },
    arrears: 0,
    language,
  });
  const api = await clientFor(accountId);
  const email = `${accountId}@example.com`;
  const title = await api.post('/v1/titles', {
    type: 'enterprise-special',
    name: BUYER,
    taxId: '91330106MA2H00006X',
    registeredAddress: '杭州市西湖区文三路1号',
    registeredPhone: '0571-88888888',
    bankName: '中国工商银行杭州文三支行',
    bankAccount: '1202000000000000000',
    notifyEmail: `${accountId}-titles@example.com`,
  });
  expect(title.status).toBe(201);
  const staff = await clientFor('finance-staff', ['finance']);
  const approved = await staff.post(`/v1/admin/accounts/${accountId}/titles/${title.body.titleId}/decision`, {
    approve: true,
  });
  expect(approved.status).toBe(200);
  const address = await api.post('/v1/addresses', sampleAddress());
  expect(address.status).toBe(201);
  return { accountId, api, staff, email, titleId: title.body.titleId, addressId: address.body.addressId };
}

/** Applies for paper, lets finance approve (paper always goes to review, R25), waits for `issued`. */
async function issuedPaper(c: Awaited<ReturnType<typeof paperCustomer>>, amount: number) {
  const created = await c.api.post('/v1/applications', {
    mode: 'amount',
    amount,
    titleId: c.titleId,
    delivery: { medium: 'paper', addressId: c.addressId, email: c.email },
  });
  expect(created.status).toBe(201);
  const { applicationId } = created.body;
  await waitFor(async () => {
    const r = await c.api.get(`/v1/applications/${applicationId}`);
    return r.body.status === 'in-review' ? r.body : undefined;
  }, 'the paper application to wait for review');
  expect(
    (await c.staff.post(`/v1/admin/applications/${applicationId}/decision`, { approve: true })).status,
  ).toBe(200);
  const execution = await finishedExecution(executionArnOf(applicationId));
  expect(execution.status).toBe('SUCCEEDED');
  const application = (await c.api.get(`/v1/applications/${applicationId}`)).body;
  expect(application.status).toBe('issued');
  return application;
}

describe('R27 paper invoices: shipping and receipt', () => {
  it('R27 R30 a paper invoice goes issued → shipped (SF, tracking e-mailed) → delivered when the customer confirms receipt', async () => {
    // Prepare
    const c = await paperCustomer('zh', [order(uniqueId('o'), { cashAmount: 50_000 })]);
    const application = await issuedPaper(c, 50_000);
    const invoiceId = application.invoices[0].invoiceId as string;
    const issuedMails = await sentMailTo(c.email);
    expect(issuedMails).toHaveLength(1);
    expect(issuedMails[0]!.subject).toBe(`您的发票已开具（申请单 ${application.applicationId}）`);
    expect(issuedMails[0]!.body.text).toContain('纸质发票将邮寄至您的收件地址');
    expect(issuedMails[0]!.attachments).toHaveLength(0);

    // Act: finance ships with SF, the customer confirms receipt
    const withoutTracking = await c.staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, { courier: 'SF' });
    const shipped = await c.staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, {
      courier: 'SF',
      trackingNumber: 'SF1234567890',
    });
    const afterShipping = (await c.api.get(`/v1/applications/${application.applicationId}`)).body;
    const byOther = await (await clientFor(uniqueId('other'))).post(`/v1/invoices/${invoiceId}/receipt`);
    const received = await c.api.post(`/v1/invoices/${invoiceId}/receipt`);
    const receivedAgain = await c.api.post(`/v1/invoices/${invoiceId}/receipt`);
    const shippedAgain = await c.staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, {
      courier: 'YUNDA',
      trackingNumber: 'YD0000000001',
    });

    // Assess
    expect(withoutTracking.status).toBe(400);
    expect(withoutTracking.body.errors).toEqual([
      { path: 'body.trackingNumber', message: 'is required for courier SF' },
    ]);
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({
      status: 'shipped',
      shipment: { courier: 'SF', trackingNumber: 'SF1234567890' },
    });
    expect(shipped.body.shipment.shippedAt).toMatch(/\+08:00$/);
    expect(afterShipping.status).toBe('shipped');
    expect(afterShipping.timeline.at(-1)).toMatchObject({ status: 'shipped', note: 'SF SF1234567890' });
    const mails = await sentMailTo(c.email);
    expect(mails).toHaveLength(2);
    const shippedMail = mails.find((m) => m.subject.includes('已寄出'))!;
    expect(shippedMail.subject).toBe(`您的纸质发票 ${shipped.body.invoiceNumber} 已寄出`);
    expect(shippedMail.body.text).toContain('已由顺丰速运寄出，快递单号：SF1234567890。');
    expect(byOther.status).toBe(404);
    expect(received.status).toBe(200);
    expect(received.body.status).toBe('delivered');
    expect(received.body.deliveredAt).toMatch(/\+08:00$/);
    expect(receivedAgain.status).toBe(200);
    expect(shippedAgain.status).toBe(409);
    const done = (await c.api.get(`/v1/applications/${application.applicationId}`)).body;
    expect(done.status).toBe('delivered');
    expect(done.timeline.map((t: { status: string }) => t.status)).toEqual([
      'submitted',
      'in-review',
      'issuing',
      'issued',
      'shipped',
      'delivered',
    ]);
    expect(await sentMailTo(c.email)).toHaveLength(2);
  });

  it('R27 R30 R36 a pickup is announced in English; the paper-stock notice shows on paper invoices until shipped', async () => {
    // Prepare
    const c = await paperCustomer('en', [order(uniqueId('o'), { cashAmount: 30_000 })]);
    const application = await issuedPaper(c, 30_000);
    const invoiceId = application.invoices[0].invoiceId as string;

    // Act
    const posted = await c.staff.put('/v1/admin/paper-stock-notice', {
      message: 'Paper invoice stock is short this week.',
      expectedMailingDate: '2026-12-01',
    });
    const halfNotice = await c.staff.put('/v1/admin/paper-stock-notice', { message: 'no date' });
    const byCustomer = await c.api.put('/v1/admin/paper-stock-notice', {});
    const waiting = (await c.api.get(`/v1/invoices/${invoiceId}`)).body;
    const withTracking = await c.staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, {
      courier: 'PICKUP',
      trackingNumber: 'X12345678',
    });
    const pickup = await c.staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, { courier: 'PICKUP' });
    const afterPickup = (await c.api.get(`/v1/invoices/${invoiceId}`)).body;
    const cleared = await c.staff.put('/v1/admin/paper-stock-notice', {});

    // Assess
    expect(posted.status).toBe(200);
    expect(posted.body.notice).toMatchObject({
      message: 'Paper invoice stock is short this week.',
      expectedMailingDate: '2026-12-01',
    });
    expect(halfNotice.status).toBe(400);
    expect(byCustomer.status).toBe(403);
    expect(waiting.paperStockNotice).toMatchObject({ expectedMailingDate: '2026-12-01' });
    expect(withTracking.status).toBe(400);
    expect(pickup.status).toBe(200);
    expect(afterPickup.status).toBe('shipped');
    expect(afterPickup.shipment).toMatchObject({ courier: 'PICKUP' });
    expect(afterPickup.shipment.trackingNumber).toBeUndefined();
    expect(afterPickup.paperStockNotice).toBeUndefined();
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({});
    const mails = await sentMailTo(c.email);
    expect(mails.map((m) => m.subject)).toEqual([
      `Your invoices are issued (application ${application.applicationId})`,
      `Your paper invoice ${afterPickup.invoiceNumber} was shipped`,
    ]);
    expect(mails[1]!.body.text).toContain(
      `Paper invoice ${afterPickup.invoiceNumber} (¥300.00) is ready for pickup.`,
    );
  });

  it('R27 an electronic invoice is not shipped, and an unshipped paper invoice cannot be received', async () => {
    // Prepare
    const c = await paperCustomer('zh', [order(uniqueId('o'), { cashAmount: 40_000 })]);
    const paper = await issuedPaper(c, 20_000);
    const electronic = await c.api.post('/v1/applications', {
      mode: 'amount',
      amount: 20_000,
      titleId: c.titleId,
      delivery: { medium: 'electronic', email: c.email },
    });
    expect(electronic.status).toBe(201);
    // Special titles always go to finance (R25).
    await waitFor(async () => {
      const r = await c.api.get(`/v1/applications/${electronic.body.applicationId}`);
      return r.body.status === 'in-review' ? r : undefined;
    }, 'review');
    await c.staff.post(`/v1/admin/applications/${electronic.body.applicationId}/decision`, { approve: true });
    await finishedExecution(executionArnOf(electronic.body.applicationId));

    // Act
    const shipElectronic = await c.staff.post(
      `/v1/admin/invoices/${electronic.body.invoices[0].invoiceId}/shipment`,
      { courier: 'SF', trackingNumber: 'SF0000000001' },
    );
    const receiveUnshipped = await c.api.post(`/v1/invoices/${paper.invoices[0].invoiceId}/receipt`);

    // Assess
    expect(shipElectronic.status).toBe(409);
    expect(receiveUnshipped.status).toBe(409);
    expect(receiveUnshipped.body.code).toBe('CONFLICT');
  });
});
