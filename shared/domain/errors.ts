/**
 * Domain errors carry a stable code and know nothing of HTTP; shared/http/problem.ts maps
 * codes to statuses. Workflow tasks throw them too, so Retry/Catch can match on `name`.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'REAL_NAME_REQUIRED'
  | 'TITLE_TYPE_NOT_ALLOWED'
  | 'REGION_NOT_SUPPORTED'
  | 'TITLE_NOT_APPROVED'
  | 'DELIVERY_REQUIRED'
  | 'PAPER_NOT_AVAILABLE'
  | 'RECORD_NOT_INVOICEABLE'
  | 'NEGATIVE_RECORD_ALONE'
  | 'ARREARS_OUTSTANDING'
  | 'AMOUNT_EXCEEDS_INVOICEABLE'
  | 'CANCEL_WINDOW_CLOSED'
  | 'WEBHOOK_LIMIT_REACHED'
  | 'WEBHOOK_URL_NOT_ALLOWED'
  | 'CONFLICT';

export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly code: ErrorCode;
  constructor(
    message: string,
    readonly errors?: FieldError[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  readonly code = 'VALIDATION_FAILED';
}
export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}
export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}
export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}
export class IdempotencyKeyReusedError extends DomainError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
}
export class RealNameRequiredError extends DomainError {
  readonly code = 'REAL_NAME_REQUIRED';
}
export class TitleTypeNotAllowedError extends DomainError {
  readonly code = 'TITLE_TYPE_NOT_ALLOWED';
}
export class RegionNotSupportedError extends DomainError {
  readonly code = 'REGION_NOT_SUPPORTED';
}
export class TitleNotApprovedError extends DomainError {
  readonly code = 'TITLE_NOT_APPROVED';
}
export class DeliveryRequiredError extends DomainError {
  readonly code = 'DELIVERY_REQUIRED';
}
export class PaperNotAvailableError extends DomainError {
  readonly code = 'PAPER_NOT_AVAILABLE';
}
export class RecordNotInvoiceableError extends DomainError {
  readonly code = 'RECORD_NOT_INVOICEABLE';
}
export class NegativeRecordAloneError extends DomainError {
  readonly code = 'NEGATIVE_RECORD_ALONE';
}
export class ArrearsOutstandingError extends DomainError {
  readonly code = 'ARREARS_OUTSTANDING';
}
export class AmountExceedsInvoiceableError extends DomainError {
  readonly code = 'AMOUNT_EXCEEDS_INVOICEABLE';
}
export class CancelWindowClosedError extends DomainError {
  readonly code = 'CANCEL_WINDOW_CLOSED';
}
/** An account has the most webhook endpoints it may have (docs/webhooks.md). */
export class WebhookLimitReachedError extends DomainError {
  readonly code = 'WEBHOOK_LIMIT_REACHED';
}
/** A webhook URL that is not https or reaches a private, loopback or link-local address. */
export class WebhookUrlNotAllowedError extends DomainError {
  readonly code = 'WEBHOOK_URL_NOT_ALLOWED';
}
/** A concurrent change won (a conditional write failed); the caller may retry. */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
  constructor(
    message: string,
    errors?: FieldError[],
    /** Per-item cancellation reasons of a failed transaction, for callers that must tell them apart. */
    readonly reasons: string[] = [],
  ) {
    super(message, errors);
  }
}
