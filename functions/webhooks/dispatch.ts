import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#adapters/logger';
import { type DomainEvent, EVENT_SOURCE, isEventType } from '#domain/domain-events';
import { type DispatchResult, deliverDue, dispatchEvent } from '#use-cases/webhook-delivery';

/** What EventBridge sends: a domain event from the service's bus, or the minute's scheduled run. */
interface BusEvent {
  source?: string;
  'detail-type'?: string;
  detail?: Partial<DomainEvent>;
}

const isDomainEvent = (detail: Partial<DomainEvent> | undefined): detail is DomainEvent =>
  typeof detail?.id === 'string' &&
  typeof detail.type === 'string' &&
  isEventType(detail.type) &&
  typeof detail.occurredAt === 'string' &&
  typeof detail.data === 'object';

/**
 * The webhook dispatcher (infra/constructs/webhooks.ts): a rule on the service's bus sends it
 * every domain event (delivered at once to the account's endpoints), and a rule on a schedule
 * runs it every minute for the retries and resends that are due.
 */
export const handler = middy<BusEvent, DispatchResult>(async (event: BusEvent) => {
  if (event?.source === EVENT_SOURCE) {
    if (!isDomainEvent(event.detail)) {
      logger.warn('not a domain event; ignored', { detailType: event['detail-type'] });
      return { deliveries: 0, succeeded: 0, failed: 0 };
    }
    logger.appendKeys({ correlation_id: event.detail.correlationId });
    return dispatchEvent(event.detail, new Date());
  }
  return deliverDue(new Date());
}).use(injectLambdaContext(logger, { resetKeys: true }));
