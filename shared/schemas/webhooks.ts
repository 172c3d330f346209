import { EVENT_TYPES } from '#domain/domain-events';
import { ALL_EVENTS, MAX_SECRET_OVERLAP_SECONDS } from '#domain/webhooks';
import { Id, Instant } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

const EventTypeOrAll = z.enum([ALL_EVENTS, ...(Object.keys(EVENT_TYPES) as (keyof typeof EVENT_TYPES)[])]);

export const WebhookBody = z.meta(
  z.strictObject({
    url: z.meta(z.url().check(z.maxLength(2048)), {
      description:
        'https URL of a public host (not a private, loopback, link-local or reserved address; checked again at every delivery)',
    }),
    events: z.meta(
      z.array(EventTypeOrAll).check(
        z.minLength(1),
        z.maxLength(Object.keys(EVENT_TYPES).length),
        z.refine((events) => new Set(events).size === events.length, 'must not repeat a type'),
        z.refine(
          (events) => !events.includes(ALL_EVENTS) || events.length === 1,
          '"*" (every type) stands alone',
        ),
      ),
      { description: 'The event types to deliver (docs/events.md), or ["*"] for every type' },
    ),
    description: z.optional(text({ max: 200 })),
    enabled: z.meta(z.optional(z.boolean()), {
      description: 'Default true; turning a disabled endpoint on again clears its failure count',
    }),
  }),
  { id: 'WebhookInput' },
);
export type WebhookBody = z.infer<typeof WebhookBody>;

export const WebhookView = z.meta(
  z.object({
    webhookId: Id,
    url: z.string(),
    events: z.array(z.string()),
    description: z.optional(z.string()),
    enabled: z.boolean(),
    createdAt: Instant,
    updatedAt: Instant,
    secretRotatedAt: z.optional(Instant),
    previousSecretExpiresAt: z.meta(z.optional(Instant), {
      description: 'Until then deliveries carry a signature with the previous secret too',
    }),
    consecutiveFailures: z.int(),
    lastSuccessAt: z.optional(Instant),
    lastFailureAt: z.optional(Instant),
    disabledAt: z.meta(z.optional(Instant), { description: 'Set when the service disabled the endpoint' }),
    disabledReason: z.optional(z.string()),
  }),
  { id: 'Webhook' },
);

/** Creation and rotation answer the secret, once: no other response ever carries it. */
export const WebhookWithSecret = z.meta(
  z.extend(WebhookView, {
    secret: z.meta(z.optional(z.string()), {
      description:
        'The signing secret, shown only in this response (absent when an Idempotency-Key answers a creation again)',
    }),
  }),
  { id: 'WebhookWithSecret' },
);

export const WebhookList = z.meta(
  z.object({
    items: z.meta(z.array(WebhookView), { description: 'At most 10, oldest first' }),
    nextCursor: z.meta(z.optional(z.string()), { description: 'Never set: every endpoint fits one page' }),
  }),
  { id: 'WebhookList' },
);

export const DeliveryView = z.meta(
  z.object({
    deliveryId: Id,
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(['pending', 'succeeded', 'failed']),
    createdAt: Instant,
    nextAttemptAt: z.optional(Instant),
    attempts: z.array(
      z.object({
        at: Instant,
        statusCode: z.optional(z.int()),
        durationMs: z.int(),
        error: z.optional(z.string()),
        responseExcerpt: z.optional(z.string()),
      }),
    ),
  }),
  { id: 'WebhookDelivery' },
);

export const WebhookDetail = z.meta(
  z.extend(WebhookView, {
    deliveries: z.meta(z.array(DeliveryView), {
      description: 'The delivery log, newest first (kept 30 days), one page',
    }),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'WebhookDetail' },
);

export const WebhookQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: CursorQueryParam,
});
export type WebhookQuery = z.infer<typeof WebhookQuery>;

export const WebhookAction = z.meta(
  z.discriminatedUnion('action', [
    z.strictObject({
      action: z.literal('rotate-secret'),
      overlapSeconds: z.meta(z.optional(z.int().check(z.gte(0), z.lte(MAX_SECRET_OVERLAP_SECONDS))), {
        description: 'How long the previous secret keeps signing too (default 86400, at most 7 days)',
      }),
    }),
    z.strictObject({ action: z.literal('resend'), deliveryId: Id }),
  ]),
  { id: 'WebhookAction' },
);
export type WebhookAction = z.infer<typeof WebhookAction>;

export const WebhookActionResult = z.meta(
  z.object({
    webhook: z.optional(WebhookWithSecret),
    delivery: z.optional(DeliveryView),
  }),
  { id: 'WebhookActionResult' },
);

export const WebhookIdPath = z.object({ webhookId: Id });
