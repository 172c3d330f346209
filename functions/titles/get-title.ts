import { json, route } from '#http/handler';
import { TitleIdPath } from '#schemas/titles';
import { getTitleFor } from '#use-cases/titles';

export const handler = route({ access: 'customer', path: TitleIdPath }, async ({ accountId, path }) =>
  json(200, await getTitleFor(accountId, path.titleId)),
);
