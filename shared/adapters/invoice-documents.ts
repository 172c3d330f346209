import { invoicePdfKey, invoiceXmlKey, putPdf, putXml } from '#adapters/document-store';
import { setInvoicePdf } from '#adapters/invoice-repository';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import type { InvoiceDocument } from '#domain/invoice-document';
import { invoiceXml } from '#domain/invoice-xml';
import type { IssuedInvoice } from '#domain/issued-invoice';

/**
 * The issued invoice's XML and PDF/A-3 (the XML embedded), stored once and named on the
 * invoice; an invoice that names its PDF is left as it is. Both tax platform adapters call this
 * once the invoice is recorded under its number (docs/tax-platform.md).
 */
export async function ensureDocuments(invoice: IssuedInvoice): Promise<IssuedInvoice> {
  if (invoice.pdfKey) return invoice;
  const key = invoicePdfKey(invoice.accountId, invoice.invoiceId);
  await storeInvoiceDocuments(key, toDocument(invoice));
  await setInvoicePdf(invoice.invoiceId, key);
  return { ...invoice, pdfKey: key };
}

/**
 * The invoice's XML and its PDF/A-3 with that XML embedded, each stored once. The XML goes
 * first, so an invoice whose PDF exists has its XML too. A retry rebuilds the same XML (a pure
 * function of the frozen invoice) instead of reading the stored one back, which keeps S3 reads
 * out of this function's bundle; the PDF and the download route carry the same bytes.
 */
async function storeInvoiceDocuments(pdfKey: string, document: InvoiceDocument): Promise<void> {
  const xml = invoiceXml(document);
  await putXml(invoiceXmlKey(pdfKey), xml);
  await putPdf(pdfKey, await renderInvoicePdf(document, xml));
}

export function toDocument(invoice: IssuedInvoice): InvoiceDocument {
  return {
    invoiceNumber: invoice.invoiceNumber,
    kind: invoice.kind,
    invoiceType: invoice.title.type,
    issuedAt: invoice.issuedAt,
    buyer: invoice.title,
    seller: invoice.seller,
    lines: invoice.lines.map((line) => ({
      itemName: line.itemName,
      specification: line.specification,
      amountExcludingTax: line.amountExcludingTax,
      taxRate: invoice.taxRate,
      taxAmount: line.taxAmount,
    })),
    amountExcludingTax: invoice.amountExcludingTax,
    taxAmount: invoice.taxAmount,
    total: invoice.amount,
    taxRate: invoice.taxRate,
    remarks: invoice.title.remark,
    issuer: invoice.seller.issuer,
    ...(invoice.originalInvoiceNumber ? { originalInvoiceNumber: invoice.originalInvoiceNumber } : {}),
  };
}
