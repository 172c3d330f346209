import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, type IRuleTarget, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { EmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../shared/domain/domain-events.ts';
import { ServiceFunction } from './function-defaults.ts';

export interface WebhooksProps {
  stage: string;
  /** The values the stack sets; the function gets what it reads (infra/environment.ts). */
  environment: Record<string, string>;
  table: ITable;
  mail: EmailIdentity;
  /** The domain events' bus (DomainEvents). */
  bus: IEventBus;
}

/**
 * Customer webhooks (docs/webhooks.md). One function, `ApiWebhooks`, serves the `/v1/webhooks`
 * routes (the stack wires them as for every API function) and delivers: a rule on the domain
 * events' bus sends it every event of the service, and a rule on a one-minute schedule runs
 * the retries and resends that are due (the due list is a sparse index of the table). Both
 * rules invoke it through one Lambda permission for rules of this name prefix.
 */
export class Webhooks extends Construct {
  readonly function: ServiceFunction;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = new ServiceFunction(this, 'ApiWebhooks', {
      entry: 'functions/api/webhooks.ts',
      environment: props.environment,
      // A minute's run of due retries: at most a few batches of 5-second calls.
      timeout: Duration.seconds(60),
    });
    props.table.grantReadWriteData(this.function);
    props.mail.grantSendEmail(this.function);

    const prefix = `invoice-webhooks-${props.stage}`;
    // The permission below covers both rules, so the target adds none of its own.
    const target: IRuleTarget = { bind: () => ({ arn: this.function.functionArn }) };
    new Rule(this, 'OnDomainEvent', {
      ruleName: `${prefix}-events`,
      description: 'Every domain event of the service to the webhook dispatcher',
      eventBus: props.bus,
      eventPattern: { source: [EVENT_SOURCE] },
      targets: [target],
    });
    new Rule(this, 'EveryMinute', {
      ruleName: `${prefix}-retries`,
      description: 'Webhook retries and resends that are due',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [target],
    });
    this.function.addPermission('InvokeFromRules', {
      principal: new ServicePrincipal('events.amazonaws.com'),
      sourceAccount: stack.account,
      sourceArn: stack.formatArn({ service: 'events', resource: 'rule', resourceName: `*${prefix}-*` }),
    });
  }
}
