import { json, route } from '#http/handler';
import { ApplicationIdPath } from '#schemas/applications';
import { cancelApplication } from '#use-cases/cancel-application';

export const handler = route(
  { access: 'customer', path: ApplicationIdPath },
  async ({ accountId, path, now }) => json(200, await cancelApplication(accountId, path.applicationId, now)),
);
