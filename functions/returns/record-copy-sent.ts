import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { recordCopySent } from '#use-cases/copies';

export const handler = route({ access: 'finance', path: InvoiceIdPath }, async ({ path, now }) =>
  json(200, await recordCopySent(path.invoiceId, now)),
);
