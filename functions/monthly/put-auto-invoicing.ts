import { json, route } from '#http/handler';
import { AutoInvoicingBody } from '#schemas/monthly';
import { putAutoInvoicing } from '#use-cases/monthly-settings';

export const handler = route(
  { access: 'customer', body: AutoInvoicingBody },
  async ({ accountId, body, now }) => json(200, await putAutoInvoicing(accountId, body, now)),
);
