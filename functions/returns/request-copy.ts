import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { requestCopy } from '#use-cases/copies';

export const handler = route({ access: 'customer', path: InvoiceIdPath }, async ({ accountId, path, now }) =>
  json(202, await requestCopy(accountId, path.invoiceId, now)),
);
