/**
 * The service's domain events (issue 14): one event per business fact, published on the
 * service's EventBridge bus from the table's change stream, and delivered to customers'
 * webhooks. This file is the contract both sides share: the catalogue of event types and the
 * envelope every event carries. Pure: no I/O, no clock.
 *
 * On the bus an event is `{ source: EVENT_SOURCE, 'detail-type': <type>, detail: DomainEvent }`;
 * a webhook delivery's body is the DomainEvent itself.
 */

/** The `source` of every event the service puts on its bus. */
export const EVENT_SOURCE = 'invoice-service';

/** Every event type with its current schema version (docs/events.md documents each). */
export const EVENT_TYPES = {
  'application.submitted': 1,
  'application.cancelled': 1,
  'application.approved': 1,
  'application.rejected': 1,
  'application.issued': 1,
  'application.delivered': 1,
  'application.failed': 1,
  'invoice.issued': 1,
  'invoice.shipped': 1,
  'invoice.received': 1,
  'invoice.returned': 1,
  'title.approved': 1,
  'title.rejected': 1,
  'monthly-run.completed': 1,
} as const satisfies Record<string, number>;
export type EventType = keyof typeof EVENT_TYPES;

export const isEventType = (value: string): value is EventType => Object.hasOwn(EVENT_TYPES, value);

/**
 * The envelope. `id` is derived from the fact itself (the item and the change that made it),
 * so a duplicated stream delivery yields the same id and consumers can deduplicate on it.
 * `accountId` is the customer the fact belongs to; events without one (the monthly run) never
 * reach a customer's webhook.
 */
export interface DomainEvent<T extends EventType = EventType> {
  id: string;
  type: T;
  version: (typeof EVENT_TYPES)[T];
  /** ISO-8601 UTC instant at which the fact happened. */
  occurredAt: string;
  accountId?: string;
  /** The correlation id of the request or run that caused the fact, when known. */
  correlationId?: string;
  /** Ids and figures only (amounts in fen as integers); never personal data beyond ids. */
  data: EventData[T];
}

/** One event of any type, with `type` and `data` that go together. */
export type AnyDomainEvent = { [K in EventType]: DomainEvent<K> }[EventType];

/** How an application or a title passed review: at once by the rules, or by finance staff. */
export type ReviewedBy = 'automatic' | 'finance';

/** The `data` of each event type (docs/events.md; JSON Schemas in docs/events/). */
export interface EventData {
  'application.submitted': {
    applicationId: string;
    mode: string;
    /** Tax-inclusive total in fen. */
    total: number;
    invoiceCount: number;
    medium: 'electronic' | 'paper';
  };
  'application.cancelled': { applicationId: string };
  'application.approved': { applicationId: string; reviewedBy: ReviewedBy };
  'application.rejected': { applicationId: string };
  'application.issued': { applicationId: string; invoiceIds: string[]; total: number };
  'application.delivered': { applicationId: string; medium: 'electronic' | 'paper' };
  'application.failed': { applicationId: string };
  'invoice.issued': InvoiceEventData & {
    entity: string;
    taxRate: string;
    amountExcludingTax: number;
    taxAmount: number;
    medium: 'electronic' | 'paper';
  };
  'invoice.shipped': InvoiceEventData & { courier: string; trackingNumber?: string };
  'invoice.received': InvoiceEventData;
  'invoice.returned': InvoiceEventData & { originalInvoiceId: string; originalInvoiceNumber?: string };
  'title.approved': { titleId: string; titleType: string; reviewedBy: ReviewedBy };
  'title.rejected': { titleId: string; titleType: string };
  'monthly-run.completed': {
    month: string;
    runId: string;
    processed: number;
    created: number;
    /** Tax-inclusive amount of the applications the run created, in fen. */
    createdAmount: number;
    skipped: number;
  };
}

/** What every invoice event carries; `amount` is tax-inclusive in fen (negative on a red-letter invoice). */
export interface InvoiceEventData {
  invoiceId: string;
  invoiceNumber: string;
  applicationId: string;
  amount: number;
}
