import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import { type RunSummary, summarizeRun } from '#use-cases/monthly-run';

/** Last step of the monthly run: the totals finance reads, and the run marked completed. */
export const handler = middy<{ month: string }, RunSummary>(async (event: { month: string }) =>
  summarizeRun(event.month, new Date()),
).use(injectLambdaContext(logger, { resetKeys: true }));
