import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { imageOf } from '#adapters/audit-stream';
import { logger } from '#adapters/logger';
import { factsOf, METRICS_NAMESPACE, METRICS_SERVICE } from '#domain/table-facts';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * The table stream's second consumer (the audit recorder is the first): business facts read
 * off each change (shared/domain/table-facts.ts), published as CloudWatch metrics in the
 * embedded metric format and logged one line each with the item's correlation id. It calls
 * no AWS service: the metric lines are log lines that CloudWatch turns into metrics.
 */
export const handler = middy(async (event: DynamoDBStreamEvent) => {
  for (const record of event.Records) {
    const stream = record.dynamodb;
    const pk = stream?.Keys?.pk?.S;
    const sk = stream?.Keys?.sk?.S;
    if (!stream || pk === undefined || sk === undefined || !record.eventName) continue;
    const facts = factsOf({
      eventName: record.eventName,
      pk,
      sk,
      oldImage: stream.OldImage ? imageOf(stream.OldImage) : undefined,
      newImage: stream.NewImage ? imageOf(stream.NewImage) : undefined,
    });
    for (const fact of facts) {
      metrics.addMetric(fact.metric, fact.unit as MetricUnit, fact.value);
      logger.info('fact', {
        metric: fact.metric,
        value: fact.value,
        ...fact.subject,
        ...(fact.correlationId ? { correlation_id: fact.correlationId } : {}),
      });
    }
  }
  // A batch of changes that are no facts publishes nothing (Powertools would warn on every one).
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}).use(injectLambdaContext(logger, { resetKeys: true }));
