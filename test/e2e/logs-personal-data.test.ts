import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { clientFor, givenAccount, order, sentMailTo, uniqueId, waitFor } from '../support/api.ts';
import { executionArnOf, finishedExecution } from '../support/aws.ts';

/** Every line every function has written so far (stdout and stderr), with the function's name. */
function functionLogLines(): { fn: string; line: string }[] {
  const dir = inject('functionLogDir');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.log'))
    .flatMap((file) =>
      readFileSync(join(dir, file), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => ({ fn: file.slice(0, -'.log'.length), line })),
    );
}

const digits = (count: number) =>
  Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('');

describe('personal data stays out of the logs', () => {
  it('a whole paper lifecycle (special title, address, e-mail, shipping, receipt) logs none of its personal values', async () => {
    // Prepare: values found nowhere else, so any occurrence in a log line is this test's leak
    const accountId = uniqueId('pii');
    const tag = digits(8);
    const personal = {
      buyerName: `杭州隐私${tag}科技有限公司`,
      registeredAddress: `杭州市西湖区保密路${tag}号`,
      registeredPhone: `0571-6${digits(7)}`,
      bankName: `中国工商银行杭州${tag}支行`,
      bankAccount: `62${digits(17)}`,
      notifyEmail: `${accountId}-review@example.com`,
      deliveryEmail: `${accountId}-invoices@example.com`,
      recipient: `隐私${tag}`,
      mobile: `139${digits(8)}`,
      street: `文三路${tag}弄`,
    };
    await givenAccount(accountId, { records: [order(uniqueId('o'), { cashAmount: 40_000 })] });
    const billing = await clientFor('billing-system', ['billing-system']);
    expect(
      (
        await billing.put(`/v1/internal/accounts/${accountId}`, {
          region: 'mainland',
          realName: { type: 'enterprise', name: personal.buyerName },
          arrears: 0,
          language: 'zh',
        })
      ).status,
    ).toBe(200);
    const api = await clientFor(accountId);
    const staff = await clientFor('finance-staff', ['finance']);

    // Act: the lifecycle, with a refused request carrying the same values on the way
    const title = await api.post('/v1/titles', {
      type: 'enterprise-special',
      name: personal.buyerName,
      taxId: '91330106MA2H00006X',
      registeredAddress: personal.registeredAddress,
      registeredPhone: personal.registeredPhone,
      bankName: personal.bankName,
      bankAccount: personal.bankAccount,
      notifyEmail: personal.notifyEmail,
    });
    expect(title.status).toBe(201);
    const titleId = title.body.titleId as string;
    expect(
      (await staff.post(`/v1/admin/accounts/${accountId}/titles/${titleId}/decision`, { approve: true }))
        .status,
    ).toBe(200);
    const refused = await api.post('/v1/addresses', {
      recipient: personal.recipient,
      phone: personal.mobile,
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      street: personal.street,
      postalCode: 'not-a-code',
    });
    expect(refused.status).toBe(400);
    const address = await api.post('/v1/addresses', {
      recipient: personal.recipient,
      phone: personal.mobile,
      province: '浙江省',
      city: '杭州市',
      district: '西湖区',
      street: personal.street,
      postalCode: '310000',
    });
    expect(address.status).toBe(201);
    const created = await api.post('/v1/applications', {
      mode: 'amount',
      amount: 40_000,
      titleId,
      delivery: { medium: 'paper', addressId: address.body.addressId, email: personal.deliveryEmail },
    });
    expect(created.status).toBe(201);
    const applicationId = created.body.applicationId as string;
    await waitFor(async () => {
      const r = await api.get(`/v1/applications/${applicationId}`);
      return r.body.status === 'in-review' ? r.body : undefined;
    }, 'the paper application to wait for review');
    expect(
      (await staff.post(`/v1/admin/applications/${applicationId}/decision`, { approve: true })).status,
    ).toBe(200);
    expect((await finishedExecution(executionArnOf(applicationId))).status).toBe('SUCCEEDED');
    const issued = (await api.get(`/v1/applications/${applicationId}`)).body;
    expect(issued.status).toBe('issued');
    const invoiceId = issued.invoices[0].invoiceId as string;
    const shipped = await staff.post(`/v1/admin/invoices/${invoiceId}/shipment`, {
      courier: 'SF',
      trackingNumber: `SF${digits(10)}`,
    });
    expect(shipped.status).toBe(200);
    expect((await api.post(`/v1/invoices/${invoiceId}/receipt`)).status).toBe(200);
    const invoice = await api.get(`/v1/invoices/${invoiceId}`);
    expect(invoice.status).toBe(200);
    expect(invoice.body.status).toBe('delivered');

    // Assess: the values did go through the service (mail, invoice) ...
    expect(await sentMailTo(personal.notifyEmail)).toHaveLength(1);
    expect(await sentMailTo(personal.deliveryEmail)).toHaveLength(2);
    // ... the functions did log this lifecycle (the last step's line has arrived) ...
    await waitFor(
      async () =>
        functionLogLines().some((l) => l.line.includes(invoiceId) && l.line.includes('receipt confirmed'))
          ? true
          : undefined,
      'the receipt to be logged',
    );
    const lines = functionLogLines();
    expect(lines.filter((l) => l.line.includes(applicationId)).length).toBeGreaterThan(3);
    // ... and no line of any function holds any of the personal values.
    const leaks = Object.entries(personal).flatMap(([field, value]) =>
      lines.filter((l) => l.line.includes(value)).map((l) => `${field} in ${l.fn}: ${l.line.slice(0, 300)}`),
    );
    expect(leaks).toEqual([]);
  });
});
