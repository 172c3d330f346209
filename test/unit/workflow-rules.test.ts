import { describe, expect, it } from 'vitest';
import type { Application } from '#domain/application';
import { fitsAsAttachments, MAX_ATTACHMENT_BYTES } from '#domain/invoice-document';
import { invoiceDetailsCsv, quote } from '#domain/invoice-export';
import { type IssuedInvoice, shipmentProblem } from '#domain/issued-invoice';
import { daysToCheck, deadlineDay, providerDone } from '#domain/lifecycle';
import {
  cancelledEmail,
  failedEmail,
  financeEmail,
  invoiceEmail,
  rejectedEmail,
  shippedEmail,
} from '#domain/notifications';

const application = (fields: Partial<Application> = {}): Application => ({
  applicationId: 'app_1',
  accountId: 'acct-1',
  status: 'issued',
  mode: 'amount',
  total: 15_900,
  invoices: [],
  allocations: [],
  title: {
    titleId: 't1',
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  },
  delivery: { medium: 'electronic', email: 'a@example.com' },
  submittedAt: '2026-11-20T02:00:00.000Z',
  cancellableUntil: '2026-11-20T16:00:00.000Z',
  expectedBy: '2026-11-27T16:00:00.000Z',
  timeline: [],
  ...fields,
});

const invoice = (fields: Partial<IssuedInvoice> = {}): IssuedInvoice => ({
  invoiceId: 'inv_1',
  invoiceNumber: '26110108000000000001',
  applicationId: 'app_1',
  accountId: 'acct-1',
  kind: 'blue',
  entity: 'cn-bj-01',
  taxRate: '0.06',
  amount: 15_900,
  amountExcludingTax: 15_000,
  taxAmount: 900,
  lines: [
    {
      itemName: '*信息技术服务*云服务费',
      specification: '2026-09',
      total: 10_600,
      amountExcludingTax: 10_000,
      taxAmount: 600,
    },
    {
      itemName: '*信息技术服务*云服务费',
      specification: '2026-10',
      total: 5_300,
      amountExcludingTax: 5_000,
      taxAmount: 300,
    },
  ],
  status: 'issued',
  issuedAt: '2026-11-20T16:30:00.000Z',
  title: {
    titleId: 't1',
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  },
  seller: {
    entityId: 'cn-bj-01',
    name: '北京云启计算技术有限公司',
    taxId: '91110108MA01A2B3CF',
    address: '北京',
    phone: '010',
    bankName: '银行',
    bankAccount: '1',
    issuer: '张敏',
  },
  delivery: { medium: 'electronic', email: 'a@example.com' },
  settledChunks: [0],
  ...fields,
});

describe('R30 notification templates in Chinese and English', () => {
  it('R30 the issued e-mail lists every invoice and the total; paper ones announce mailing and the stock notice', () => {
    const zh = invoiceEmail('zh', application(), [invoice()]);
    expect(zh.subject).toBe('您的发票已开具（申请单 app_1）');
    expect(zh.text).toContain('26110108000000000001  ¥159.00  6%');
    expect(zh.text).toContain('PDF 文件见附件（每张附 XML 数据文件）');
    const paper = invoiceEmail(
      'en',
      application({ delivery: { medium: 'paper', addressId: 'a1', email: 'a@example.com' } }),
      [invoice()],
      {
        paperStockNotice: { message: 'Stock is short.', expectedMailingDate: '2026-12-01' },
      },
    );
    expect(paper.text).toContain('The paper invoices will be mailed');
    expect(paper.text).toContain('Notice: Stock is short. Expected mailing date: 2026-12-01.');
    const linked = invoiceEmail('en', application(), [invoice()], {
      downloadLinks: [
        { invoiceNumber: '26110108000000000001', url: 'https://api.example/v1/invoices/inv_1/pdf' },
      ],
      downloadLinksExpireAt: '2026-11-27T01:30:00.000Z',
    });
    expect(linked.text).toContain('too large to attach');
    expect(linked.text).toContain(
      'download them with these links, valid until 2026-11-27 09:30 (UTC+8) at the latest (afterwards from the invoice console):',
    );
    expect(linked.text).toContain('26110108000000000001: https://api.example/v1/invoices/inv_1/pdf');
  });

  it('R25 R30 rejected, cancelled and failed e-mails say what happened, in the account language', () => {
    expect(rejectedEmail('zh', application(), '金额与合同不符').text).toContain('原因：金额与合同不符');
    expect(rejectedEmail('en', application(), 'Wrong amount').subject).toBe(
      'Your invoice application was rejected (application app_1)',
    );
    expect(cancelledEmail('zh', application()).subject).toBe('您的开票申请已撤销（申请单 app_1）');
    expect(cancelledEmail('en', application()).text).toContain('no invoice was issued');
    expect(failedEmail('zh', application()).text).toContain('该金额已恢复为可开票金额');
    expect(failedEmail('en', application()).subject).toContain('could not be completed');
  });

  it('R27 R30 the shipped e-mail names the courier and tracking number, in China time', () => {
    const shipment = {
      courier: 'YUNDA' as const,
      trackingNumber: 'YD123456',
      shippedAt: '2026-11-21T02:05:00.000Z',
    };
    const zh = shippedEmail('zh', invoice(), shipment);
    expect(zh.text).toContain('已由韵达快递寄出，快递单号：YD123456。');
    expect(zh.text).toContain('2026-11-21 10:05 (UTC+8)');
    expect(shippedEmail('en', invoice(), shipment).text).toContain(
      'was shipped by Yunda Express, tracking number YD123456.',
    );
  });

  it('R28 finance hears about a breached deadline with the expected date in China time', () => {
    const mail = financeEmail('deadline-breached', application({ status: 'in-review' }));
    expect(mail.subject).toContain('app_1');
    expect(mail.text).toContain('2026-11-28 00:00 (UTC+8)');
    expect(mail.text).toContain('still in-review');
  });
});

