/**
 * Domain events read off the table's change stream (issue 14): the business facts of
 * shared/domain/table-facts.ts that customers and other systems want to hear about, as
 * DomainEvent envelopes, one per fact. Derived from an item's old and new image alone, so no
 * writer can forget to publish one. Pure: no I/O, no clock.
 *
 * Every event's `id` is derived from the fact (its type, its subject and, for facts that can
 * happen more than once to a subject, the instant of this occurrence), never from the stream
 * record: a duplicated delivery of the change, or the same fact seen in another change, yields
 * the same id. The publisher deduplicates on it before putting events on the bus.
 */
import { createHash } from 'node:crypto';
import {
  type AnyDomainEvent,
  type DomainEvent,
  EVENT_TYPES,
  type EventData,
  type EventType,
} from '#domain/domain-events';
import { FACT_ITEMS, type ItemChange } from '#domain/table-facts';

/** Titles (pk ACCOUNT#<account>, sk TITLE#<title>): the consumer's event filter besides FACT_ITEMS. */
export const TITLE_ITEM = { pkPrefix: 'ACCOUNT#', skPrefix: 'TITLE#' } as const;

/** The publisher's markers (#adapters/event-bus): pk EVENT#<event id>. */
export const EVENT_MARKER_PREFIX = 'EVENT#';

type Image = Record<string, unknown>;

const text = (image: Image | undefined, field: string): string | undefined => {
  const value = image?.[field];
  return typeof value === 'string' ? value : undefined;
};
const number = (image: Image | undefined, field: string): number =>
  typeof image?.[field] === 'number' ? (image[field] as number) : 0;

const statusOf = (image: Image | undefined) => text(image, 'status');
const becomes = (change: ItemChange, to: string) =>
  statusOf(change.newImage) === to && statusOf(change.oldImage) !== to;

/** The event id: 32 hex digits of SHA-256 over the fact's identity. */
export function eventId(type: EventType, subject: string, occurrence = ''): string {
  return createHash('sha256').update(`${type}\n${subject}\n${occurrence}`).digest('hex').slice(0, 32);
}

/**
 * The events of one change, in the order the facts happened. `at` is when the stream saw the
 * change (ISO-8601): the event's time only when the item records none of its own.
 */
export function eventsOf(change: ItemChange, at: string): AnyDomainEvent[] {
  if (change.eventName === 'REMOVE' || !change.newImage) return [];
  const { pk, sk } = change;
  const is = (item: { pkPrefix: string; sk: string }) => pk.startsWith(item.pkPrefix) && sk === item.sk;
  if (is(FACT_ITEMS.application)) return applicationEvents(change, at);
  if (is(FACT_ITEMS.invoice)) return invoiceEvents(change, at);
  if (is(FACT_ITEMS.monthlyRun)) return runEvents(change, at);
  if (pk.startsWith(TITLE_ITEM.pkPrefix) && sk.startsWith(TITLE_ITEM.skPrefix))
    return titleEvents(change, at);
  return [];
}

function event<T extends EventType>(
  type: T,
  image: Image,
  occurredAt: string,
  data: EventData[T],
  identity: { subject: string; occurrence?: string },
): DomainEvent<T> {
  const accountId = text(image, 'accountId');
  const correlationId = text(image, 'correlationId');
  return {
    id: eventId(type, identity.subject, identity.occurrence),
    type,
    version: EVENT_TYPES[type],
    occurredAt,
    ...(accountId ? { accountId } : {}),
    ...(correlationId ? { correlationId } : {}),
    data,
  };
}

/** When the timeline last reached `status`, as written on the item. */
function timelineAt(image: Image, status: string): string | undefined {
  const timeline = Array.isArray(image.timeline)
    ? (image.timeline as { at?: unknown; status?: unknown }[])
    : [];
  const entry = timeline.findLast((e) => e?.status === status && typeof e.at === 'string');
  return entry?.at as string | undefined;
}

const mediumOf = (image: Image): 'electronic' | 'paper' =>
  (image.delivery as { medium?: unknown } | undefined)?.medium === 'paper' ? 'paper' : 'electronic';

function applicationEvents(change: ItemChange, at: string): AnyDomainEvent[] {
  const image = change.newImage!;
  const applicationId =
    text(image, 'applicationId') ?? change.pk.slice(FACT_ITEMS.application.pkPrefix.length);
  const subject = { subject: applicationId };
  const when = (status: string) => timelineAt(image, status) ?? text(image, 'updatedAt') ?? at;
  const events: AnyDomainEvent[] = [];
  const before = statusOf(change.oldImage);
  // Accepted: stored as submitted (or out of the internal reserving state of chunked reservations).
  if (statusOf(image) === 'submitted' && (before === undefined || before === 'reserving')) {
    const invoices = Array.isArray(image.invoices) ? image.invoices : [];
    events.push(
      event(
        'application.submitted',
        image,
        text(image, 'submittedAt') ?? at,
        {
          applicationId,
          mode: text(image, 'mode') ?? 'amount',
          total: number(image, 'total'),
          invoiceCount: invoices.length,
          medium: mediumOf(image),
        },
        subject,
      ),
    );
  }
  // Approved: issuing starts, after finance's review or at once under the review threshold.
  if (becomes(change, 'issuing')) {
    const reviewedBy = before === 'in-review' ? 'finance' : 'automatic';
    events.push(
      event('application.approved', image, when('issuing'), { applicationId, reviewedBy }, subject),
    );
  }
  if (becomes(change, 'rejected'))
    events.push(event('application.rejected', image, when('rejected'), { applicationId }, subject));
  if (becomes(change, 'cancelled'))
    events.push(event('application.cancelled', image, when('cancelled'), { applicationId }, subject));
  if (becomes(change, 'failed'))
    events.push(event('application.failed', image, when('failed'), { applicationId }, subject));
  if (becomes(change, 'issued')) {
    const invoices = Array.isArray(image.invoices) ? (image.invoices as { invoiceId?: unknown }[]) : [];
    events.push(
      event(
        'application.issued',
        image,
        when('issued'),
        {
          applicationId,
          invoiceIds: invoices.map((i) => i.invoiceId).filter((id): id is string => typeof id === 'string'),
          total: number(image, 'total'),
        },
        subject,
      ),
    );
  }
  if (becomes(change, 'delivered'))
    events.push(
      event(
        'application.delivered',
        image,
        when('delivered'),
        { applicationId, medium: mediumOf(image) },
        subject,
      ),
    );
  return events;
}

