import { api, json } from '#http/handler';
import { INVOICES_WRITE } from '#http/routes/invoices';
import { confirmReceipt } from '#use-cases/invoices';

export const handler = api(INVOICES_WRITE, {
  confirmReceipt: async ({ accountId, path, now }) =>
    json(200, await confirmReceipt(accountId, path.invoiceId, now)),
});
