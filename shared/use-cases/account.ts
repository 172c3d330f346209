import { getAccountState } from '#adapters/account-repository';
import { uncoveredDeficit } from '#domain/invoiceable';
import { autoInvoicingView } from '#domain/monthly';
import type { AccountView } from '#schemas/accounts';
import { currentInvoiceable } from '#use-cases/ledger';

/**
 * GET /v1/account: the profile the billing system sent, with the invoiceable amount and the
 * deficit still owed (R10, R13), monthly invoicing, and what the last application used (R19).
 * An account the billing system has not sent yet is answered, not refused: the console shows
 * "not verified yet" (realName none, synced false) rather than an error, and applying answers
 * REAL_NAME_REQUIRED until the profile arrives.
 */
export async function getAccountView(accountId: string, now: Date): Promise<AccountView> {
  const state = await getAccountState(accountId);
  const invoiceable = await currentInvoiceable(accountId, state, now);
  const { account } = state;
  return {
    accountId,
    synced: account !== undefined,
    region: account?.region ?? 'mainland',
    realName: account?.realName ?? { type: 'none' },
    language: account?.language ?? 'zh',
    ...(account?.email === undefined ? {} : { email: account.email }),
    ...(account?.orgId === undefined || account.orgId === null ? {} : { orgId: account.orgId }),
    arrears: account?.arrears ?? 0,
    deficit: uncoveredDeficit(invoiceable),
    invoiceable: invoiceable.amount,
    autoInvoicing: autoInvoicingView(account?.autoInvoicing),
    ...(account?.lastUsed === undefined ? {} : { lastUsed: account.lastUsed }),
  };
}
