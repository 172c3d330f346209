import { json, route } from '#http/handler';
import { ApplicationIdPath } from '#schemas/applications';
import { AuditQuery } from '#schemas/audit';
import { applicationAuditFor } from '#use-cases/audit';

export const handler = route(
  { access: 'customer', path: ApplicationIdPath, query: AuditQuery },
  async ({ accountId, path, query }) =>
    json(200, await applicationAuditFor(accountId, path.applicationId, query)),
);
