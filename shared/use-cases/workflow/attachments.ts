import { getPdf, getXml, invoiceXmlKey } from '#adapters/document-store';
import type { Attachment } from '#adapters/mailer';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { PermanentTaskError } from '#domain/workflow-errors';

/**
 * What an electronic invoice's e-mail carries (R27, R34): the PDF/A-3 and, beside it, the same
 * XML that is embedded in it, for software that does not open PDFs. Invoices issued before
 * invoices had XML have only the PDF.
 */
export async function invoiceAttachments(invoice: IssuedInvoice): Promise<Attachment[]> {
  const pdfKey = invoice.pdfKey;
  if (!pdfKey) throw new PermanentTaskError(`Invoice ${invoice.invoiceId} has no PDF`);
  const pdf = await getPdf(pdfKey);
  if (!pdf) throw new PermanentTaskError(`PDF ${pdfKey} is missing`);
  const attachments: Attachment[] = [
    { filename: `${invoice.invoiceNumber}.pdf`, contentType: 'application/pdf', content: pdf },
  ];
  const xml = await getXml(invoiceXmlKey(pdfKey));
  if (xml) {
    attachments.push({
      filename: `${invoice.invoiceNumber}.xml`,
      contentType: 'application/xml',
      content: xml,
    });
  }
  return attachments;
}
