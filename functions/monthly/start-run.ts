import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import { type RunPlan, type StartRunEvent, startRun } from '#use-cases/monthly-run';

/** First step of the monthly run (infra/constructs/monthly.ts): the month, the run id, the shards. */
export const handler = middy<StartRunEvent, RunPlan>(async (event: StartRunEvent) =>
  startRun(event ?? {}, new Date()),
).use(injectLambdaContext(logger, { resetKeys: true }));
