/**
 * The tax platform port (docs/tax-platform.md): where an invoice gets its number and is recorded
 * with the tax authority. The workflow issues only through it; which adapter answers is a
 * deployment setting (`invoice:taxPlatform`): the simulator (numbers from the entity's counter,
 * documents rendered here, answers at once) or a provider reached over HTTP (numbers assigned by
 * the provider, answers now or later).
 */
import type { IssuedInvoice } from '#domain/issued-invoice';

/** An invoice with everything but what the platform assigns: its number and issue instant. */
export type InvoiceDraft = Omit<IssuedInvoice, 'invoiceNumber' | 'issuedAt'>;

/**
 * The platform's answer to an issue request or a status query. `issued`: the invoice exists
 * under its number, recorded in the table with its XML and PDF stored. `pending`: accepted, the
 * platform confirms later (a callback or the next status query). `refused`: final, nothing issued.
 */
export type IssueAnswer =
  | { status: 'issued'; invoice: IssuedInvoice }
  | { status: 'pending' }
  | { status: 'refused'; reason: string };

/** A request's state without recording anything: what a status query answers. */
export type RequestStatus = 'issued' | 'pending' | 'refused' | 'unknown';

/**
 * Every call is keyed by the invoice id (fixed when the application or return was accepted): a
 * repeated or concurrent call with the same id answers for the same invoice, never a second one.
 */
export interface TaxPlatform {
  /** A blue invoice of an application. */
  issue(draft: InvoiceDraft): Promise<IssueAnswer>;
  /** R34: the red-letter invoice crediting `original` in full. */
  issueRedLetter(draft: InvoiceDraft, original: IssuedInvoice): Promise<IssueAnswer>;
  /** Where the request of this invoice id stands, without issuing anything. */
  status(invoiceId: string): Promise<RequestStatus>;
}

/**
 * The platform refused the invoice (or answered something we must not book, such as a number
 * already used): final, not retried; the failure path releases the reservation and tells
 * the customer and finance.
 */
export class TaxPlatformRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaxPlatformRefused';
  }
}

/** The platform did not answer usably (5xx, timeout, broken answer): retried with backoff. */
export class TaxPlatformUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaxPlatformUnavailable';
  }
}

/**
 * The platform has not confirmed within the longest wait (AwaitTaxPlatform's `maxWaitSeconds`,
 * counted from the first wait, whatever resumed it meanwhile): final, like a refusal.
 */
export class TaxPlatformTimeout extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaxPlatformTimeout';
  }
}

/** A red-letter request the platform has not confirmed yet: the returns workflow retries (polls). */
export class TaxPlatformPending extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaxPlatformPending';
  }
}

/** The draft part of an invoice (what a request to the platform carries). */
export function draftOf(invoice: IssuedInvoice): InvoiceDraft {
  const { invoiceNumber: _number, issuedAt: _issuedAt, ...draft } = invoice;
  return draft;
}
