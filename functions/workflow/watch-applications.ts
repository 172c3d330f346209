import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import { watchApplications } from '#use-cases/workflow/watch';

/** EventBridge Scheduler, hourly: recovery of failed failure handling and deadline notices (R28). */
export const handler = middy(async () => watchApplications()).use(
  injectLambdaContext(logger, { resetKeys: true }),
);
