import { json, route } from '#http/handler';
import { InvoiceIdPath } from '#schemas/invoices';
import { recordCertified } from '#use-cases/returns';

export const handler = route({ access: 'finance', path: InvoiceIdPath }, async ({ principal, path, now }) =>
  json(200, await recordCertified(principal, path.invoiceId, now)),
);
