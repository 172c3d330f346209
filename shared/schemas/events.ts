/**
 * The JSON Schemas of the domain events (issue 14), one per event type and version, written
 * with zod so the same definitions validate events in tests and generate the documents in
 * docs/events/<type>.v<version>.json (`npm run events:schemas`; a test keeps them equal).
 * Strict objects: a field added to an event is a new version or a documented optional field.
 */
import { EVENT_SOURCE, EVENT_TYPES, type EventType } from '#domain/domain-events';
import * as z from '#schemas/zod';

const Fen = z.meta(z.int().check(z.gte(0)), { description: 'Integer amount in fen (1 yuan = 100 fen)' });
const SignedFen = z.meta(z.int(), { description: 'Integer amount in fen; negative on a red-letter invoice' });
const Id = z.string().check(z.minLength(1));
const Instant = z.meta(z.iso.datetime({ offset: true }), { description: 'ISO-8601 UTC instant' });
const Medium = z.meta(z.enum(['electronic', 'paper']), {
  description: 'How the invoices reach the customer',
});
const ReviewedBy = z.meta(z.enum(['automatic', 'finance']), {
  description: 'Passed at once by the rules (automatic) or decided by finance staff',
});

const invoice = {
  invoiceId: Id,
  invoiceNumber: z.meta(z.string().check(z.regex(/^\d{20}$/)), { description: '20-digit invoice number' }),
  applicationId: Id,
  amount: SignedFen,
};

/** The `data` of each event type, at its current version. */
export const EVENT_DATA = {
  'application.submitted': z.strictObject({
    applicationId: Id,
    mode: z.enum(['orders', 'bills', 'amount']),
    total: Fen,
    invoiceCount: z.int().check(z.gte(1)),
    medium: Medium,
  }),
  'application.cancelled': z.strictObject({ applicationId: Id }),
  'application.approved': z.strictObject({ applicationId: Id, reviewedBy: ReviewedBy }),
  'application.rejected': z.strictObject({ applicationId: Id }),
  'application.issued': z.strictObject({
    applicationId: Id,
    invoiceIds: z.array(Id).check(z.minLength(1)),
    total: Fen,
  }),
  'application.delivered': z.strictObject({ applicationId: Id, medium: Medium }),
  'application.failed': z.strictObject({ applicationId: Id }),
  'invoice.issued': z.strictObject({
    ...invoice,
    entity: Id,
    taxRate: z.meta(z.string().check(z.regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/)), {
      description: 'Tax rate as a decimal string, e.g. "0.06"',
    }),
    amountExcludingTax: SignedFen,
    taxAmount: SignedFen,
    medium: Medium,
  }),
  'invoice.shipped': z.strictObject({
    ...invoice,
    courier: z.enum(['SF', 'YUNDA', 'PICKUP']),
    trackingNumber: z.optional(z.string()),
  }),
  'invoice.received': z.strictObject(invoice),
  'invoice.returned': z.strictObject({
    ...invoice,
    originalInvoiceId: Id,
    originalInvoiceNumber: z.optional(z.string()),
  }),
  'title.approved': z.strictObject({ titleId: Id, titleType: z.string(), reviewedBy: ReviewedBy }),
  'title.rejected': z.strictObject({ titleId: Id, titleType: z.string() }),
  'monthly-run.completed': z.strictObject({
    month: z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/)),
    runId: Id,
    processed: z.int().check(z.gte(0)),
    created: z.int().check(z.gte(0)),
    createdAmount: Fen,
    skipped: z.int().check(z.gte(0)),
  }),
} as const satisfies Record<EventType, z.ZodMiniType>;

/** The envelope of one event type: a webhook body, and the `detail` of the event on the bus. */
export function eventSchema<T extends EventType>(type: T) {
  return z.strictObject({
    id: z.meta(z.string().check(z.regex(/^[0-9a-f]{32}$/)), {
      description: 'Derived from the fact: the same fact always has the same id (deduplicate on it)',
    }),
    type: z.literal(type),
    version: z.literal(EVENT_TYPES[type]),
    occurredAt: Instant,
    accountId: z.optional(Id),
    correlationId: z.optional(z.string()),
    data: EVENT_DATA[type],
  });
}

/** The bus's wrapping of an event, as a rule's target receives it (the fields this service sets). */
export function busEventSchema<T extends EventType>(type: T) {
  return z.object({
    source: z.literal(EVENT_SOURCE),
    'detail-type': z.literal(type),
    detail: eventSchema(type),
  });
}

/** The JSON Schema document of one event type (docs/events/<type>.v<version>.json). */
export function jsonSchemaOf(type: EventType): Record<string, unknown> {
  const version = EVENT_TYPES[type];
  return {
    $id: `events/${type}.v${version}.json`,
    title: `${type} v${version}`,
    ...(z.toJSONSchema(eventSchema(type), { target: 'draft-2020-12', io: 'output' }) as Record<
      string,
      unknown
    >),
  };
}
