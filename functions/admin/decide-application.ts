import { json, route } from '#http/handler';
import { ApplicationIdPath } from '#schemas/applications';
import { ApplicationDecisionBody } from '#schemas/invoices';
import { decideApplication } from '#use-cases/admin-applications';

export const handler = route(
  { access: 'finance', path: ApplicationIdPath, body: ApplicationDecisionBody },
  async ({ path, body, now }) => json(200, await decideApplication(path.applicationId, body, now)),
);
