import { json, route } from '#http/handler';
import { listOrgAccounts } from '#use-cases/organizations';

export const handler = route({ access: 'org-admin' }, async ({ principal, now }) =>
  json(200, await listOrgAccounts(principal, now)),
);
