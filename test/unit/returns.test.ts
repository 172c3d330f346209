import { describe, expect, it } from 'vitest';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { redLetterOf, returnProblems } from '#domain/returns';

function invoice(fields: Partial<IssuedInvoice> = {}): IssuedInvoice {
  return {
    invoiceId: 'inv-1',
    invoiceNumber: '26110100000000000007',
    applicationId: 'app-1',
    accountId: 'acct-1',
    kind: 'blue',
    entity: 'cn-bj-01',
    taxRate: '0.06',
    amount: 10_600,
    amountExcludingTax: 10_000,
    taxAmount: 600,
    lines: [
      {
        itemName: '*信息技术服务*云服务费',
        specification: '2026-10',
        total: 10_600,
        amountExcludingTax: 10_000,
        taxAmount: 600,
      },
    ],
    status: 'delivered',
    issuedAt: '2026-11-01T02:00:00.000Z',
    title: {
      titleId: 't-1',
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    },
    seller: {
      entityId: 'cn-bj-01',
      name: '北京云计算有限公司',
      taxId: '911101080000000000',
      address: '北京',
      phone: '010-0000000',
      bankName: '银行',
      bankAccount: '1',
      issuer: '张三',
    },
    delivery: { medium: 'electronic', email: 'a@example.com' },
    settledChunks: [0],
    ...fields,
  };
}

describe('R34 who may return what', () => {
  it('R34 an issued, shipped or delivered blue invoice may be returned with just a reason', () => {
    for (const status of ['issued', 'shipped', 'delivered'] as const) {
      expect(returnProblems(invoice({ status }), { reason: 'ISSUE_ERROR' })).toEqual({ errors: [] });
    }
  });

  it('R34 a red-letter invoice, or one already returning, returned or credited, is a conflict', () => {
    expect(returnProblems(invoice({ kind: 'red' }), { reason: 'ISSUE_ERROR' }).conflict).toMatch(
      /red-letter/,
    );
    for (const status of ['returning', 'returned', 'credited'] as const) {
      expect(returnProblems(invoice({ status }), { reason: 'ISSUE_ERROR' }).conflict).toContain(status);
    }
  });

  it('R34 a paper invoice needs the courier and tracking number of the mailed-back invoice; electronic ones must not have them', () => {
    const paper = invoice({ delivery: { medium: 'paper', addressId: 'addr-1' } });
    expect(returnProblems(paper, { reason: 'SALES_RETURN' }).errors.map((e) => e.path)).toEqual([
      'body.courier',
      'body.trackingNumber',
    ]);
    expect(
      returnProblems(paper, { reason: 'SALES_RETURN', courier: 'SF', trackingNumber: 'SF123456' }),
    ).toEqual({
      errors: [],
    });
    expect(
      returnProblems(invoice(), { reason: 'SALES_RETURN', courier: 'SF', trackingNumber: 'SF123456' }).errors,
    ).toHaveLength(2);
  });

  it('R34 a special invoice needs the red-letter form number only once finance recorded the buyer certified it', () => {
    const special = { ...invoice().title, type: 'enterprise-special' as const };
    const uncertified = invoice({ title: special });
    const certified = invoice({ title: special, certifiedAt: '2026-11-02T02:00:00.000Z' });
    expect(returnProblems(uncertified, { reason: 'SALES_DISCOUNT' }).errors).toEqual([]);
    expect(returnProblems(certified, { reason: 'SALES_DISCOUNT' }).errors.map((e) => e.path)).toEqual([
      'body.redLetterFormNumber',
    ]);
    expect(
      returnProblems(certified, { reason: 'SALES_DISCOUNT', redLetterFormNumber: '4403012611000123' }).errors,
    ).toEqual([]);
  });
});

describe('R34 the red-letter invoice', () => {
  it('R34 credits the original in full: negative amounts and lines, same buyer and seller, referencing the original', () => {
    const original = invoice();
    const red = redLetterOf(original, 'ret-1-red', '26110100000000000009', new Date('2026-11-05T02:00:00Z'));
    expect(red).toMatchObject({
      invoiceId: 'ret-1-red',
      invoiceNumber: '26110100000000000009',
      kind: 'red',
      status: 'issued',
      amount: -10_600,
      amountExcludingTax: -10_000,
      taxAmount: -600,
      entity: original.entity,
      title: original.title,
      seller: original.seller,
      originalInvoiceId: 'inv-1',
      originalInvoiceNumber: original.invoiceNumber,
      settledChunks: [],
    });
    expect(red.lines).toEqual([
      { ...original.lines[0], total: -10_600, amountExcludingTax: -10_000, taxAmount: -600 },
    ]);
    expect(red.amount + original.amount).toBe(0);
  });

  it('R34 goes to the e-mail the original was delivered to; a paper original without one keeps its delivery', () => {
    const paperWithEmail = invoice({ delivery: { medium: 'paper', addressId: 'a', email: 'p@example.com' } });
    const paperOnly = invoice({ delivery: { medium: 'paper', addressId: 'a' } });
    const now = new Date();
    expect(redLetterOf(paperWithEmail, 'r', 'n', now).delivery).toEqual({
      medium: 'electronic',
      email: 'p@example.com',
    });
    expect(redLetterOf(paperOnly, 'r', 'n', now).delivery).toEqual({ medium: 'paper', addressId: 'a' });
  });
});
