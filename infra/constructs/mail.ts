import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';

export interface MailProps {
  /** The sender address; its identity must be verified in SES before mail flows. */
  from: string;
}

/** SES's detail-types of the events the configuration set publishes to EventBridge. */
export const MAIL_FEEDBACK_TYPES = ['Email Bounced', 'Email Complaint'] as const;

export class Mail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: MailProps) {
    super(scope, id);
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {});
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.email(props.from),
      configurationSet: this.configurationSet,
    });
    // Issue 14: bounces and complaints go to the account's default bus (the only one SES can
    // publish to), where MailFeedback's rule picks them up.
    this.configurationSet.addEventDestination('Feedback', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
  }
}

export interface MailFeedbackProps {
  environment: Record<string, string>;
  table: ITable;
}

/**
 * Issue 14: a rule on the default bus routes SES's bounce and complaint events to the
 * mail-feedback function, which keeps the accounts' suppression lists and marks the bounced
 * address on applications and titles (functions/operations/mail-feedback.ts).
 */
export class MailFeedback extends Construct {
  readonly handler: ServiceFunction;

  constructor(scope: Construct, id: string, props: MailFeedbackProps) {
    super(scope, id);
    this.handler = new ServiceFunction(this, 'FeedbackFunction', {
      entry: 'functions/operations/mail-feedback.ts',
      environment: props.environment,
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    props.table.grantReadWriteData(this.handler);
    new Rule(this, 'Rule', {
      description: 'SES bounces and complaints of the service’s mail, to the mail-feedback function',
      eventPattern: { source: ['aws.ses'], detailType: [...MAIL_FEEDBACK_TYPES] },
      targets: [new LambdaFunction(this.handler, { retryAttempts: 20, maxEventAge: Duration.hours(24) })],
    });
  }
}
