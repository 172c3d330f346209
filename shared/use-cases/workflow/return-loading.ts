import { getInvoice } from '#adapters/invoice-repository';
import { getReturn } from '#adapters/return-repository';
import type { IssuedInvoice } from '#domain/issued-invoice';
import type { InvoiceReturn } from '#domain/returns';
import { PermanentTaskError } from '#domain/workflow-errors';

/** What every task of the return workflow gets (applicationId: the original's, for log context). */
export interface ReturnTaskInput {
  returnId: string;
  applicationId: string;
}

export async function load(returnId: string): Promise<InvoiceReturn> {
  const invoiceReturn = await getReturn(returnId);
  if (!invoiceReturn) throw new PermanentTaskError(`Return ${returnId} does not exist`);
  return invoiceReturn;
}

export async function original(invoiceReturn: InvoiceReturn): Promise<IssuedInvoice> {
  const invoice = await getInvoice(invoiceReturn.invoiceId);
  if (!invoice) throw new PermanentTaskError(`Invoice ${invoiceReturn.invoiceId} does not exist`);
  return invoice;
}
