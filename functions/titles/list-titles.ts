import { json, route } from '#http/handler';
import { ListQuery } from '#schemas/titles';
import { listTitles } from '#use-cases/titles';

export const handler = route({ access: 'customer', query: ListQuery }, async ({ accountId, query }) =>
  json(200, await listTitles(accountId, query)),
);
