import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { getInvoiceFor } from '#use-cases/invoices';

export const handler = route({ access: 'customer', path: InvoiceIdPath }, async ({ accountId, path }) =>
  json(200, await getInvoiceFor(accountId, path.invoiceId)),
);
