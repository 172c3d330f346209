import { api, json } from '#http/handler';
import { APPLICATIONS_READ } from '#http/routes/applications';
import { previewApplication } from '#use-cases/application-plan';
import { getApplicationFor, listApplicationsFor } from '#use-cases/application-queries';

export const handler = api(APPLICATIONS_READ, {
  previewApplication: async ({ accountId, body, now }) =>
    json(200, await previewApplication(accountId, body, now)),
  listApplications: async ({ accountId, query }) => json(200, await listApplicationsFor(accountId, query)),
  getApplication: async ({ accountId, path }) =>
    json(200, await getApplicationFor(accountId, path.applicationId)),
});
