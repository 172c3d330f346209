import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MetricUnit } from '@aws-lambda-powertools/metrics/types';
import middy from '@middy/core';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { imageOf } from '#adapters/audit-stream';
import { publishEvents } from '#adapters/event-bus';
import { logger } from '#adapters/logger';
import type { AnyDomainEvent } from '#domain/domain-events';
import { eventsOf } from '#domain/event-facts';
import { type Fact, factsOf, METRICS_NAMESPACE, METRICS_SERVICE } from '#domain/table-facts';

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/**
 * The table stream's second consumer (the audit recorder is the first): business facts read
 * off each change. Domain events (shared/domain/event-facts.ts) go on the service's bus
 * exactly once per fact (#adapters/event-bus); then the metric facts
 * (shared/domain/table-facts.ts) are published as CloudWatch metrics in the embedded metric
 * format and logged one line each with the item's correlation id. A batch whose events could
 * not all be published fails before any metric is recorded, and its retry publishes only the
 * events still missing.
 */
export const handler = middy(async (event: DynamoDBStreamEvent) => {
  const facts: Fact[] = [];
  const events: AnyDomainEvent[] = [];
  for (const record of event.Records) {
    const stream = record.dynamodb;
    const pk = stream?.Keys?.pk?.S;
    const sk = stream?.Keys?.sk?.S;
    if (!stream || pk === undefined || sk === undefined || !record.eventName) continue;
    const change = {
      eventName: record.eventName,
      pk,
      sk,
      oldImage: stream.OldImage ? imageOf(stream.OldImage) : undefined,
      newImage: stream.NewImage ? imageOf(stream.NewImage) : undefined,
    };
    facts.push(...factsOf(change));
    const seconds = stream.ApproximateCreationDateTime;
    events.push(...eventsOf(change, new Date(seconds ? seconds * 1000 : Date.now()).toISOString()));
  }
  if (events.length > 0) {
    const { published, duplicates } = await publishEvents(events);
    for (const domainEvent of published) {
      logger.info('event published', {
        event_id: domainEvent.id,
        event_type: domainEvent.type,
        ...(domainEvent.correlationId ? { correlation_id: domainEvent.correlationId } : {}),
      });
    }
    if (duplicates > 0) logger.info('events already published', { duplicates });
  }
  for (const fact of facts) {
    metrics.addMetric(fact.metric, fact.unit as MetricUnit, fact.value);
    logger.info('fact', {
      metric: fact.metric,
      value: fact.value,
      ...fact.subject,
      ...(fact.correlationId ? { correlation_id: fact.correlationId } : {}),
    });
  }
  // A batch of changes that are no facts publishes nothing (Powertools would warn on every one).
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}).use(injectLambdaContext(logger, { resetKeys: true }));
