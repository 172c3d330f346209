import type { Delivery } from '#domain/application';
import { RealNameRequiredError, RegionNotSupportedError } from '#domain/errors';
import type { Fen } from '#domain/money';

export type Region = 'mainland' | 'overseas';
export type RealNameType = 'none' | 'individual' | 'enterprise';

export interface Account {
  accountId: string;
  region: Region;
  realName: { type: RealNameType; name?: string };
  arrears: Fen;
  orgId?: string;
  language: 'zh' | 'en';
  /** R19: what the last application used, to prefill the next one. */
  lastUsed?: { titleId: string; delivery: Delivery };
  /** Bumped by every ledger change; applications reserve under it (optimistic lock). */
  ledgerVersion: number;
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
