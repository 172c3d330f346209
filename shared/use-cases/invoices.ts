import { getPdf } from '#adapters/document-store';
import { getInvoice } from '#adapters/invoice-repository';
import { NotFoundError } from '#domain/errors';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { invoiceView } from '#use-cases/views';

async function ownInvoice(accountId: string, invoiceId: string): Promise<IssuedInvoice> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice || invoice.accountId !== accountId) throw new NotFoundError(`No invoice ${invoiceId}.`);
  return invoice;
}

export async function getInvoiceFor(accountId: string, invoiceId: string) {
  return invoiceView(await ownInvoice(accountId, invoiceId));
}

export async function getInvoicePdfFor(accountId: string, invoiceId: string) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const pdf = invoice.pdfKey ? await getPdf(invoice.pdfKey) : undefined;
  if (!pdf) throw new NotFoundError(`The PDF of invoice ${invoiceId} is not ready yet.`);
  return { filename: `${invoice.invoiceNumber}.pdf`, data: pdf };
}
