import { json, route } from '#http/handler';
import { BillingRecordQuery } from '#schemas/billing-records';
import { listBillingRecordsFor } from '#use-cases/organization-access';

export const handler = route(
  { access: 'customer', query: BillingRecordQuery },
  async ({ accountId, principal, query, now }) =>
    json(200, await listBillingRecordsFor({ accountId, groups: principal.groups }, query, now)),
);
