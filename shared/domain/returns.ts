import type { FieldError } from '#domain/errors';
import type { InvoiceStatus, IssuedInvoice } from '#domain/issued-invoice';

/**
 * Returns of issued invoices (R34): a red-letter (credit) invoice for the full amount, the
 * invoiceable amount restored, optionally a new application under a corrected title.
 *
 * **Decision (certified special invoices):** "certified by the buyer" (the buyer deducted the
 * input VAT, so the tax bureau must issue a 红字信息表) is a fact finance staff record on the
 * invoice (`POST /v1/admin/invoices/{id}/certified`, sets `certifiedAt`). A return of a certified
 * special invoice needs `redLetterFormNumber` (16 digits); without it → VALIDATION_FAILED. An
 * uncertified invoice may carry one anyway (kept on the return).
 */
export const RETURN_REASONS = [
  'ISSUE_ERROR',
  'SALES_RETURN',
  'SERVICE_SUSPENSION',
  'SALES_DISCOUNT',
] as const;
export type ReturnReason = (typeof RETURN_REASONS)[number];

/**
 * awaiting-arrival (paper: mailed back, finance has not confirmed it arrived) → crediting (the
 * red-letter invoice is being issued, the ledger restored, the customer e-mailed) → credited;
 * → reissued once the new application under the corrected title exists; failed if the
 * workflow gave up (the original invoice is then as it was before the return).
 */
export type ReturnStatus = 'awaiting-arrival' | 'crediting' | 'credited' | 'reissued' | 'failed';

/** Invoice statuses a return may start from. */
export const RETURNABLE_STATUSES: readonly InvoiceStatus[] = ['issued', 'shipped', 'delivered'];

export const RED_LETTER_FORM_NUMBER = /^\d{16}$/;

export interface ReturnRequest {
  reason: ReturnReason;
  reissueTitleId?: string;
  courier?: string;
  trackingNumber?: string;
  redLetterFormNumber?: string;
}

export interface InvoiceReturn {
  returnId: string;
  accountId: string;
  invoiceId: string;
  invoiceNumber: string;
  /** The original invoice's application (whose allocations the red-letter invoice restores). */
  applicationId: string;
  /** Fixed when the return is requested, so a retried issue finds the invoice it made. */
  redInvoiceId: string;
  redInvoiceNumber?: string;
  reason: ReturnReason;
  medium: 'electronic' | 'paper';
  /** Paper: how the customer mailed the invoice back. */
  mailedBack?: { courier: string; trackingNumber: string };
  redLetterFormNumber?: string;
  reissueTitleId?: string;
  reissueApplicationId?: string;
  status: ReturnStatus;
  /** The original invoice's status before the return, restored if the return fails. */
  previousStatus: InvoiceStatus;
  requestedAt: string;
  arrivedAt?: string;
  creditedAt?: string;
  failureReason?: string;
  /** Allocation chunks already moved from invoiced back to invoiceable on the records. */
  restoredChunks: number[];
  /** The correlation id of the request that asked for it (issue 16), carried through its workflow. */
  correlationId?: string;
}

/**
 * Why this invoice cannot be returned as asked: a conflict (wrong kind or state) or field
 * errors (what the request lacks). Empty when it can.
 */
export function returnProblems(
  invoice: IssuedInvoice,
  request: ReturnRequest,
): { conflict?: string; errors: FieldError[] } {
  if (invoice.kind === 'red') return { conflict: 'A red-letter invoice cannot be returned.', errors: [] };
  if (!RETURNABLE_STATUSES.includes(invoice.status)) {
    return {
      conflict: `Invoice ${invoice.invoiceId} is ${invoice.status}; it cannot be returned.`,
      errors: [],
    };
  }
  const errors: FieldError[] = [];
  if (invoice.delivery.medium === 'paper') {
    // R34: a paper invoice is mailed back first, with its tracking number.
    if (!request.courier)
      errors.push({ path: 'body.courier', message: 'is required: mail the paper invoice back first' });
    if (!request.trackingNumber)
      errors.push({ path: 'body.trackingNumber', message: 'is required: mail the paper invoice back first' });
  } else {
    if (request.courier) errors.push({ path: 'body.courier', message: 'is only for paper invoices' });
    if (request.trackingNumber)
      errors.push({ path: 'body.trackingNumber', message: 'is only for paper invoices' });
  }
  if (invoice.title.type === 'enterprise-special' && invoice.certifiedAt && !request.redLetterFormNumber) {
    errors.push({
      path: 'body.redLetterFormNumber',
      message:
        'is required: the buyer has certified this special invoice, so the red-letter information form (红字信息表) number from the tax bureau is needed',
    });
  }
  return { errors };
}

/** The red-letter invoice crediting `original` in full: same buyer, seller, lines, negative amounts. */
export function redLetterOf(
  original: IssuedInvoice,
  redInvoiceId: string,
  invoiceNumber: string,
  now: Date,
): IssuedInvoice {
  return {
    invoiceId: redInvoiceId,
    invoiceNumber,
    applicationId: original.applicationId,
    accountId: original.accountId,
    kind: 'red',
    entity: original.entity,
    taxRate: original.taxRate,
    amount: -original.amount,
    amountExcludingTax: -original.amountExcludingTax,
    taxAmount: -original.taxAmount,
    lines: original.lines.map((line) => ({
      ...line,
      total: -line.total,
      amountExcludingTax: -line.amountExcludingTax,
      taxAmount: -line.taxAmount,
    })),
    status: 'issued',
    issuedAt: now.toISOString(),
    title: original.title,
    seller: original.seller,
    // A red-letter invoice is electronic: it goes to the e-mail the original was delivered to
    // (a paper original without one keeps its delivery; the PDF is then only downloadable).
    delivery: original.delivery.email
      ? { medium: 'electronic', email: original.delivery.email }
      : original.delivery,
    settledChunks: [],
    originalInvoiceId: original.invoiceId,
    originalInvoiceNumber: original.invoiceNumber,
  };
}
