import { describe, expect, it } from 'vitest';
import { escapeXml, INVOICE_XML_NAMESPACE, invoiceXml } from '#domain/invoice-xml';
import { sampleInvoiceDocument } from '../support/invoice-document.ts';
import { schemaErrors } from '../support/invoice-xml-schema.ts';

/** Text of the first `tag` element (entities resolved the way a parser would). */
function field(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return match?.[1]
    ?.replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#13;/g, '\r')
    .replace(/&#9;/g, '\t')
    .replace(/&amp;/g, '&');
}

describe('invoiceXml', () => {
  it('carries every printed field of a special blue invoice and validates against the schema', async () => {
    // Prepare
    const doc = sampleInvoiceDocument();

    // Act
    const xml = invoiceXml(doc);

    // Assess
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml).toContain(`<Invoice xmlns="${INVOICE_XML_NAMESPACE}" version="1">`);
    expect(field(xml, 'InvoiceNumber')).toBe('26332000000123456789');
    expect(field(xml, 'Title')).toBe('电子发票（增值税专用发票）');
    // 01:30 on 1 November in Shanghai, although still 31 October in UTC.
    expect(field(xml, 'IssueDate')).toBe('2026-11-01');
    expect(xml).toMatch(
      /<Seller>\s*<Name>上海云端信息服务有限公司<\/Name>\s*<TaxId>91310115MA1K00000Y<\/TaxId>/,
    );
    expect(xml).toContain('<BankName>招商银行杭州分行</BankName>');
    expect(xml).toContain('<Address>浙江省杭州市西湖区文三路100号</Address>');
    expect(xml).toMatch(
      /<Line number="2">\s*<ItemName>\*信息技术服务\*技术支持服务费<\/ItemName>\s*<Specification>ORD-20261031-0001<\/Specification>\s*<Unit>项<\/Unit>\s*<Quantity>1<\/Quantity>\s*<AmountExcludingTax>40.00<\/AmountExcludingTax>\s*<TaxRate>0.06<\/TaxRate>\s*<TaxAmount>2.40<\/TaxAmount>/,
    );
    expect(xml).toMatch(
      /<Totals currency="CNY">\s*<AmountExcludingTax>100.00<\/AmountExcludingTax>\s*<TaxAmount>6.00<\/TaxAmount>\s*<Total>106.00<\/Total>\s*<TotalInWords>壹佰零陆圆整<\/TotalInWords>/,
    );
    expect(field(xml, 'Remarks')).toBe('订单号 ORD-20261031-0001');
    expect(xml).not.toContain('OriginalInvoiceNumber');
  });

  it('gives a red-letter invoice negative amounts and the credited number', async () => {
    // Prepare
    const doc = sampleInvoiceDocument({
      kind: 'red',
      invoiceType: 'enterprise-ordinary',
      invoiceNumber: '26332000000987654321',
      originalInvoiceNumber: '26332000000123456789',
      remarks: undefined,
    });

    // Act
    const xml = invoiceXml(doc);

    // Assess
    expect(await schemaErrors(xml)).toEqual([]);
    expect(field(xml, 'Kind')).toBe('red');
    expect(field(xml, 'Title')).toBe('电子发票（普通发票）');
    expect(field(xml, 'OriginalInvoiceNumber')).toBe('26332000000123456789');
    expect(field(xml, 'Total')).toBe('-106.00');
    expect(field(xml, 'TotalInWords')).toBe('（负数）壹佰零陆圆整');
    expect(xml).toContain('<AmountExcludingTax>-60.00</AmountExcludingTax>');
    expect(xml).toContain('<Quantity>-1</Quantity>');
    // Ordinary invoices leave the buyer's registration details off, as the PDF does.
    expect(xml).not.toContain('招商银行杭州分行');
    expect(xml).not.toContain('<Remarks>');
  });

  it('describes a personal buyer without a taxpayer ID and Latin names', async () => {
    // Prepare
    const doc = sampleInvoiceDocument({
      invoiceType: 'personal-ordinary',
      buyer: { name: 'Zoë Müller-Smith' },
      lines: [
        { itemName: '*信息技术服务*Cloud hosting', amountExcludingTax: 100, taxRate: '0.06', taxAmount: 6 },
      ],
      amountExcludingTax: 100,
      taxAmount: 6,
      total: 106,
      remarks: undefined,
    });

    // Act
    const xml = invoiceXml(doc);

    // Assess
    expect(await schemaErrors(xml)).toEqual([]);
    expect(xml).toMatch(/<Buyer>\s*<Name>Zoë Müller-Smith<\/Name>\s*<\/Buyer>/);
    expect(field(xml, 'TotalInWords')).toBe('壹圆零陆分');
    expect(xml).not.toContain('<Unit>');
    expect(xml).not.toContain('<Quantity>');
  });

  it('escapes markup characters in names and remarks so they read back unchanged', async () => {
    // Prepare
    const name = `Tom & Jerry's <"Cheese"> 有限公司`;
    const remarks = 'PO <123> & "rush"\r\nline 2\tcolumn ]]> end';
    const doc = sampleInvoiceDocument({
      buyer: { ...sampleInvoiceDocument().buyer, name },
      remarks,
    });

    // Act
    const xml = invoiceXml(doc);

    // Assess
    expect(await schemaErrors(xml)).toEqual([]);
    expect(field(xml, 'Name')).toBe('上海云端信息服务有限公司');
    expect(xml).toContain('<Name>Tom &amp; Jerry&apos;s &lt;&quot;Cheese&quot;&gt; 有限公司</Name>');
    expect(field(xml, 'Remarks')).toBe(remarks);
  });

  it('replaces characters that XML 1.0 cannot carry instead of producing a broken file', async () => {
    // Prepare
    const doc = sampleInvoiceDocument({ remarks: 'bell\u0007 and lone \ud800 surrogate, emoji 🧾 kept' });

    // Act
    const xml = invoiceXml(doc);

    // Assess
    expect(await schemaErrors(xml)).toEqual([]);
    expect(field(xml, 'Remarks')).toBe('bell\ufffd and lone \ufffd surrogate, emoji 🧾 kept');
    expect(escapeXml('a\u0000b\uffff')).toBe('a\ufffdb\ufffd');
  });

  it('is deterministic and rejected by the schema when a required field is missing', async () => {
    // Prepare
    const doc = sampleInvoiceDocument();

    // Act
    const first = invoiceXml(doc);
    const second = invoiceXml(structuredClone(doc));
    const withoutSellerTaxId = invoiceXml({ ...doc, seller: { ...doc.seller, taxId: '' } });

    // Assess
    expect(second).toBe(first);
    const errors = await schemaErrors(withoutSellerTaxId);
    expect(errors.join('\n')).toMatch(/Address.*(not expected|Expected is).*TaxId/s);
  });
});
