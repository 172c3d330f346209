import { json, route } from '#http/handler';
import { CreateApplicationBody } from '#schemas/applications';
import { IdempotencyHeaders } from '#schemas/common';
import { createApplication } from '#use-cases/applications';

export const handler = route(
  { access: 'customer', body: CreateApplicationBody, headers: IdempotencyHeaders },
  async ({ accountId, body, headers, now }) => {
    const result = await createApplication(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
);
