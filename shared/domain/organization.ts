import { AmountExceedsInvoiceableError, ArrearsOutstandingError } from '#domain/errors';
import type { Fen } from '#domain/money';

/** R32 R33: an enterprise's organization, as the billing system sets it up. */
export interface Organization {
  orgId: string;
  /** R33: one member's arrears may be offset by another member's consumption. */
  crossMemberArrearsOffset: boolean;
  updatedAt: string;
}

/** What one member can invoice, before and after its own arrears (R10, R12). */
export interface MemberInvoiceable {
  accountId: string;
  arrears: Fen;
  /** The invoiceable amount as if the member owed nothing. */
  beforeArrears: Fen;
  /** The invoiceable amount with the member's own arrears offset (what it can invoice alone). */
  own: Fen;
}

/**
 * What the organization can invoice over the given members: each member alone (its own
 * arrears), or, with crossMemberArrearsOffset, all together with every member's arrears
 * offset against everyone's consumption (R33).
 */
export function organizationInvoiceable(members: readonly MemberInvoiceable[], pooled: boolean): Fen {
  if (!pooled) return members.reduce((sum, m) => sum + m.own, 0);
  const before = members.reduce((sum, m) => sum + m.beforeArrears, 0);
  const arrears = members.reduce((sum, m) => sum + m.arrears, 0);
  return Math.max(0, before - arrears);
}

/**
 * R33 for a consolidated application with the offset on: the members' selections together
 * may not exceed what is left of their consumption once all their arrears are offset.
 */
export function assertWithinPooled(total: Fen, members: readonly MemberInvoiceable[]): void {
  const limit = organizationInvoiceable(members, true);
  if (total <= limit) return;
  const arrears = members.reduce((sum, m) => sum + m.arrears, 0);
  if (arrears > 0) {
    throw new ArrearsOutstandingError(
      `The members owe ${arrears} fen together; with it offset, at most ${limit} fen can be invoiced; the selection is ${total} fen.`,
    );
  }
  throw new AmountExceedsInvoiceableError(
    `At most ${limit} fen is invoiceable; the selection is ${total} fen.`,
  );
}
