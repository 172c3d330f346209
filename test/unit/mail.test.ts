import { describe, expect, it } from 'vitest';
import { formatTaxRate, renderMail } from '#domain/mail';

const message = {
  language: 'zh' as const,
  subject: '您的发票已开具',
  greeting: '<b>示例</b> & Co，您好：',
  blocks: [
    { paragraph: ['第一行', '第二行'] },
    { invoices: [{ invoiceNumber: '26110108000000000001', amount: 10_600, taxRate: '0.06' }] },
    { fields: [['价税合计', '¥106.00']] as const },
    { link: { label: '在控制台查看申请单', url: 'https://console.example/applications/app_1' } },
  ],
};

describe('R30 e-mails: one template, a text and an HTML alternative', () => {
  it('writes tax rates in percent and amounts in yuan, in both alternatives', () => {
    const mail = renderMail(message);
    expect(mail.text).toContain('  26110108000000000001  ¥106.00  6%');
    expect(mail.text).toContain('价税合计：¥106.00');
    expect(mail.text).toContain('在控制台查看申请单：https://console.example/applications/app_1');
    expect(mail.html).toContain(
      '<td style="padding:4px 12px 4px 0;border-bottom:1px solid #e5e5e5;text-align:right;">6%</td>',
    );
    expect(mail.html).toContain('¥106.00');
    expect(mail.html).toContain(
      '<a href="https://console.example/applications/app_1">在控制台查看申请单</a>',
    );
    expect(mail.html).toContain('<html lang="zh-CN">');
    expect(mail.html).toContain('第一行<br>第二行');
  });

  it('escapes every value in the HTML, and links only web addresses', () => {
    const mail = renderMail({
      ...message,
      blocks: [...message.blocks, { link: { label: 'x', url: 'javascript:alert(1)' } }],
    });
    expect(mail.html).toContain('&#60;b&#62;示例&#60;/b&#62; &#38; Co，您好：');
    expect(mail.html).not.toContain('<b>示例');
    expect(mail.html).not.toContain('href="javascript:');
    expect(mail.html).toContain('x: javascript:alert(1)');
    // The text alternative is plain text: nothing to escape there.
    expect(mail.text.startsWith('<b>示例</b> & Co，您好：')).toBe(true);
  });

  it('formats the rates the service invoices at', () => {
    expect(['0.06', '0.13', '0.09', '0.03', '0.015', '0.07', '0'].map(formatTaxRate)).toEqual([
      '6%',
      '13%',
      '9%',
      '3%',
      '1.5%',
      '7%',
      '0%',
    ]);
  });
});

describe('the MIME message the mailer sends', () => {
  it('carries the text and HTML alternatives and the attachments, which a mail parser reads back', async () => {
    process.env.MAIL_FROM ??= 'invoices@example.com';
    // The mailer checks the suppression list in the table (issue 14); building MIME reads nothing.
    process.env.TABLE_NAME ??= 'unused';
    const { buildMime } = await import('#adapters/mailer');
    const { simpleParser } = await import('mailparser');
    const mail = renderMail(message);
    const raw = buildMime({
      to: 'finance@example.com',
      ...mail,
      attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7') }],
    });
    expect(raw).toMatch(/Content-Type: multipart\/mixed/);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/);
    const parsed = await simpleParser(raw);
    expect(parsed.subject).toBe('您的发票已开具');
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
    expect(parsed.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['a.pdf', '%PDF-1.7'],
    ]);
  });
});
