import { DomainError, type ErrorCode, type FieldError } from '#domain/errors';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 422,
  REAL_NAME_REQUIRED: 422,
  TITLE_TYPE_NOT_ALLOWED: 422,
  REGION_NOT_SUPPORTED: 422,
  TITLE_NOT_APPROVED: 422,
  DELIVERY_REQUIRED: 422,
  PAPER_NOT_AVAILABLE: 422,
  RECORD_NOT_INVOICEABLE: 422,
  NEGATIVE_RECORD_ALONE: 422,
  ARREARS_OUTSTANDING: 422,
  AMOUNT_EXCEEDS_INVOICEABLE: 422,
  CANCEL_WINDOW_CLOSED: 409,
  WEBHOOK_LIMIT_REACHED: 422,
  WEBHOOK_URL_NOT_ALLOWED: 422,
  CONFLICT: 409,
};

const TITLE: Record<ErrorCode | 'INTERNAL', string> = {
  VALIDATION_FAILED: 'The request is not valid',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency key reused with a different request',
  REAL_NAME_REQUIRED: 'Real-name verification required',
  TITLE_TYPE_NOT_ALLOWED: 'Invoice type not allowed for this account',
  REGION_NOT_SUPPORTED: 'Region not supported',
  TITLE_NOT_APPROVED: 'Invoice title not approved',
  DELIVERY_REQUIRED: 'Delivery target required',
  PAPER_NOT_AVAILABLE: 'Paper invoices not available',
  RECORD_NOT_INVOICEABLE: 'Record not invoiceable',
  NEGATIVE_RECORD_ALONE: 'Negative record selected alone',
  ARREARS_OUTSTANDING: 'Arrears outstanding',
  AMOUNT_EXCEEDS_INVOICEABLE: 'Amount exceeds the invoiceable amount',
  CANCEL_WINDOW_CLOSED: 'Cancellation window closed',
  WEBHOOK_LIMIT_REACHED: 'Too many webhook endpoints',
  WEBHOOK_URL_NOT_ALLOWED: 'Webhook URL not allowed',
  CONFLICT: 'Concurrent change',
  INTERNAL: 'Internal error',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode | 'INTERNAL';
  errors?: FieldError[];
  /** This occurrence: `urn:invoice-service:correlation:<correlation id>` (docs/API.md, "Errors"). */
  instance?: string;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: string): string {
  return `https://docs.invoice-service.example/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

/** The `instance` of a problem: the request's correlation id as a URN, so a ticket can quote it. */
export function problemInstance(correlationId: string): string {
  return `urn:invoice-service:correlation:${correlationId}`;
}

export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) {
    return {
      type: problemType(error.code),
      title: TITLE[error.code],
      status: STATUS[error.code],
      detail: error.message,
      code: error.code,
      ...(error.errors && error.errors.length > 0 ? { errors: error.errors } : {}),
    };
  }
  return {
    type: problemType('INTERNAL'),
    title: TITLE.INTERNAL,
    status: 500,
    detail: 'Something went wrong on our side. The request may be retried.',
    code: 'INTERNAL',
  };
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}
