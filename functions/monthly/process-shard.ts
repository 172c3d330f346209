import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import type { ShardWork } from '#domain/monthly';
import { processShard, type ShardResult } from '#use-cases/monthly-run';

/** One bounded step of a shard of the monthly run; the state machine loops until `done`. */
export const handler = middy<ShardWork, ShardResult>(async (work: ShardWork) => {
  logger.appendKeys({ month: work.month, shard: work.shard });
  return processShard(work);
}).use(injectLambdaContext(logger, { resetKeys: true }));
