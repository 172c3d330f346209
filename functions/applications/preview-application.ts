import { json, route } from '#http/handler';
import { CreateApplicationBody } from '#schemas/applications';
import { previewApplication } from '#use-cases/application-plan';

export const handler = route(
  { access: 'customer', body: CreateApplicationBody },
  async ({ accountId, body, now }) => json(200, await previewApplication(accountId, body, now)),
);
