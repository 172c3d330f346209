import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import { type SweepResult, sweepPending } from '#use-cases/sweeper';

/** Optional overrides, e.g. for a manual sweep; the schedule sends `{}`. */
interface SweepEvent {
  pendingOlderThanSeconds?: number;
  reservingOlderThanSeconds?: number;
}

const seconds = (value: unknown) =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;

/** The sweeper (invariant 4: applications and returns), run every minute by EventBridge Scheduler: infra/constructs/sweeper.ts. */
export const handler = middy<SweepEvent, SweepResult>(async (event: SweepEvent) =>
  sweepPending({
    now: new Date(),
    pendingOlderThanMs: seconds(event?.pendingOlderThanSeconds),
    reservingOlderThanMs: seconds(event?.reservingOlderThanSeconds),
  }),
).use(injectLambdaContext(logger, { resetKeys: true }));
