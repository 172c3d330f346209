import { api, json } from '#http/handler';
import { ORGANIZATIONS } from '#http/routes/organizations';
import { createOrgApplications, listOrgAccounts, putOrganizationSettings } from '#use-cases/organizations';

export const handler = api(ORGANIZATIONS, {
  putOrganization: async ({ path, body, now }) =>
    json(200, await putOrganizationSettings(path.orgId, body, now)),
  listOrgAccounts: async ({ principal, now }) => json(200, await listOrgAccounts(principal, now)),
  createOrgApplications: async ({ principal, body, headers, now }) =>
    json(201, await createOrgApplications(principal, body, headers['idempotency-key'], now)),
});
