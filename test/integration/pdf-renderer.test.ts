import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import { sampleInvoiceDocument as sampleInvoice } from '../support/invoice-document.ts';

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
