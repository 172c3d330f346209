import { json, route } from '#http/handler';
import { AddressBody } from '#schemas/addresses';
import { IdempotencyHeaders } from '#schemas/common';
import { createAddress } from '#use-cases/addresses';

export const handler = route(
  { access: 'customer', body: AddressBody, headers: IdempotencyHeaders },
  async ({ accountId, body, headers, now }) => {
    const result = await createAddress(accountId, body, headers['idempotency-key'], now);
    return json(result.statusCode, result.body);
  },
);
