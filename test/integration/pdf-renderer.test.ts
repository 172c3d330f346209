import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import { invoiceXml } from '#domain/invoice-xml';
import { sampleInvoiceDocument as sampleInvoice } from '../support/invoice-document.ts';
import { schemaErrors } from '../support/invoice-xml-schema.ts';

// poppler-utils (pdftotext, pdfinfo, pdffonts, pdfdetach) reads the PDFs the way a viewer
// would; qpdf checks the file's structure.
const workDir = mkdtempSync(join(tmpdir(), 'pdf-renderer-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function poppler(
  tool: 'pdftotext' | 'pdfinfo' | 'pdffonts' | 'pdfdetach' | 'qpdf',
  pdf: Uint8Array,
  ...args: string[]
): string {
  const file = join(workDir, `${tool}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  try {
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(`${tool} failed (are poppler-utils and qpdf installed?): ${String(error)}`);
  }
}

/** The embedded file `index` (1-based) as pdfdetach extracts it. */
function detach(pdf: Uint8Array, index: number): Buffer {
  const out = join(workDir, `detached-${Math.random().toString(36).slice(2)}`);
  poppler('pdfdetach', pdf, '-save', String(index), '-o', out);
  return readFileSync(out);
}

/** An indirect object of the PDF as qpdf's JSON shows it (version 2: names as "/Name"). */
function qpdfObjects(
  pdf: Uint8Array,
): Record<string, { value?: unknown; stream?: { dict: Record<string, unknown> } }> {
  const json = JSON.parse(poppler('qpdf', pdf, '--json=2', '--json-key=qpdf')) as {
    qpdf: [unknown, Record<string, { value?: unknown; stream?: { dict: Record<string, unknown> } }>];
  };
  return json.qpdf[1];
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

  it('takes the size of the paper form while the lines fit on it', async () => {
    // Prepare
    const line = sampleInvoice().lines[0]!;
    const invoice = sampleInvoice({
      kind: 'red',
      originalInvoiceNumber: '26332000000123456780',
      lines: Array.from({ length: 4 }, (_, i) => ({ ...line, specification: `2026-${i + 1}` })),
    });

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    // 241 × 140 mm.
    expect(poppler('pdfinfo', pdf)).toMatch(/^Page size:\s+683.15 x 396.85 pts$/m);
    expect(poppler('pdftotext', pdf, '-layout')).toContain('2026-4');
  });

  it('is a PDF/A-3B whose structure qpdf accepts, with XMP in step with the Info dictionary', async () => {
    // Prepare
    const invoice = sampleInvoice();

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    expect(poppler('qpdf', pdf, '--check')).toContain('No syntax or stream encoding errors found');
    const info = poppler('pdfinfo', pdf);
    expect(info).toMatch(/^Title:\s+26332000000123456789$/m);
    expect(info).toMatch(/^Author:\s+上海云端信息服务有限公司$/m);
    expect(info).toMatch(/^Metadata Stream:\s+yes$/m);
    const xmp = poppler('pdfinfo', pdf, '-meta');
    expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(xmp).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
    expect(xmp).toContain('<rdf:li xml:lang="x-default">26332000000123456789</rdf:li>');
    expect(xmp).toContain('<rdf:li>上海云端信息服务有限公司</rdf:li>');
    expect(xmp).toContain('<rdf:li xml:lang="x-default">电子发票（增值税专用发票）</rdf:li>');
    // Info's CreationDate D:20261031173000Z, the same instant.
    expect(info).toMatch(/^CreationDate:.*2026/m);
    expect(xmp).toContain('<xmp:CreateDate>2026-10-31T17:30:00Z</xmp:CreateDate>');

    const objects = qpdfObjects(pdf);
    const catalog = Object.values(objects).find(
      (object) => (object.value as { '/Type'?: string } | undefined)?.['/Type'] === '/Catalog',
    )?.value as Record<string, unknown>;
    const resolve = (ref: unknown) => objects[`obj:${String(ref)}`]!;
    const [intent] = catalog['/OutputIntents'] as Record<string, unknown>[];
    expect(intent?.['/S']).toBe('/GTS_PDFA1');
    const profile = resolve(intent?.['/DestOutputProfile']).stream!.dict;
    expect(profile['/N']).toBe(3);
    const [spec = {}] = (catalog['/AF'] as string[]).map(
      (ref) => resolve(ref).value as Record<string, unknown>,
    );
    expect(spec['/AFRelationship']).toBe('/Alternative');
    expect(spec['/UF']).toBe('u:fapiao.xml');
    const embedded = resolve((spec['/EF'] as Record<string, string>)['/F']).stream!.dict;
    expect(embedded['/Subtype']).toBe('/application/xml');
    expect(
      (catalog['/Names'] as { '/EmbeddedFiles': { '/Names': unknown[] } })['/EmbeddedFiles']['/Names'],
    ).toEqual(['u:fapiao.xml', (catalog['/AF'] as string[])[0]]);
    expect(poppler('pdffonts', pdf)).toMatch(/CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
    // A file identifier in the trailer (ISO 19005-3, 6.1.3).
    expect((objects.trailer!.value as { '/ID'?: unknown[] })['/ID']).toHaveLength(2);
  });

  it('embeds exactly the invoice XML, which pdfdetach extracts and the schema accepts', async () => {
    // Prepare
    const invoice = sampleInvoice({
      kind: 'red',
      invoiceType: 'enterprise-ordinary',
      invoiceNumber: '26332000000987654321',
      originalInvoiceNumber: '26332000000123456789',
      remarks: 'Tom & Jerry <rush>',
    });

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    expect(poppler('pdfdetach', pdf, '-list')).toMatch(/^1 embedded files\n1: fapiao.xml$/m);
    const xml = detach(pdf, 1);
    expect(xml.toString('utf8')).toBe(invoiceXml(invoice));
    expect(await schemaErrors(xml.toString('utf8'))).toEqual([]);
    // The text stays readable for eyes and tools.
    expect(poppler('pdftotext', pdf, '-layout')).toContain('Tom & Jerry <rush>');
  });

  it('draws a character the font lacks as a stand-in glyph, never .notdef, and still extracts it', async () => {
    // Prepare
    const invoice = sampleInvoice({ remarks: '票据🧾已付' });

    // Act
    const pdf = await renderInvoicePdf(invoice);

    // Assess
    expect(poppler('pdftotext', pdf, '-layout')).toContain('票据🧾已付');
    expect(poppler('qpdf', pdf, '--check')).toContain('No syntax or stream encoding errors found');
  });
});
