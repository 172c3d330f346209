import { upsertAccountProfile } from '#adapters/account-repository';
import { toShanghaiIso } from '#domain/calendar';
import type { PutAccountBody } from '#schemas/accounts';

/** PUT /v1/internal/accounts/{accountId}: the billing system's profile (R1, R3, R12). */
export async function putAccount(accountId: string, body: PutAccountBody, now: Date) {
  const account = await upsertAccountProfile(accountId, body, now);
  const { ledgerVersion: _v, recordsVersion: _r, lastUsed: _l, ...view } = account;
  return { ...view, updatedAt: toShanghaiIso(new Date(account.updatedAt)) };
}
