import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OwnStack, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * R27: when the PDFs would not fit in one SES message, the e-mail carries download links
 * instead. Real invoices are far below the 7 MiB limit, so this stack of its own lowers the
 * limit (MAIL_ATTACHMENT_LIMIT_BYTES, a deployment setting) below one PDF.
 */
const API = 'https://api.invoice-service.test';
let own: OwnStack;

beforeAll(async () => {
  own = await startOwnStack({
    functionEnv: { MAIL_ATTACHMENT_LIMIT_BYTES: '1000', API_BASE_URL: `${API}/` },
  });
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

describe('R27 electronic delivery of large PDFs', () => {
  it('R27 R30 sends download links instead of attachments when the PDFs exceed the limit, and each link serves the PDF', async () => {
    // Prepare
    const accountId = ownId('large');
    const email = `${accountId}@example.com`;
    const paidAt = new Date(Date.now() - 20 * 86_400_000).toISOString();
    await own.givenAccount(accountId, [
      {
        recordId: ownId('o'),
        kind: 'order',
        period: '2026-10',
        paidAt,
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 10_600,
      },
      {
        recordId: ownId('o'),
        kind: 'order',
        period: '2026-10',
        paidAt,
        entity: 'cn-sh-01',
        taxRate: '0.13',
        cashAmount: 11_300,
      },
    ]);
    const customer = { accountId };
    const title = await own.request('POST', '/v1/titles', customer, {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });

    // Act
    const created = await own.request('POST', '/v1/applications', customer, {
      mode: 'amount',
      amount: 21_900,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email },
    });
    const arn = `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${created.body.applicationId}`;
    const execution = await own.stack.stepFunctions.waitForExecution(arn, 45_000);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect((await own.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe(
      'SUCCEEDED',
    );
    const application = (await own.request('GET', `/v1/applications/${created.body.applicationId}`, customer))
      .body;
    expect(application.status).toBe('delivered');
    const mails = await own.mailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments).toHaveLength(0);
    expect(mails[0]!.body.text).toContain('PDF 文件过大无法作为附件发送，请在发票管理页面下载');
    const links = [...mails[0]!.body.text!.matchAll(/(\d{20})：(\S+)/g)].map((m) => ({
      number: m[1],
      url: m[2]!,
    }));
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link.url).toMatch(new RegExp(`^${API}/v1/invoices/inv_[\\w-]+/pdf$`));
      const pdf = await own.request('GET', link.url.slice(API.length), customer);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="${link.number}.pdf"`);
      expect(pdf.raw.byteLength).toBeGreaterThan(1000);
    }
  });
});
