import type { RealNameType } from '#domain/account';
import {
  ConflictError,
  RealNameRequiredError,
  TitleTypeNotAllowedError,
  ValidationError,
} from '#domain/errors';
import type { AddressBounce } from '#domain/mail-feedback';
import { TITLE_FIELDS, type TitleFields, type TitleType } from '#domain/title-fields';
import { addWorkingDays } from '#domain/working-days';

// The customer-written part lives apart so the request schemas need no working-day calendar.
export {
  missingFields,
  requiredFields,
  requiresTaxId,
  type TitleFields,
  type TitleType,
} from '#domain/title-fields';

export type TitleStatus = 'approved' | 'pending-review' | 'rejected';

export interface Title extends TitleFields {
  accountId: string;
  titleId: string;
  status: TitleStatus;
  rejectionReason?: string;
  /** When the current version went to review (special titles only). */
  submittedAt?: string;
  /** R21: the review is due by the end of the 2nd mainland working day after submission. */
  reviewDueBy?: string;
  decidedAt?: string;
  /** Set once the review result e-mail went out, so a retried decision sends it at most once more. */
  resultMailedAt?: string;
  /** Issue 14: mail to notifyEmail bounced or drew a complaint; an edit of the title drops it. */
  notifyEmailBounce?: AddressBounce;
  createdAt: string;
  updatedAt: string;
}

/** The title as frozen into an application and its invoices (R26). */
export type TitleSnapshot = Pick<
  Title,
  | 'titleId'
  | 'type'
  | 'name'
  | 'taxId'
  | 'registeredAddress'
  | 'registeredPhone'
  | 'bankName'
  | 'bankAccount'
  | 'remark'
>;

export function snapshotTitle(title: Title): TitleSnapshot {
  const { titleId, type, name, taxId, registeredAddress, registeredPhone, bankName, bankAccount, remark } =
    title;
  return { titleId, type, name, taxId, registeredAddress, registeredPhone, bankName, bankAccount, remark };
}

/** R21: the provider reviews special VAT titles within this many working days. */
export const REVIEW_WORKING_DAYS = 2;

/** R21: special VAT titles wait for qualification review; ordinary ones apply at once. */
export function needsReview(type: TitleType): boolean {
  return type === 'enterprise-special';
}

/** R21: ordinary titles apply at once; special VAT titles wait for qualification review. */
export function initialStatus(type: TitleType): TitleStatus {
  return needsReview(type) ? 'pending-review' : 'approved';
}

/** R2: an individual may only hold personal titles. */
export function isAllowedFor(realNameType: RealNameType, type: TitleType): boolean {
  return realNameType === 'individual' ? type === 'personal-ordinary' : true;
}

/** R1, R2: whether an account verified as `realNameType` (undefined: no profile) may hold the title. */
export function assertMayHold(realNameType: RealNameType | undefined, type: TitleType): void {
  if (realNameType === undefined || realNameType === 'none') {
    throw new RealNameRequiredError('Complete real-name verification before adding invoice titles.');
  }
  if (!isAllowedFor(realNameType, type)) {
    throw new TitleTypeNotAllowedError(
      'An account verified as an individual can only hold personal ordinary titles.',
    );
  }
}

/** A new title (R20, R21): ordinary ones approved at once, special ones submitted for review. */
export function newTitle(accountId: string, titleId: string, fields: TitleFields, now: Date): Title {
  const at = now.toISOString();
  return {
    ...fields,
    accountId,
    titleId,
    createdAt: at,
    updatedAt: at,
    ...statusFor(fields.type, now),
  };
}

/**
 * An edit replaces every customer field (R21): an ordinary title stays usable, a special one
 * goes back to review, even if it was approved, since the new details are not yet checked.
 * Earlier review outcomes (reason, decision time) belong to the old version and are dropped.
 * Saving the same fields again changes nothing, except that a rejected title is resubmitted.
 */
export function revisedTitle(existing: Title, fields: TitleFields, now: Date): Title {
  if (existing.status !== 'rejected' && sameFields(existing, fields)) return existing;
  return {
    ...fields,
    accountId: existing.accountId,
    titleId: existing.titleId,
    createdAt: existing.createdAt,
    updatedAt: now.toISOString(),
    ...statusFor(fields.type, now),
  };
}

const FIELD_NAMES: readonly (keyof TitleFields)[] = ['type', 'name', ...TITLE_FIELDS];

function sameFields(title: Title, fields: TitleFields): boolean {
  return FIELD_NAMES.every((field) => title[field] === fields[field]);
}

function statusFor(type: TitleType, now: Date): Pick<Title, 'status' | 'submittedAt' | 'reviewDueBy'> {
  if (!needsReview(type)) return { status: 'approved' };
  return {
    status: 'pending-review',
    submittedAt: now.toISOString(),
    reviewDueBy: addWorkingDays(now, REVIEW_WORKING_DAYS).toISOString(),
  };
}

export interface TitleDecision {
  approve: boolean;
  reason?: string;
}

/** Finance's decision on a pending special title (R21); a rejection must say why. */
export function decidedTitle(title: Title, decision: TitleDecision, now: Date): Title {
  if (title.status !== 'pending-review') {
    throw new ConflictError(`The title is ${title.status}, not pending review; there is nothing to decide.`);
  }
  const reason = decision.reason?.trim();
  if (!decision.approve && !reason) {
    throw new ValidationError('A rejection needs a reason for the customer.', [
      { path: 'body.reason', message: 'is required when rejecting' },
    ]);
  }
  const { rejectionReason: _r, resultMailedAt: _m, ...rest } = title;
  const at = now.toISOString();
  return decision.approve
    ? { ...rest, status: 'approved', decidedAt: at, updatedAt: at }
    : { ...rest, status: 'rejected', rejectionReason: reason, decidedAt: at, updatedAt: at };
}

/**
 * Whether a repeated decision is the retry of one already taken whose e-mail never went out:
 * the same outcome, and no record of the mail. Anything else on a decided title is a conflict.
 */
export function isUnmailedRepeat(title: Title, decision: TitleDecision): boolean {
  if (!title.decidedAt || title.resultMailedAt || title.status === 'pending-review') return false;
  return decision.approve ? title.status === 'approved' : title.status === 'rejected';
}
