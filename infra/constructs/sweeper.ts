import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';
import { scheduledTarget } from './scheduled-target.ts';

export interface SweeperProps {
  /** The values the stack sets (table, state machine ARN, settings); its function gets what it reads. */
  environment: Record<string, string>;
  table: ITable;
  /** Allows StartExecution on the application state machine. */
  startApplications: PolicyStatement;
  /** Allows StartExecution on the returns state machine (R34). */
  startReturns: PolicyStatement;
}

/**
 * Invariant 4 (an accepted application or return is never lost): every minute EventBridge
 * Scheduler runs the sweeper (functions/workflow/start-pending.ts), which starts the workflow
 * of applications and returns whose start was not seen and undoes reservations left half-done.
 */
export class Sweeper extends Construct {
  readonly function: ServiceFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: SweeperProps) {
    super(scope, id);
    this.function = new ServiceFunction(this, 'StartPending', {
      entry: 'functions/workflow/start-pending.ts',
      environment: props.environment,
      timeout: Duration.seconds(60),
    });
    props.table.grantReadWriteData(this.function);
    this.function.addToRolePolicy(props.startApplications);
    this.function.addToRolePolicy(props.startReturns);

    this.schedule = scheduledTarget(this, 'EveryMinute', {
      description: 'Starts workflows of accepted applications and returns not started (invariant 4)',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      target: { arn: this.function.functionArn, action: 'lambda:InvokeFunction' },
      // A missed minute is covered by the next run; never pile runs up.
      retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
    });
  }
}
