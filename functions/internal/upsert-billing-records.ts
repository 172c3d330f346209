import { json, route } from '#http/handler';
import { UpsertBillingRecordsBody } from '#schemas/billing-records';
import { upsertBillingRecords } from '#use-cases/ledger';

export const handler = route({ access: 'billing-system', body: UpsertBillingRecordsBody }, async ({ body }) =>
  json(200, await upsertBillingRecords(body.records)),
);
