import { json, route } from '#http/handler';
import { listAddresses } from '#use-cases/addresses';

export const handler = route({ access: 'customer' }, async ({ accountId }) =>
  json(200, await listAddresses(accountId)),
);
