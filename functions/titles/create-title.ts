import { json, route } from '#http/handler';
import { IdempotencyHeaders } from '#schemas/common';
import { TitleBody } from '#schemas/titles';
import { createTitle } from '#use-cases/titles';

export const handler = route(
  { access: 'customer', body: TitleBody, headers: IdempotencyHeaders },
  async ({ accountId, body, headers, now }) => {
    const result = await createTitle(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
);
