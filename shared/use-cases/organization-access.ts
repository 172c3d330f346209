import { readApplicantState } from '#adapters/applicant-state';
import { NotFoundError } from '#domain/errors';
import type { BillingRecordList, BillingRecordQuery } from '#schemas/billing-records';
import { listBillingRecords } from '#use-cases/billing-records';

interface Caller {
  accountId: string;
  groups: readonly string[];
}

/**
 * Which account's records the caller may read: its own, or (R32) a member of the organization
 * its own account is in when it is an org admin. Anything else answers as if it did not exist.
 */
export async function readableAccount(caller: Caller, requested: string | undefined): Promise<string> {
  if (requested === undefined || requested === caller.accountId) return caller.accountId;
  if (caller.groups.includes('org-admin')) {
    const [{ account: own }, { account: member }] = await Promise.all([
      readApplicantState(caller.accountId),
      readApplicantState(requested),
    ]);
    if (own?.orgId && member?.orgId === own.orgId) return requested;
  }
  throw new NotFoundError(`No account ${requested}.`);
}

/** GET /v1/billing-records, for the caller's account or (org admins, R32) a member's. */
export async function listBillingRecordsFor(
  caller: Caller,
  query: BillingRecordQuery,
  now: Date,
): Promise<BillingRecordList> {
  return listBillingRecords(await readableAccount(caller, query.accountId), query, now);
}
