import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { confirmReturnArrived } from '#use-cases/returns';

export const handler = route({ access: 'finance', path: InvoiceIdPath }, async ({ principal, path, now }) =>
  json(200, await confirmReturnArrived(principal, path.invoiceId, now)),
);
