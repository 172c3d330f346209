import { api, json } from '#http/handler';
import { APPLICATIONS_WRITE } from '#http/routes/applications';
import { createApplication } from '#use-cases/applications';
import { cancelApplication } from '#use-cases/cancel-application';

export const handler = api(APPLICATIONS_WRITE, {
  createApplication: async ({ accountId, body, headers, now }) => {
    const result = await createApplication(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
  cancelApplication: async ({ accountId, path, now }) =>
    json(200, await cancelApplication(accountId, path.applicationId, now)),
});
