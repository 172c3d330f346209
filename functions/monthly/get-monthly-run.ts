import { json, route } from '#http/handler';
import { MonthlyRunQuery, MonthPath } from '#schemas/monthly';
import { getMonthlyRun } from '#use-cases/monthly-report';

export const handler = route(
  { access: 'finance', path: MonthPath, query: MonthlyRunQuery },
  async ({ path, query }) => json(200, await getMonthlyRun(path.month, query)),
);
