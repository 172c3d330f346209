import { json, route } from '#http/handler';
import { TitleBody, TitleIdPath } from '#schemas/titles';
import { updateTitle } from '#use-cases/titles';

export const handler = route(
  { access: 'customer', path: TitleIdPath, body: TitleBody },
  async ({ accountId, path, body, now }) => json(200, await updateTitle(accountId, path.titleId, body, now)),
);
