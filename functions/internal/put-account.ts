import { json, route } from '#http/handler';
import { AccountIdPath, PutAccountBody } from '#schemas/accounts';
import { putAccount } from '#use-cases/account-profile';

export const handler = route(
  { access: 'billing-system', path: AccountIdPath, body: PutAccountBody },
  async ({ path, body, now }) => json(200, await putAccount(path.accountId, body, now)),
);
