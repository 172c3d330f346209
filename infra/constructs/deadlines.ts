import { Duration, TimeZone } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';
import { scheduledTarget } from './scheduled-target.ts';

export interface DeadlinesProps {
  /** The stack's values (table, FINANCE_EMAIL, MAIL_FROM, settings); the function takes what it reads. */
  environment: Record<string, string>;
  table: ITable;
  /** The sender identity the finance notices go out from. */
  mail: IEmailIdentity;
}

/**
 * R28 and invariant 5, hourly (EventBridge Scheduler, China time): functions/workflow/
 * watch-applications.ts tells finance staff, once per application, about open applications
 * past their expectedBy, and finishes failure handling that failed inside the workflow.
 */
export class Deadlines extends Construct {
  readonly function: ServiceFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: DeadlinesProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'WatchApplications', {
      entry: 'functions/workflow/watch-applications.ts',
      environment: props.environment,
      timeout: Duration.minutes(5),
    });
    props.table.grantReadWriteData(this.function);
    props.mail.grantSendEmail(this.function);

    this.schedule = scheduledTarget(this, 'Hourly', {
      description: 'Tells finance about breached deadlines and recovers failed failure handling (R28)',
      schedule: ScheduleExpression.cron({ minute: '5', timeZone: TimeZone.ASIA_SHANGHAI }),
      target: { arn: this.function.functionArn, action: 'lambda:InvokeFunction' },
      // The run is idempotent and the next hour covers a missed one: a couple of retries only.
      retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
    });
  }
}
