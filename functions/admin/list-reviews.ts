import { json, route } from '#http/handler';
import { ListQuery } from '#schemas/titles';
import { listReviews } from '#use-cases/reviews';

export const handler = route({ access: 'finance', query: ListQuery }, async ({ query }) =>
  json(200, await listReviews(query)),
);