function invoiceEvents(change: ItemChange, at: string): AnyDomainEvent[] {
  const image = change.newImage!;
  const invoiceId = text(image, 'invoiceId') ?? change.pk.slice(FACT_ITEMS.invoice.pkPrefix.length);
  const subject = { subject: invoiceId };
  const base = {
    invoiceId,
    invoiceNumber: text(image, 'invoiceNumber') ?? '',
    applicationId: text(image, 'applicationId') ?? '',
    amount: number(image, 'amount'),
  };
  const issuedAt = text(image, 'issuedAt') ?? at;
  const events: AnyDomainEvent[] = [];
  if (change.eventName === 'INSERT') {
    if (image.kind === 'red') {
      const originalInvoiceNumber = text(image, 'originalInvoiceNumber');
      events.push(
        event(
          'invoice.returned',
          image,
          issuedAt,
          {
            ...base,
            originalInvoiceId: text(image, 'originalInvoiceId') ?? '',
            ...(originalInvoiceNumber ? { originalInvoiceNumber } : {}),
          },
          subject,
        ),
      );
    } else {
      events.push(
        event(
          'invoice.issued',
          image,
          issuedAt,
          {
            ...base,
            entity: text(image, 'entity') ?? '',
            taxRate: text(image, 'taxRate') ?? '',
            amountExcludingTax: number(image, 'amountExcludingTax'),
            taxAmount: number(image, 'taxAmount'),
            medium: mediumOf(image),
          },
          subject,
        ),
      );
    }
  }
  if (becomes(change, 'shipped')) {
    const shipment = (image.shipment ?? {}) as {
      courier?: unknown;
      trackingNumber?: unknown;
      shippedAt?: unknown;
    };
    events.push(
      event(
        'invoice.shipped',
        image,
        typeof shipment.shippedAt === 'string' ? shipment.shippedAt : at,
        {
          ...base,
          courier: typeof shipment.courier === 'string' ? shipment.courier : '',
          ...(typeof shipment.trackingNumber === 'string' ? { trackingNumber: shipment.trackingNumber } : {}),
        },
        subject,
      ),
    );
  }
  // Received: the customer confirmed a paper invoice's arrival (electronic ones stay `issued`).
  if (becomes(change, 'delivered'))
    events.push(event('invoice.received', image, text(image, 'deliveredAt') ?? at, base, subject));
  return events;
}

function titleEvents(change: ItemChange, at: string): AnyDomainEvent[] {
  const image = change.newImage!;
  const titleId = text(image, 'titleId') ?? change.sk.slice(TITLE_ITEM.skPrefix.length);
  const accountId = text(image, 'accountId') ?? change.pk.slice(TITLE_ITEM.pkPrefix.length);
  const titleType = text(image, 'type') ?? '';
  // A title is approved or rejected again after each edit: the instant tells the occurrences apart.
  const occurredAt = text(image, 'decidedAt') ?? text(image, 'updatedAt') ?? at;
  const identity = { subject: `${accountId}/${titleId}`, occurrence: occurredAt };
  if (becomes(change, 'approved')) {
    const reviewedBy = statusOf(change.oldImage) === 'pending-review' ? 'finance' : 'automatic';
    return [event('title.approved', image, occurredAt, { titleId, titleType, reviewedBy }, identity)];
  }
  if (becomes(change, 'rejected')) {
    return [event('title.rejected', image, occurredAt, { titleId, titleType }, identity)];
  }
  return [];
}

function runEvents(change: ItemChange, at: string): AnyDomainEvent[] {
  const image = change.newImage!;
  if (!becomes(change, 'completed')) return [];
  const month = text(image, 'month') ?? change.pk.slice(FACT_ITEMS.monthlyRun.pkPrefix.length);
  const totals = (image.totals ?? {}) as Image;
  return [
    event(
      'monthly-run.completed',
      image,
      text(image, 'completedAt') ?? at,
      {
        month,
        runId: text(image, 'runId') ?? '',
        processed: number(totals, 'processed'),
        created: number(totals, 'created'),
        createdAmount: number(totals, 'createdAmount'),
        skipped: number(totals, 'skipped'),
      },
      { subject: month },
    ),
  ];
}
