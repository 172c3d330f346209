import { api, json } from '#http/handler';
import { RETURNS } from '#http/routes/returns';
import { listOpenCopyRequests, recordCopySent, requestCopy } from '#use-cases/copies';
import { confirmReturnArrived, recordCertified, requestReturn } from '#use-cases/returns';

export const handler = api(RETURNS, {
  requestReturn: async ({ accountId, path, body, headers, now }) =>
    json(202, await requestReturn(accountId, path.invoiceId, body, headers['idempotency-key'], now)),
  requestCopy: async ({ accountId, path, now }) =>
    json(202, await requestCopy(accountId, path.invoiceId, now)),
  confirmReturnArrived: async ({ principal, path, now }) =>
    json(200, await confirmReturnArrived(principal, path.invoiceId, now)),
  recordCertified: async ({ principal, path, now }) =>
    json(200, await recordCertified(principal, path.invoiceId, now)),
  listCopyRequests: async ({ query }) => json(200, await listOpenCopyRequests(query)),
  recordCopySent: async ({ principal, path, now }) =>
    json(200, await recordCopySent(principal, path.invoiceId, now)),
});
