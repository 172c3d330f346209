import * as z from 'zod';
import { DeliveryInput } from '#schemas/applications';
import { Fen, Id, Instant, Period } from '#schemas/common';

export const AutoInvoicingBody = z
  .object({
    enabled: z.boolean(),
    titleId: Id.optional().meta({
      description: 'Required when enabled: an approved title the account may use',
    }),
    delivery: DeliveryInput.optional().meta({
      description: 'Required when enabled: as for an application (R4, R23)',
    }),
  })
  .strict()
  .meta({ id: 'AutoInvoicingSettings' });
export type AutoInvoicingBody = z.infer<typeof AutoInvoicingBody>;

export const AutoInvoicingView = z
  .object({ enabled: z.boolean(), titleId: Id.optional(), delivery: DeliveryInput.optional() })
  .meta({
    id: 'AutoInvoicing',
    description:
      'R31: when enabled, on the 10th of each month (09:00 China time) the full invoiceable amount is applied ' +
      'for with this title and delivery target, once per month',
  });
export type AutoInvoicingView = z.infer<typeof AutoInvoicingView>;

export const MonthPath = z.object({ month: Period.meta({ description: 'The month of the run, YYYY-MM' }) });

export const MonthlyRunQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(50)
    .meta({ description: 'Skipped accounts per page' }),
  cursor: z.string().min(1).max(512).optional().meta({ description: 'nextCursor of the previous page' }),
});
export type MonthlyRunQuery = z.infer<typeof MonthlyRunQuery>;

const SkippedAccount = z.object({
  accountId: Id,
  code: z.string().meta({ description: 'The API error code that explains the skip (API.md)' }),
  detail: z.string(),
  at: Instant,
});

export const MonthlyRunView = z
  .object({
    month: Period,
    runId: z.string(),
    status: z.enum(['running', 'completed']),
    startedAt: Instant,
    completedAt: Instant.optional(),
    executions: z.array(z.string()).meta({ description: 'Every execution that worked on the run' }),
    processed: z.int().meta({ description: 'Opted-in accounts counted, each once' }),
    created: z.int().meta({ description: 'Applications created, one per account at most' }),
    createdAmount: Fen.meta({ description: 'Their total' }),
    skipped: z.int(),
    skippedByReason: z.record(z.string(), z.int()),
    items: z
      .array(SkippedAccount)
      .meta({ description: 'Skipped accounts with their reasons, by account id' }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'MonthlyRun' });
export type MonthlyRunView = z.infer<typeof MonthlyRunView>;
