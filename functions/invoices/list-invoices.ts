import { json, route } from '#http/handler';
import { ListInvoicesQuery } from '#schemas/invoices';
import { listInvoicesFor } from '#use-cases/invoices';

export const handler = route({ access: 'customer', query: ListInvoicesQuery }, async ({ accountId, query }) =>
  json(200, await listInvoicesFor(accountId, query)),
);
