import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
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
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface WorkflowProps {
  stateMachineName: string;
  review: IFunction;
  requestReview: IFunction;
  issue: IFunction;
  deliver: IFunction;
  fail: IFunction;
  /** How long finance staff have to decide before the application fails. */
  reviewTimeout: Duration;
}

/** Errors that retrying cannot fix; see shared/domain/workflow-errors.ts. */
const PERMANENT_ERRORS = ['PermanentTaskError'];

/**
 * The application lifecycle (DESIGN.md): wait for the cancellation deadline → review (rule or
 * finance staff via task token) → issue → deliver. JSONPath only, no Assign or JSONata, so the
 * local runner executes this very definition. Tasks return their result directly
 * (payloadResponseOnly) to keep state transitions low: an electronic invoice takes 6 (8 when
 * finance reviews it); the budget is 12. Paper invoices end the execution `issued`: shipping
 * and receipt are recorded over the API, not waited for here.
 */
export class Workflow extends Construct {
  readonly stateMachine: StateMachine;

  /** The ARN built from the fixed name, for functions the state machine itself depends on. */
  static arnFor(scope: Construct, name: string): string {
    return Stack.of(scope).formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const byId = TaskInput.fromObject({ applicationId: JsonPath.stringAt('$.applicationId') });
    // A state gives up a little after the function's own timeout, so a retry never overlaps a live attempt.
    const stateTimeout = (fn: IFunction) =>
      Timeout.duration(
        Duration.seconds((fn as { timeout?: Duration }).timeout?.toSeconds() ?? 60).plus(
          Duration.seconds(30),
        ),
      );
    const task = (name: string, fn: IFunction, resultPath: string | undefined) => {
      const t = new LambdaInvoke(this, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        payload: byId,
        resultPath: resultPath ?? JsonPath.DISCARD,
        retryOnServiceExceptions: false,
        taskTimeout: stateTimeout(fn),
      });
      t.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
      t.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4 });
      return t;
    };

    // Failure handling flags the application before it starts and clears the flag when done, so
    // if it fails past its retries the hourly watch runs it again (invariant 5).
    const failTask = new LambdaInvoke(this, 'FailApplication', {
      lambdaFunction: props.fail,
      payloadResponseOnly: true,
      payload: TaskInput.fromObject({
        applicationId: JsonPath.stringAt('$.applicationId'),
        error: JsonPath.objectAt('$.error'),
      }),
      resultPath: JsonPath.DISCARD,
      retryOnServiceExceptions: false,
      taskTimeout: stateTimeout(props.fail),
    });
    failTask.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
    failTask.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
    });
    const failed = failTask.next(
      new Fail(this, 'Failed', { error: 'ApplicationFailed', causePath: '$.error.Cause' }),
    );

    const wait = new Wait(this, 'WaitForCancellationDeadline', {
      time: WaitTime.timestampPath('$.waitUntil'),
    });
    const review = task('Review', props.review, '$.review');
    const issue = task('IssueInvoices', props.issue, undefined);
    const deliver = task('DeliverInvoices', props.deliver, undefined);
    const requestReview = new LambdaInvoke(this, 'AwaitFinanceDecision', {
      lambdaFunction: props.requestReview,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      payload: TaskInput.fromObject({
        applicationId: JsonPath.stringAt('$.applicationId'),
        taskToken: JsonPath.taskToken,
      }),
      resultPath: '$.decision',
      taskTimeout: Timeout.duration(props.reviewTimeout),
      retryOnServiceExceptions: false,
    });
    // Every error but the review period running out (retrying a States.Timeout would restart
    // the whole period) and permanent ones. A retry issues a new token, stored over the old one.
    requestReview.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
    requestReview.addRetry({ errors: ['States.Timeout'], maxAttempts: 0 });
    requestReview.addRetry({
      errors: ['States.ALL'],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 4,
    });
    for (const t of [review, issue, deliver, requestReview]) t.addCatch(failed, { resultPath: '$.error' });

    const done = new Succeed(this, 'Done');
    issue.next(deliver).next(done);
    requestReview.next(
      new Choice(this, 'RouteByDecision')
        .when(Condition.booleanEquals('$.decision.approved', true), issue)
        .otherwise(new Succeed(this, 'Rejected')),
    );
    const definition = wait
      .next(review)
      .next(
        new Choice(this, 'RouteByReview')
          .when(Condition.stringEquals('$.review.decision', 'cancelled'), new Succeed(this, 'Cancelled'))
          .when(Condition.stringEquals('$.review.decision', 'manual'), requestReview)
          .otherwise(issue),
      );

    this.stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
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
  }
}
