import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { confirmReceipt } from '#use-cases/invoices';

export const handler = route({ access: 'customer', path: InvoiceIdPath }, async ({ accountId, path, now }) =>
  json(200, await confirmReceipt(accountId, path.invoiceId, now)),
);
