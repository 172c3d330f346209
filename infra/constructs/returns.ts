import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  type StateMachine,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';
import { lambdaStep, standardStateMachine } from './state-machine.ts';
import { Workflow } from './workflow.ts';

export interface ReturnsProps {
  /** Names the state machine `invoice-returns-<stage>`. */
  stage: string;
  /** The values the stack sets (includes RETURNS_STATE_MACHINE_ARN); the step function gets what it reads. */
  environment: Record<string, string>;
  table: ITable;
  documents: IBucket;
  mail: IEmailIdentity;
  /** StartExecution on the application state machine: a reissue applies as the customer does. */
  startApplications: PolicyStatement;
  /** How long a mailed-back paper invoice may take to arrive before the return fails. */
  arrivalTimeout?: Duration;
  /**
   * The invoice-issuing function, the one function that renders PDFs (bundle budgets): it runs
   * the IssueRedLetter step. It reads and writes the table and the documents bucket already.
   */
  pdfFunction: IFunction;
}

/**
 * R34 returns, a Standard state machine `invoice-returns-<stage>` with the issuing workflow's
 * guarantees (every step idempotent, retried with backoff, Catch → failure handling that
 * finance hears of):
 *
 *   [paper: AwaitArrival (task token, finance confirms)] → IssueRedLetter → RestoreLedger →
 *   DeliverRedLetter → [reissue: Reissue] → Done
 *
 * JSONPath only, so the local runner executes this very definition. Input:
 * `{returnId, applicationId, awaitArrival, reissue}`.
 */
export class Returns extends Construct {
  readonly stateMachine: StateMachine;
  /** StartExecution on this machine: for the return route's function (`returns-start`) and the sweeper. */
  readonly startExecution: PolicyStatement;
  /** SendTask* on this machine: for the function serving finance's arrival route (`returns-signal`). */
  readonly signalTasks: PolicyStatement;

  constructor(scope: Construct, id: string, props: ReturnsProps) {
    super(scope, id);
    const stateMachineName = `invoice-returns-${props.stage}`;
    const arn = Workflow.arnFor(this, stateMachineName);
    this.startExecution = new PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] });
    this.signalTasks = new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [arn],
    });

    // One function runs every step (each state names its step): a function per step would cost
    // four more functions, each with its role, policy and log group, for the same grants.
    const stepFn = new ServiceFunction(this, 'StepFunction', {
      entry: 'functions/workflow/returns-step.ts',
      environment: props.environment,
      timeout: Duration.seconds(120),
    });
    props.table.grantReadWriteData(stepFn);
    props.documents.grantRead(stepFn);
    props.documents.grantPut(stepFn);
    props.mail.grantSendEmail(stepFn);
    stepFn.addToRolePolicy(this.signalTasks);
    stepFn.addToRolePolicy(props.startApplications);

    const stepInput = (step: string, extra: Record<string, unknown> = {}) =>
      TaskInput.fromObject({
        step,
        returnId: JsonPath.stringAt('$.returnId'),
        applicationId: JsonPath.stringAt('$.applicationId'),
        correlationId: JsonPath.stringAt('$.correlationId'),
        ...extra,
      });
    const task = (name: string, step: string, fn: IFunction = stepFn) =>
      lambdaStep(this, name, { fn, payload: stepInput(step), retries: 4 });

    const failed = lambdaStep(this, 'FailReturn', {
      fn: stepFn,
      payload: stepInput('fail', { error: JsonPath.objectAt('$.error') }),
      retries: 6,
    }).next(new Fail(this, 'Failed', { error: 'ReturnFailed', causePath: '$.error.Cause' }));

    // Paper: parked on a task token until finance confirms the invoice arrived (a timeout is not retried).
    const awaitArrival = lambdaStep(this, 'AwaitArrival', {
      fn: stepFn,
      waitForToken: { timeout: props.arrivalTimeout ?? Duration.days(30) },
      payload: stepInput('await-arrival', { taskToken: JsonPath.taskToken }),
      retries: 4,
    });

    // Issued through the tax platform port: a refusal is final; a provider that has not confirmed
    // yet is asked again, 1 minute doubling six times (about an hour; docs/tax-platform.md).
    const issue = lambdaStep(this, 'IssueRedLetter', {
      fn: props.pdfFunction,
      payload: stepInput('issue-red-letter'),
      retries: 4,
      extraRetries: [
        { errors: ['TaxPlatformRefused'], maxAttempts: 0 },
        { errors: ['TaxPlatformPending'], interval: Duration.minutes(1), backoffRate: 2, maxAttempts: 6 },
      ],
    });
    const restore = task('RestoreLedger', 'restore-ledger');
    const deliver = task('DeliverRedLetter', 'deliver');
    const reissue = task('Reissue', 'reissue');
    for (const t of [awaitArrival, issue, restore, deliver, reissue])
      t.addCatch(failed, { resultPath: '$.error' });

    const done = new Succeed(this, 'Done');
    issue
      .next(restore)
      .next(deliver)
      .next(
        new Choice(this, 'ReissueRequested')
          .when(Condition.booleanEquals('$.reissue', true), reissue.next(done))
          .otherwise(done),
      );
    awaitArrival.next(issue);
    const definition = new Choice(this, 'MailedBack')
      .when(Condition.booleanEquals('$.awaitArrival', true), awaitArrival)
      .otherwise(issue);

    this.stateMachine = standardStateMachine(this, { stateMachineName, definition });
    for (const fn of [stepFn, props.pdfFunction]) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'Step Functions may invoke any version or alias of its own task function.',
      });
    }
  }
}
