import { route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { getInvoicePdfFor } from '#use-cases/invoice-pdf';

export const handler = route({ access: 'customer', path: InvoiceIdPath }, async ({ accountId, path }) => {
  const pdf = await getInvoicePdfFor(accountId, path.invoiceId);
  return {
    statusCode: 200,
    headers: { 'content-disposition': `attachment; filename="${pdf.filename}"` },
    binary: { contentType: 'application/pdf', data: pdf.data },
  };
});
