import { api, json } from '#http/handler';
import { MONTHLY } from '#http/routes/monthly';
import { getMonthlyRun } from '#use-cases/monthly-report';
import { putAutoInvoicing } from '#use-cases/monthly-settings';

export const handler = api(MONTHLY, {
  putAutoInvoicing: async ({ accountId, body, now }) =>
    json(200, await putAutoInvoicing(accountId, body, now)),
  getMonthlyRun: async ({ path, query }) => json(200, await getMonthlyRun(path.month, query)),
});
