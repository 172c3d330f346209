import { json, route } from '#http/handler';
import { IdempotencyHeaders } from '#schemas/common';
import { InvoiceIdPath } from '#schemas/invoices';
import { ReturnBody } from '#schemas/returns';
import { requestReturn } from '#use-cases/returns';

export const handler = route(
  { access: 'customer', path: InvoiceIdPath, body: ReturnBody, headers: IdempotencyHeaders },
  async ({ accountId, path, body, headers, now }) =>
    json(202, await requestReturn(accountId, path.invoiceId, body, headers['idempotency-key'], now)),
);
