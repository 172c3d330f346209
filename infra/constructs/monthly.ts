import { ArnFormat, type CfnElement, Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import {
  Choice,
  Condition,
  JsonPath,
  Map as MapState,
  type StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';
import { scheduledTarget } from './scheduled-target.ts';
import { lambdaStep, standardStateMachine } from './state-machine.ts';

export interface MonthlyProps {
  /** Names the state machine `invoice-monthly-<stage>`. */
  stage: string;
  /** The stack's values (table, application machine ARN, settings); each function takes what it reads. */
  environment: Record<string, string>;
  table: ITable;
  /** Allows StartExecution on the application state machine: the run applies as a customer does. */
  startExecution: PolicyStatement;
}

/**
 * R31 monthly automatic invoicing. EventBridge Scheduler starts the Standard state machine
 * `invoice-monthly-<stage>` at 09:00 China time on the 10th with `{}`:
 *
 *   StartRun (month, run id, the 64 shards) → Map over the shards (MaxConcurrency from
 *   `invoice:monthlyMaxConcurrency`) of [ProcessShard → ShardDone? → ProcessShard …] → Summarize
 *
 * ProcessShard works through its shard's opted-in accounts for a bounded time and returns a
 * cursor; the Choice loops until the shard is done. JSONPath only, an inline Map, no Assign:
 * the local runner executes this very definition. Exactly once per (account, month) is the
 * functions' business (markers), so a second delivery, a restart or a retried step is safe.
 */
export class Monthly extends Construct {
  readonly stateMachine: StateMachine;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: MonthlyProps) {
    super(scope, id);
    const context = (key: string, fallback: number) => {
      const raw = this.node.tryGetContext(`invoice:${key}`) ?? fallback;
      const value = Number(raw);
      if (!Number.isSafeInteger(value) || value < 1)
        throw new Error(`Context invoice:${key} must be a positive integer`);
      return value;
    };
    const maxConcurrency = context('monthlyMaxConcurrency', 16);
    const shardSeconds = context('monthlyShardSeconds', 60);
    const environment = {
      ...props.environment,
      MONTHLY_SHARD_SECONDS: String(shardSeconds),
      MONTHLY_PAGE_SIZE: String(context('monthlyPageSize', 50)),
      MONTHLY_ACCOUNT_CONCURRENCY: String(context('monthlyAccountConcurrency', 8)),
    };
    const fn = (name: string, entry: string, timeout: Duration) => {
      const f = new ServiceFunction(this, name, { entry, environment, timeout });
      props.table.grantReadWriteData(f);
      return f;
    };
    const startRun = fn('StartRunFunction', 'functions/monthly/start-run.ts', Duration.seconds(30));
    // The budget, one more page, and the time to answer.
    const processShard = fn(
      'ProcessShardFunction',
      'functions/monthly/process-shard.ts',
      Duration.seconds(shardSeconds + 60),
    );
    processShard.addToRolePolicy(props.startExecution);
    const summarize = fn('SummarizeRunFunction', 'functions/monthly/summarize-run.ts', Duration.seconds(30));

    // Every attempt is safe to repeat (markers), permanent errors included; back off over a few
    // minutes of trouble. The result is the next state.
    const task = (name: string, fn: ServiceFunction, payload: TaskInput | undefined) =>
      lambdaStep(this, name, { fn, payload, result: 'replace', retries: 6, retryPermanent: true });

    const start = task(
      'StartRun',
      startRun,
      TaskInput.fromObject({
        input: JsonPath.objectAt('$'),
        execution: JsonPath.stringAt('$$.Execution.Name'),
      }),
    );
    // No Parameters: the task gets the state as it is ({ month, shard } or the last step's result).
    const shardStep = task('ProcessShard', processShard, undefined);
    shardStep.next(
      new Choice(this, 'ShardDone')
        .when(Condition.booleanEquals('$.done', true), new Succeed(this, 'ShardFinished'))
        .otherwise(shardStep),
    );
    const forEachShard = new MapState(this, 'ForEachShard', {
      itemsPath: '$.shards',
      maxConcurrency,
      // Per-shard results stay out of the state: the counters in the table are the run's truth.
      resultPath: JsonPath.DISCARD,
    });
    forEachShard.itemProcessor(shardStep);
    const summary = task(
      'Summarize',
      summarize,
      TaskInput.fromObject({ month: JsonPath.stringAt('$.month') }),
    );

    const stateMachineName = `invoice-monthly-${props.stage}`;
    this.stateMachine = standardStateMachine(this, {
      stateMachineName,
      definition: start.next(forEachShard).next(summary),
    });
    const stack = Stack.of(this);
    for (const f of [startRun, processShard, summarize]) {
      const logicalId = stack.getLogicalId(f.node.defaultChild as CfnElement);
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'Step Functions may invoke any version or alias of its own task function.',
      });
    }

    this.schedule = scheduledTarget(this, 'On10th', {
      description: 'Monthly automatic invoicing (R31): the 10th, 09:00 China time',
      schedule: ScheduleExpression.cron({
        minute: '0',
        hour: '9',
        day: '10',
        timeZone: TimeZone.ASIA_SHANGHAI,
      }),
      target: {
        arn: this.stateMachine.stateMachineArn,
        action: 'states:StartExecution',
        // The fixed-name ARN, so the role does not depend on the machine it starts.
        resource: stack.formatArn({
          service: 'states',
          resource: 'stateMachine',
          resourceName: stateMachineName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
      // A delivery that failed is retried for a few hours; a duplicate delivery is harmless.
      retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
    });
  }
}
