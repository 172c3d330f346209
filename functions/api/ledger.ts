import { api, json } from '#http/handler';
import { LEDGER } from '#http/routes/ledger';
import { getAccountView } from '#use-cases/account';
import { putAccount } from '#use-cases/account-profile';
import { listEntities } from '#use-cases/entities';
import { getInvoiceable, upsertBillingRecords } from '#use-cases/ledger';
import { listBillingRecordsFor } from '#use-cases/organization-access';

export const handler = api(LEDGER, {
  listEntities: async () => json(200, listEntities()),
  getAccount: async ({ accountId, now }) => json(200, await getAccountView(accountId, now)),
  putAccount: async ({ path, body, now }) => json(200, await putAccount(path.accountId, body, now)),
  upsertBillingRecords: async ({ body }) => json(200, await upsertBillingRecords(body.records)),
  listBillingRecords: async ({ accountId, principal, query, now }) =>
    json(200, await listBillingRecordsFor({ accountId, groups: principal.groups }, query, now)),
  getInvoiceable: async ({ accountId, now }) => json(200, await getInvoiceable(accountId, now)),
});
