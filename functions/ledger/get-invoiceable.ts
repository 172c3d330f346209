import { json, route } from '#http/handler';
import { getInvoiceable } from '#use-cases/ledger';

export const handler = route({ access: 'customer' }, async ({ accountId, now }) =>
  json(200, await getInvoiceable(accountId, now)),
);
