import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';

/**
 * The chain for Step Functions tasks: logger context and the use case. Errors propagate
 * unchanged so the state machine's Retry/Catch match them by name.
 */
export function workflowTask<I extends { applicationId: string; correlationId?: string }, O>(
  run: (input: I) => Promise<O>,
) {
  return middy<I, O>(async (input: I) => {
    logger.appendKeys({ applicationId: input.applicationId });
    // The application's correlation id from the state machine input (issue 16), so a ticket
    // quoting it finds this step's lines and the e-mails it sends carry it.
    logger.setCorrelationId(input.correlationId ?? input.applicationId);
    return run(input);
  }).use(injectLambdaContext(logger, { resetKeys: true }));
}
