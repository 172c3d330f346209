import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { logger } from '#adapters/logger';
import { recordStreamChanges } from '#use-cases/audit-recorder';

/** The table stream's consumer (event source mapping with ReportBatchItemFailures): the audit trail. */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>(async (event: DynamoDBStreamEvent) =>
  recordStreamChanges(event.Records),
).use(injectLambdaContext(logger, { resetKeys: true }));
