import { json, route } from '#http/handler';
import { ApplicationIdPath } from '#schemas/applications';
import { getApplicationFor } from '#use-cases/application-queries';

export const handler = route({ access: 'customer', path: ApplicationIdPath }, async ({ accountId, path }) =>
  json(200, await getApplicationFor(accountId, path.applicationId)),
);
