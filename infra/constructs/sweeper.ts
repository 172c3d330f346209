import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  type IScheduleTarget,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';

export interface SweeperProps {
  /** The values the stack sets (table, state machine ARN, settings); its function gets what it reads. */
  environment: Record<string, string>;
  table: ITable;
  /** Allows StartExecution on the application state machine. */
  startExecution: PolicyStatement;
}

/**
 * Invariant 4 (an accepted application is never lost): every minute EventBridge Scheduler
 * runs the sweeper (functions/workflow/start-pending.ts), which starts the workflow of
 * applications whose start was not seen and undoes reservations left half-done.
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
    this.function.addToRolePolicy(props.startExecution);

    const group = new ScheduleGroup(this, 'Group', {});
    // Its own role, allowed to invoke exactly this function (not its versions: no `:*`).
    const role = new Role(this, 'InvokeRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    });
    const fn = this.function;
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
    const target: IScheduleTarget = {
      bind: () => ({
        arn: fn.functionArn,
        role,
        input: ScheduleTargetInput.fromObject({}),
        // A missed minute is covered by the next run; never pile runs up.
        retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 },
      }),
    };
    this.schedule = new Schedule(this, 'EveryMinute', {
      description: 'Starts workflows of accepted applications that were not started (invariant 4)',
      schedule: ScheduleExpression.rate(Duration.minutes(1)),
      scheduleGroup: group,
      target,
      timeWindow: TimeWindow.off(),
    });
  }
}
