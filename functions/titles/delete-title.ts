import { json, route } from '#http/handler';
import { TitleIdPath } from '#schemas/titles';
import { deleteTitle } from '#use-cases/titles';

export const handler = route({ access: 'customer', path: TitleIdPath }, async ({ accountId, path }) => {
  await deleteTitle(accountId, path.titleId);
  return json(204, undefined);
});