describe('R29 invoiced details as CSV', () => {
  it('R29 one row per line with BOM, CRLF, yuan with two decimals and China time; red invoices negative', () => {
    const csv = invoiceDetailsCsv([
      invoice(),
      invoice({ kind: 'red', invoiceNumber: '26110108000000000002', status: 'issued' }),
    ]);
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const rows = csv.slice(1).split('\r\n');
    expect(rows.at(-1)).toBe('');
    expect(rows).toHaveLength(1 + 4 + 1);
    expect(rows[1]).toBe(
      '26110108000000000001,2026-11-21T00:30:00+08:00,blue,cn-bj-01,北京云启计算技术有限公司,杭州示例科技有限公司,91330106MA2H00006X,*信息技术服务*云服务费,2026-09,0.06,100.00,6.00,106.00,issued',
    );
    expect(rows[4]).toContain(',0.06,-50.00,-3.00,-53.00,issued');
  });

  it('R29 quotes commas, quotes and line breaks, and defuses spreadsheet formulas in customer text', () => {
    expect(quote('a,b')).toBe('"a,b"');
    expect(quote('say "hi"')).toBe('"say ""hi"""');
    expect(quote('two\nlines')).toBe('"two\nlines"');
    expect(quote('plain')).toBe('plain');
    const csv = invoiceDetailsCsv([
      invoice({ title: { titleId: 't', type: 'personal-ordinary', name: '=HYPERLINK("x")' } }),
    ]);
    expect(csv).toContain(`,"'=HYPERLINK(""x"")",`);
  });
});

describe('R27 R28 lifecycle rules', () => {
  it('R27 attachments up to 7 MiB raw go in one e-mail; more become links', () => {
    expect(fitsAsAttachments([MAX_ATTACHMENT_BYTES])).toBe(true);
    expect(fitsAsAttachments([MAX_ATTACHMENT_BYTES - 10, 11])).toBe(false);
    expect(MAX_ATTACHMENT_BYTES * (4 / 3)).toBeLessThan(10_000_000);
  });

  it('R27 SF and Yunda need a tracking number; a pickup has none', () => {
    expect(shipmentProblem('SF', undefined)).toBe('is required for courier SF');
    expect(shipmentProblem('YUNDA', 'YD1')).toBeUndefined();
    expect(shipmentProblem('PICKUP', undefined)).toBeUndefined();
    expect(shipmentProblem('PICKUP', 'X')).toBe('is not used for a pickup');
  });

  it('R28 the provider is done when electronic invoices are e-mailed or paper ones shipped, or nothing is issued', () => {
    expect(providerDone(application({ status: 'issued' }))).toBe(false);
    expect(providerDone(application({ status: 'issued', emailedAt: '2026-11-21T00:00:00Z' }))).toBe(true);
    expect(providerDone(application({ status: 'delivered' }))).toBe(true);
    expect(
      providerDone(
        application({ status: 'issued', delivery: { medium: 'paper', addressId: 'a' }, emailedAt: 'x' }),
      ),
    ).toBe(false);
    expect(
      providerDone(application({ status: 'shipped', delivery: { medium: 'paper', addressId: 'a' } })),
    ).toBe(true);
    for (const status of ['submitted', 'in-review', 'issuing'] as const)
      expect(providerDone(application({ status }))).toBe(false);
    for (const status of ['rejected', 'cancelled', 'failed'] as const)
      expect(providerDone(application({ status }))).toBe(true);
  });

  it('R28 deadlines are grouped by China day; the check reads today and the lookback days', () => {
    expect(deadlineDay('2026-11-27T16:00:00.000Z')).toBe('2026-11-28');
    expect(deadlineDay('2026-11-27T15:59:59.999Z')).toBe('2026-11-27');
    expect(daysToCheck(new Date('2026-11-21T17:00:00Z'), 2)).toEqual([
      '2026-11-20',
      '2026-11-21',
      '2026-11-22',
    ]);
  });
});
