import { getPdf, getXml, invoiceXmlKey } from '#adapters/document-store';
import { NotFoundError } from '#domain/errors';
import { ownInvoice } from '#use-cases/invoices';

export async function getInvoicePdfFor(accountId: string, invoiceId: string) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const pdf = invoice.pdfKey ? await getPdf(invoice.pdfKey) : undefined;
  if (!pdf) throw new NotFoundError(`The PDF of invoice ${invoiceId} is not ready yet.`);
  return { filename: `${invoice.invoiceNumber}.pdf`, data: pdf };
}

/**
 * The XML stored beside the PDF at issuing, byte for byte the file embedded in the PDF/A-3
 * (regenerating it here could drift from the embedded copy once the builder changes). 404 as
 * for the PDF: another account's invoice, one not rendered yet, or one issued before invoices
 * had XML.
 */
export async function getInvoiceXmlFor(accountId: string, invoiceId: string) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const xml = invoice.pdfKey ? await getXml(invoiceXmlKey(invoice.pdfKey)) : undefined;
  if (!xml) throw new NotFoundError(`The XML of invoice ${invoiceId} is not ready yet.`);
  return { filename: `${invoice.invoiceNumber}.xml`, data: Buffer.from(xml).toString('utf8') };
}
