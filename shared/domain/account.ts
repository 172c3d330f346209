import type { Delivery } from '#domain/application';
import { RealNameRequiredError, RegionNotSupportedError } from '#domain/errors';
import type { Fen } from '#domain/money';
import type { AutoInvoicing } from '#domain/monthly';

export type Region = 'mainland' | 'overseas';
export type RealNameType = 'none' | 'individual' | 'enterprise';

export interface Account {
  accountId: string;
  region: Region;
  realName: { type: RealNameType; name?: string };
  arrears: Fen;
  orgId?: string;
  /** The language of the account's e-mails and documents. */
  language: 'zh' | 'en';
  /** The account's contact e-mail from the billing system, for notifications. */
  email?: string;
  /** R19: what the last application used, to prefill the next one. */
  lastUsed?: { titleId: string; delivery: Delivery };
  /** R31: monthly automatic invoicing (shared/domain/monthly.ts); absent means off. */
  autoInvoicing?: AutoInvoicing;
  /**
   * Bumped by every ledger change that could lower what is invoiceable (arrears, reservations,
   * changed records and negatives); applications reserve under it (optimistic lock).
   */
  ledgerVersion: number;
  /** Bumped after every billing-record batch; with ledgerVersion it dates the cached invoiceable amount. */
  recordsVersion?: number;
  /** Bumped with ledgerVersion by every profile upsert (arrears do not date the invoiceable summary). */
  profileVersion?: number;
  updatedAt: string;
}

/** R1 and R3: who may apply at all. */
export function assertMayApply(account: Account): void {
  if (account.region !== 'mainland') {
    throw new RegionNotSupportedError(
      'Accounts outside the mainland cannot apply for fapiao here. Please raise a support ticket to request a commercial invoice.',
    );
  }
  if (account.realName.type === 'none') {
    throw new RealNameRequiredError(
      'Complete real-name verification (individual or enterprise) before applying for invoices.',
    );
  }
}
