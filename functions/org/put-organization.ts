import { json, route } from '#http/handler';
import { OrganizationBody, OrgIdPath } from '#schemas/organizations';
import { putOrganizationSettings } from '#use-cases/organizations';

export const handler = route(
  { access: 'billing-system', path: OrgIdPath, body: OrganizationBody },
  async ({ path, body, now }) => json(200, await putOrganizationSettings(path.orgId, body, now)),
);
