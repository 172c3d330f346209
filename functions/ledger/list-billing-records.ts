import { json, route } from '#http/handler';
import { BillingRecordQuery } from '#schemas/billing-records';
import { listBillingRecords } from '#use-cases/billing-records';

export const handler = route(
  { access: 'customer', query: BillingRecordQuery },
  async ({ accountId, query, now }) => json(200, await listBillingRecords(accountId, query, now)),
);
