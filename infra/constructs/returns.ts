import { type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IEmailIdentity } from 'aws-cdk-lib/aws-ses';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ServiceFunction } from './function-defaults.ts';
import { Workflow } from './workflow.ts';

export interface ReturnsProps {
  /** Names the state machine `invoice-returns-<stage>`. */
  stage: string;
  /** The functions' shared environment (includes RETURNS_STATE_MACHINE_ARN). */
  environment: Record<string, string>;
  table: ITable;
  documents: IBucket;
  mail: IEmailIdentity;
  /** StartExecution on the application state machine: a reissue applies as the customer does. */
  startApplications: PolicyStatement;
  /** The API's functions: the return route may start this machine, finance's arrival route resume it. */
  apiFunctions: ReadonlyArray<{ method: string; path: string; fn: IGrantable }>;
  /** How long a mailed-back paper invoice may take to arrive before the return fails. */
  arrivalTimeout?: Duration;
  /**
   * The invoice-issuing function, the one function that renders PDFs (bundle budgets): it runs
   * the IssueRedLetter step. It reads and writes the table and the documents bucket already.
   */
  pdfFunction: IFunction;
}

/** Errors that retrying cannot fix; see shared/domain/workflow-errors.ts. */
const PERMANENT_ERRORS = ['PermanentTaskError'];

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

  constructor(scope: Construct, id: string, props: ReturnsProps) {
    super(scope, id);
    const stateMachineName = `invoice-returns-${props.stage}`;
    const arn = Workflow.arnFor(this, stateMachineName);
    const startReturns = new PolicyStatement({ actions: ['states:StartExecution'], resources: [arn] });
    const signalReturns = new PolicyStatement({
      actions: ['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat'],
      resources: [arn],
    });

    // One function runs every step (each state names its step): a function per step would take
    // the stack past CloudFormation's 500 resources.
    const stepFn = new ServiceFunction(this, 'StepFunction', {
      entry: 'functions/workflow/returns-step.ts',
      environment: props.environment,
      timeout: Duration.seconds(120),
    });
    props.table.grantReadWriteData(stepFn);
    props.documents.grantReadWrite(stepFn);
    props.mail.grantSendEmail(stepFn);
    stepFn.addToRolePolicy(signalReturns);
    stepFn.addToRolePolicy(props.startApplications);

    for (const route of props.apiFunctions) {
      if (route.method === 'POST' && route.path === '/v1/invoices/{invoiceId}/returns')
        route.fn.grantPrincipal.addToPrincipalPolicy(startReturns);
      if (route.method === 'POST' && route.path === '/v1/admin/invoices/{invoiceId}/returned')
        route.fn.grantPrincipal.addToPrincipalPolicy(signalReturns);
    }

    const stepInput = (step: string, extra: Record<string, unknown> = {}) =>
      TaskInput.fromObject({
        step,
        returnId: JsonPath.stringAt('$.returnId'),
        applicationId: JsonPath.stringAt('$.applicationId'),
        ...extra,
      });
    // A state gives up a little after the function's own timeout, so a retry never overlaps a live attempt.
    const stateTimeout = Timeout.duration(Duration.seconds(120 + 30));
    const retryEverythingElse = { interval: Duration.seconds(2), backoffRate: 2 };
    const task = (name: string, step: string, lambdaFunction: IFunction = stepFn) => {
      const t = new LambdaInvoke(this, name, {
        lambdaFunction,
        payloadResponseOnly: true,
        payload: stepInput(step),
        resultPath: JsonPath.DISCARD,
        retryOnServiceExceptions: false,
        taskTimeout: stateTimeout,
      });
      t.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
      t.addRetry({ errors: ['States.ALL'], ...retryEverythingElse, maxAttempts: 4 });
      return t;
    };

    const failTask = new LambdaInvoke(this, 'FailReturn', {
      lambdaFunction: stepFn,
      payloadResponseOnly: true,
      payload: stepInput('fail', { error: JsonPath.objectAt('$.error') }),
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: false,
      taskTimeout: stateTimeout,
    });
    failTask.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
    failTask.addRetry({ errors: ['States.ALL'], ...retryEverythingElse, maxAttempts: 6 });
    const failed = failTask.next(
      new Fail(this, 'Failed', { error: 'ReturnFailed', causePath: '$.error.Cause' }),
    );

    // Paper: parked on a task token until finance confirms the invoice arrived (a timeout is not retried).
    const awaitArrival = new LambdaInvoke(this, 'AwaitArrival', {
      lambdaFunction: stepFn,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: stepInput('await-arrival', { taskToken: JsonPath.taskToken }),
      resultPath: JsonPath.DISCARD,
      taskTimeout: Timeout.duration(props.arrivalTimeout ?? Duration.days(30)),
      retryOnServiceExceptions: false,
    });
    awaitArrival.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
    awaitArrival.addRetry({ errors: ['States.Timeout'], maxAttempts: 0 });
    awaitArrival.addRetry({ errors: ['States.ALL'], ...retryEverythingElse, maxAttempts: 4 });

    const issue = task('IssueRedLetter', 'issue-red-letter', props.pdfFunction);
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

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromChainable(definition),
      tracingEnabled: true,
      logs: {
        destination: new LogGroup(this, 'Logs', {
          retention: RetentionDays.ONE_MONTH,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
    });
    for (const fn of [stepFn, props.pdfFunction]) {
      const logicalId = Stack.of(this).getLogicalId(fn.node.defaultChild as CfnElement);
      Validations.of(this).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
        reason: 'Step Functions may invoke any version or alias of its own task function.',
      });
    }
  }
}
