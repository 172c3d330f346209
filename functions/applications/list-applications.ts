import { json, route } from '#http/handler';
import { ApplicationListQuery } from '#schemas/applications';
import { listApplicationsFor } from '#use-cases/application-queries';

export const handler = route(
  { access: 'customer', query: ApplicationListQuery },
  async ({ accountId, query }) => json(200, await listApplicationsFor(accountId, query)),
);
