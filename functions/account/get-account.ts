import { json, route } from '#http/handler';
import { getAccountView } from '#use-cases/account';

export const handler = route({ access: 'customer' }, async ({ accountId, now }) =>
  json(200, await getAccountView(accountId, now)),
);
