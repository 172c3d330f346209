import { getAccount, upsertAccountProfile } from '#adapters/account-repository';
import { getRecords, listAllRecords, writeUpsertPlan } from '#adapters/record-repository';
import { settings } from '#config/settings';
import { computeInvoiceable } from '#domain/invoiceable';
import { planRecordUpserts, type RecordInput } from '#domain/record-upsert';
import type { PutAccountBody } from '#schemas/accounts';

export function listEntities() {
  return { items: settings.entities().map(({ entityId, name, taxId }) => ({ entityId, name, taxId })) };
}

export async function putAccount(accountId: string, body: PutAccountBody, now: Date) {
  const account = await upsertAccountProfile(accountId, body, now);
  const { ledgerVersion: _v, lastUsed: _l, ...view } = account;
  return view;
}

/** Billing-system batch upsert: validated whole, then written idempotently (see planRecordUpserts). */
export async function upsertBillingRecords(records: RecordInput[]) {
  const refs = records.flatMap((r) => [
    { accountId: r.accountId, recordId: r.recordId },
    ...(r.parentRecordId ? [{ accountId: r.accountId, recordId: r.parentRecordId }] : []),
  ]);
  const existing = await getRecords(refs);
  const plan = planRecordUpserts(records, existing, settings.paymentSyncDays());
  await writeUpsertPlan(plan);
  return { upserted: records.length };
}

export async function getInvoiceable(accountId: string, now: Date) {
  const [account, records] = await Promise.all([getAccount(accountId), listAllRecords(accountId)]);
  const result = computeInvoiceable(records, account?.arrears ?? 0, settings.arrearsPolicy(), now);
  return { amount: result.amount, byEntity: result.byEntity, formula: result.formula };
}
