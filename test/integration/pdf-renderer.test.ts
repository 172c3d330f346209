import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import type { InvoiceDocument } from '#domain/invoice-document';

// poppler-utils (pdftotext, pdfinfo, pdffonts) reads the PDFs the way a viewer would.
const workDir = mkdtempSync(join(tmpdir(), 'pdf-renderer-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts', pdf: Uint8Array, ...args: string[]): string {
  const file = join(workDir, `${tool}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  try {
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`${tool} failed (is poppler-utils installed?): ${String(error)}`);
  }
}

function sampleInvoice(overrides: Partial<InvoiceDocument> = {}): InvoiceDocument {
  return {
    invoiceNumber: '26332000000123456789',
    kind: 'blue',
    invoiceType: 'enterprise-special',
    issuedAt: '2026-10-31T17:30:00.000Z',
    buyer: {
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00000X',
      registeredAddress: '浙江省杭州市西湖区文三路100号',
      registeredPhone: '0571-88880000',
      bankName: '招商银行杭州分行',
      bankAccount: '571900000000001',
    },
    seller: {
      name: '上海云端信息服务有限公司',
      taxId: '91310115MA1K00000Y',
      address: '上海市浦东新区世纪大道1号',
      phone: '021-66660000',
      bankName: '中国工商银行上海分行',
      bankAccount: '1001200000000000000',
    },
    lines: [
      {
        itemName: '*信息技术服务*云服务费',
        specification: '2026-10',
        unit: '月',
        quantity: 1,
        amountExcludingTax: 6000,
        taxRate: '0.06',
        taxAmount: 360,
      },
      {
        itemName: '*信息技术服务*技术支持服务费',
        specification: 'ORD-20261031-0001',
        unit: '项',
        quantity: 1,
        amountExcludingTax: 4000,
        taxRate: '0.06',
        taxAmount: 240,
      },
    ],
    amountExcludingTax: 10000,
    taxAmount: 600,
    total: 10600,
    taxRate: '0.06',
    remarks: '订单号 ORD-20261031-0001',
    issuer: '张三',
    ...overrides,
  };
}

describe('renderInvoicePdf', () => {
  it('prints the invoice so that its text can be extracted', async () => {
    // Prepare
    const invoice = sampleInvoice();

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    const text = poppler('pdftotext', pdf, '-layout');
    expect(text).toContain('电子发票（增值税专用发票）');
    expect(text).toContain('杭州示例科技有限公司');
    expect(text).toContain('上海云端信息服务有限公司');
    expect(text).toContain('26332000000123456789');
    expect(text).toContain('106.00');
    expect(text).toContain('壹佰零陆圆整');
    expect(text).toContain('6%');
    expect(text).toContain('开户银行：招商银行杭州分行');
    // 01:30 on 1 November in Shanghai, although still 31 October in UTC.
    expect(text).toContain('2026年11月01日');
  });

  it('stays small because only the used glyphs of the CJK font are embedded', async () => {
    // Prepare
    const invoice = sampleInvoice();

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    expect(pdf.byteLength).toBeLessThan(200 * 1024);
    const fonts = poppler('pdffonts', pdf);
    expect(fonts).toMatch(/\+NotoSansSC/);
    // Only the embedded CJK font: a standard font is not embedded and cannot show Chinese.
    expect(fonts).not.toMatch(/Helvetica|Times|Courier/);
  });

  it('is byte-for-byte reproducible and titled with the invoice number', async () => {
    // Prepare
    const invoice = sampleInvoice();

    // Act
    const first = await renderInvoicePdf(invoice);
    const second = await renderInvoicePdf(invoice);

    // Assess
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
    expect(poppler('pdfinfo', first)).toMatch(/^Title:\s+26332000000123456789$/m);
  });

  it('prints a red-letter invoice with negative amounts and the credited invoice', async () => {
    // Prepare
    const invoice = sampleInvoice({
      kind: 'red',
      invoiceType: 'enterprise-ordinary',
      invoiceNumber: '26332000000987654321',
      originalInvoiceNumber: '26332000000123456789',
      remarks: undefined,
    });

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    const text = poppler('pdftotext', pdf, '-layout');
    expect(text).toContain('电子发票（普通发票）');
    expect(text).toContain('红字');
    expect(text).toContain('（负数）壹佰零陆圆整');
    expect(text).toContain('¥-106.00');
    expect(text).toContain('-60.00');
    expect(text).toContain('被红冲蓝字发票号码: 26332000000123456789');
    // Ordinary invoices leave the buyer's bank details off.
    expect(text).not.toContain('招商银行杭州分行');
  });

  it('grows the page instead of overflowing when there are many lines', async () => {
    // Prepare
    const line = sampleInvoice().lines[0]!;
    const invoice = sampleInvoice({
      lines: Array.from({ length: 40 }, (_, i) => ({ ...line, specification: `2026-${i + 1}` })),
    });

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    const info = poppler('pdfinfo', pdf);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(poppler('pdftotext', pdf, '-layout')).toContain('2026-40');
  });
});
