import { EventBus } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/domain/domain-events.ts';

export interface DomainEventsProps {
  /** Deployment stage; the bus is named `invoice-service-<stage>` so stages never share one. */
  stage: string;
}

/**
 * The service's domain events (issue 14): one custom EventBridge bus on which the table-facts
 * stream consumer puts one event per business fact (`source` EVENT_SOURCE, `detail-type` the
 * event type, `detail` the DomainEvent envelope; docs/events.md). Consumers add their own
 * rules to `bus` (webhooks, other systems); this construct owns nothing else.
 */
export class DomainEvents extends Construct {
  readonly bus: EventBus;
  /** The `source` of every event the service puts on the bus. */
  readonly source = EVENT_SOURCE;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { eventBusName: `${EVENT_SOURCE}-${props.stage}` });
  }
}
