import { shanghaiDate } from '#domain/calendar';
import { formatYuan, toChineseCapital } from '#domain/chinese-numerals';
import { type InvoiceDocument, invoiceTitle, signedAmount } from '#domain/invoice-document';

/** Namespace of the invoice XML; its schema is docs/schemas/fapiao-invoice.xsd. */
export const INVOICE_XML_NAMESPACE = 'urn:fapiao-service:invoice:1';
/** File name of the XML attached to e-mails and embedded in the PDF/A-3. */
export const INVOICE_XML_FILENAME = 'fapiao.xml';
export const INVOICE_XML_CONTENT_TYPE = 'application/xml';

/**
 * The machine-readable twin of the printed invoice (R26): every field of the PDF, for the
 * buyer's accounting software. Built from the same InvoiceDocument the renderer prints, so the
 * two never disagree; deterministic (same document, same bytes), UTF-8, one element per line.
 * Red-letter amounts are negative, as printed.
 */
export function invoiceXml(doc: InvoiceDocument): string {
  const out: string[] = [];
  const element = (depth: number, tag: string, value: string | number | undefined) => {
    if (value === undefined || value === '') return;
    out.push(`${'  '.repeat(depth)}<${tag}>${escapeXml(String(value))}</${tag}>`);
  };
  const open = (depth: number, tag: string, attributes = '') => {
    out.push(`${'  '.repeat(depth)}<${tag}${attributes}>`);
  };
  const close = (depth: number, tag: string) => {
    out.push(`${'  '.repeat(depth)}</${tag}>`);
  };
  const yuan = (fen: number) => formatYuan(signedAmount(doc, fen));

  out.push('<?xml version="1.0" encoding="UTF-8"?>');
  open(0, 'Invoice', ` xmlns="${INVOICE_XML_NAMESPACE}" version="1"`);
  element(1, 'InvoiceNumber', doc.invoiceNumber);
  element(1, 'Kind', doc.kind);
  element(1, 'InvoiceType', doc.invoiceType);
  element(1, 'Title', invoiceTitle(doc));
  element(1, 'IssueDate', shanghaiDate(issuedAt(doc)));
  element(1, 'IssuedAt', issuedAt(doc).toISOString());
  if (doc.kind === 'red') element(1, 'OriginalInvoiceNumber', doc.originalInvoiceNumber);

  open(1, 'Seller');
  element(2, 'Name', doc.seller.name);
  element(2, 'TaxId', doc.seller.taxId);
  element(2, 'Address', doc.seller.address);
  element(2, 'Phone', doc.seller.phone);
  element(2, 'BankName', doc.seller.bankName);
  element(2, 'BankAccount', doc.seller.bankAccount);
  close(1, 'Seller');

  open(1, 'Buyer');
  element(2, 'Name', doc.buyer.name);
  element(2, 'TaxId', doc.buyer.taxId);
  // As on the PDF: only special invoices carry the buyer's registration details.
  if (doc.invoiceType === 'enterprise-special') {
    element(2, 'Address', doc.buyer.registeredAddress);
    element(2, 'Phone', doc.buyer.registeredPhone);
    element(2, 'BankName', doc.buyer.bankName);
    element(2, 'BankAccount', doc.buyer.bankAccount);
  }
  close(1, 'Buyer');

  open(1, 'Lines');
  doc.lines.forEach((line, i) => {
    open(2, 'Line', ` number="${i + 1}"`);
    element(3, 'ItemName', line.itemName);
    element(3, 'Specification', line.specification);
    element(3, 'Unit', line.unit);
    element(3, 'Quantity', line.quantity === undefined ? undefined : signedAmount(doc, line.quantity));
    element(3, 'AmountExcludingTax', yuan(line.amountExcludingTax));
    element(3, 'TaxRate', line.taxRate);
    element(3, 'TaxAmount', yuan(line.taxAmount));
    close(2, 'Line');
  });
  close(1, 'Lines');

  open(1, 'Totals', ' currency="CNY"');
  element(2, 'AmountExcludingTax', yuan(doc.amountExcludingTax));
  element(2, 'TaxAmount', yuan(doc.taxAmount));
  element(2, 'Total', yuan(doc.total));
  element(2, 'TotalInWords', toChineseCapital(signedAmount(doc, doc.total)));
  element(2, 'TaxRate', doc.taxRate);
  close(1, 'Totals');

  element(1, 'Remarks', doc.remarks);
  element(1, 'Issuer', doc.issuer);
  close(0, 'Invoice');
  return `${out.join('\n')}\n`;
}

function issuedAt(doc: InvoiceDocument): Date {
  const date = new Date(doc.issuedAt);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Invalid issuedAt: ${doc.issuedAt}`);
  return date;
}

/**
 * Character data and attribute values: the five markup characters as entities, carriage
 * returns and tabs as references (a parser would normalise them otherwise), and characters
 * XML 1.0 cannot carry at all (other C0 controls, lone surrogates, U+FFFE/U+FFFF) as U+FFFD.
 */
export function escapeXml(value: string): string {
  return value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the controls are what is replaced
    /[&<>"'\r\t]|[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (character) => ENTITIES[character] ?? '\ufffd',
  );
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
  '\t': '&#9;',
};
