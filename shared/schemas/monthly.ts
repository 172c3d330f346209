import { DeliveryInput } from '#schemas/applications';
import { Fen, Id, Instant, Period } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import * as z from '#schemas/zod';

export const AutoInvoicingBody = z.meta(
  z.strictObject({
    enabled: z.boolean(),
    titleId: z.meta(z.optional(Id), {
      description: 'Required when enabled: an approved title the account may use',
    }),
    delivery: z.meta(z.optional(DeliveryInput), {
      description: 'Required when enabled: as for an application (R4, R23)',
    }),
  }),
  { id: 'AutoInvoicingSettings' },
);
export type AutoInvoicingBody = z.infer<typeof AutoInvoicingBody>;

export const AutoInvoicingView = z.meta(
  z.object({ enabled: z.boolean(), titleId: z.optional(Id), delivery: z.optional(DeliveryInput) }),
  {
    id: 'AutoInvoicing',
    description:
      'R31: when enabled, on the 10th of each month (09:00 China time) the full invoiceable amount is applied ' +
      'for with this title and delivery target, once per month',
  },
);
export type AutoInvoicingView = z.infer<typeof AutoInvoicingView>;

export const MonthPath = z.object({
  month: z.meta(Period, { description: 'The month of the run, YYYY-MM' }),
});

export const MonthlyRunQuery = z.object({
  limit: z.meta(z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 50), {
    description: 'Skipped accounts per page',
  }),
  cursor: CursorQueryParam,
});
export type MonthlyRunQuery = z.infer<typeof MonthlyRunQuery>;

const SkippedAccount = z.object({
  accountId: Id,
  code: z.meta(z.string(), { description: 'The API error code that explains the skip (API.md)' }),
  detail: z.string(),
  at: Instant,
});

export const MonthlyRunView = z.meta(
  z.object({
    month: Period,
    runId: z.string(),
    status: z.enum(['running', 'completed']),
    startedAt: Instant,
    completedAt: z.optional(Instant),
    executions: z.meta(z.array(z.string()), { description: 'Every execution that worked on the run' }),
    processed: z.meta(z.int(), { description: 'Opted-in accounts counted, each once' }),
    created: z.meta(z.int(), { description: 'Applications created, one per account at most' }),
    createdAmount: z.meta(Fen, { description: 'Their total' }),
    skipped: z.int(),
    skippedByReason: z.record(z.string(), z.int()),
    items: z.meta(z.array(SkippedAccount), {
      description: 'Skipped accounts with their reasons, by account id',
    }),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'MonthlyRun' },
);
export type MonthlyRunView = z.infer<typeof MonthlyRunView>;
