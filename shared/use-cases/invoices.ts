import { getInvoice } from '#adapters/invoice-repository';
import { NotFoundError } from '#domain/errors';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { invoiceView } from '#use-cases/views';

export async function ownInvoice(accountId: string, invoiceId: string): Promise<IssuedInvoice> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice || invoice.accountId !== accountId) throw new NotFoundError(`No invoice ${invoiceId}.`);
  return invoice;
}

export async function getInvoiceFor(accountId: string, invoiceId: string) {
  return invoiceView(await ownInvoice(accountId, invoiceId));
}
