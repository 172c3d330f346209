import { getPdf } from '#adapters/document-store';
import { NotFoundError } from '#domain/errors';
import { ownInvoice } from '#use-cases/invoices';

export async function getInvoicePdfFor(accountId: string, invoiceId: string) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const pdf = invoice.pdfKey ? await getPdf(invoice.pdfKey) : undefined;
  if (!pdf) throw new NotFoundError(`The PDF of invoice ${invoiceId} is not ready yet.`);
  return { filename: `${invoice.invoiceNumber}.pdf`, data: pdf };
}
