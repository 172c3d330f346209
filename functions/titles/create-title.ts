import { json, route } from '#http/handler';
import { CreateTitleBody } from '#schemas/titles';
import { createTitle } from '#use-cases/titles';

export const handler = route(
  { access: 'customer', body: CreateTitleBody },
  async ({ accountId, body, now }) => json(201, await createTitle(accountId, body, now)),
);
