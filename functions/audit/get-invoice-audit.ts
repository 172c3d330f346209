import { json, route } from '#http/handler';
import { AuditQuery } from '#schemas/audit';
import { InvoiceIdPath } from '#schemas/invoices';
import { invoiceAuditFor } from '#use-cases/audit';

export const handler = route(
  { access: 'customer', path: InvoiceIdPath, query: AuditQuery },
  async ({ accountId, path, query }) => json(200, await invoiceAuditFor(accountId, path.invoiceId, query)),
);
