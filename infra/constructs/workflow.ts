import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  Fail,
  JsonPath,
  type StateMachine,
  Succeed,
  TaskInput,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { lambdaStep, standardStateMachine } from './state-machine.ts';

export interface WorkflowProps {
  stateMachineName: string;
  review: IFunction;
  requestReview: IFunction;
  issue: IFunction;
  deliver: IFunction;
  fail: IFunction;
  /** How long finance staff have to decide before the application fails. */
  reviewTimeout: Duration;
  /**
   * Waiting for a tax platform that confirms later (docs/tax-platform.md): each wait on the task
   * token lasts `poll` at most, then the platform is asked again after `interval` (doubling);
   * after `polls` more waits the application fails.
   */
  taxPlatformWait: { poll: Duration; interval: Duration; polls: number };
}

/**
 * The application lifecycle (DESIGN.md): wait for the cancellation deadline → review (rule or
 * finance staff via task token) → issue → deliver. JSONPath only, no Assign or JSONata, so the
 * local runner executes this very definition. Tasks return their result directly
 * (payloadResponseOnly) to keep state transitions low: an electronic invoice takes 6 (8 when
 * finance reviews it); the budget is 12. A tax platform that confirms later adds
 * AwaitTaxPlatform → IssueInvoices (2 more, and one per further poll). Paper invoices end the execution `issued`: shipping
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
    // Every task gets the application and the correlation id it logs under (issue 16).
    const ids = {
      applicationId: JsonPath.stringAt('$.applicationId'),
      correlationId: JsonPath.stringAt('$.correlationId'),
    };
    const byId = TaskInput.fromObject(ids);

    // Failure handling flags the application before it starts and clears the flag when done, so
    // if it fails past its retries the hourly watch runs it again (invariant 5).
    const failed = lambdaStep(this, 'FailApplication', {
      fn: props.fail,
      payload: TaskInput.fromObject({ ...ids, error: JsonPath.objectAt('$.error') }),
      retries: 6,
    }).next(new Fail(this, 'Failed', { error: 'ApplicationFailed', causePath: '$.error.Cause' }));

    const wait = new Wait(this, 'WaitForCancellationDeadline', {
      time: WaitTime.timestampPath('$.waitUntil'),
    });
    // Create starts the workflow before it stores the application (invariant 4): Review gets the
    // whole input (no payload: the state as it is), `acceptBy` included, and waits for an
    // application not stored yet until then.
    const review = lambdaStep(this, 'Review', {
      fn: props.review,
      result: '$.review',
      retries: 4,
      extraRetries: [
        {
          errors: ['ApplicationNotStoredYet'],
          interval: Duration.seconds(2),
          backoffRate: 2,
          // 2 s doubling: 126 s in all, past the 60 s the creator may take.
          maxAttempts: 6,
        },
      ],
    });
    // A tax platform that confirms later (docs/tax-platform.md): IssueInvoices throws
    // TaxPlatformPending (tasks throw named errors, never return a status), caught into a wait on a
    // task token (resumed by the provider's callback, or ended by the timeout, whose Retry asks the
    // platform again with backoff), then IssueInvoices books what was confirmed. The simulator
    // issues at once, so its path is unchanged. A refusal is final.
    const issue = lambdaStep(this, 'IssueInvoices', {
      fn: props.issue,
      payload: byId,
      retries: 4,
      extraRetries: [{ errors: ['TaxPlatformRefused', 'TaxPlatformPending'], maxAttempts: 0 }],
    });
    // The longest the waits and the pauses between them take when nothing resumes them early.
    const { poll, interval, polls } = props.taxPlatformWait;
    const maxWaitSeconds = poll.toSeconds() * (polls + 1) + interval.toSeconds() * (2 ** polls - 1);
    const awaitPlatform = lambdaStep(this, 'AwaitTaxPlatform', {
      fn: props.issue,
      waitForToken: { timeout: poll },
      payload: TaskInput.fromObject({
        ...ids,
        step: 'await-tax-platform',
        taskToken: JsonPath.taskToken,
        maxWaitSeconds,
      }),
      retries: 4,
      extraRetries: [
        { errors: ['TaxPlatformTimeout'], maxAttempts: 0 },
        {
          errors: ['States.Timeout'],
          interval: props.taxPlatformWait.interval,
          backoffRate: 2,
          maxAttempts: props.taxPlatformWait.polls,
        },
      ],
    });
    // Delivery waits on the mail service alone, after the invoices exist and with no later path
    // to the customer: its retries (2 s doubling, six times: 126 s of waiting) outlast a mail
    // outage of a minute (test/faults/mail-outage.test.ts). The e-mail is still sent once.
    const deliver = lambdaStep(this, 'DeliverInvoices', { fn: props.deliver, payload: byId, retries: 6 });
    // Every error but the review period running out and permanent ones is retried. A retry
    // issues a new token, stored over the old one.
    const requestReview = lambdaStep(this, 'AwaitFinanceDecision', {
      fn: props.requestReview,
      waitForToken: { timeout: props.reviewTimeout },
      payload: TaskInput.fromObject({ ...ids, taskToken: JsonPath.taskToken }),
      result: '$.decision',
      retries: 4,
    });
    issue.addCatch(awaitPlatform, { errors: ['TaxPlatformPending'], resultPath: '$.taxPlatform' });
    for (const t of [review, issue, awaitPlatform, deliver, requestReview])
      t.addCatch(failed, { resultPath: '$.error' });

    const done = new Succeed(this, 'Done');
    issue.next(deliver).next(done);
    awaitPlatform.next(issue);
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
          .when(Condition.stringEquals('$.review.decision', 'not-accepted'), new Succeed(this, 'NotAccepted'))
          .when(Condition.stringEquals('$.review.decision', 'manual'), requestReview)
          .otherwise(issue),
      );

    this.stateMachine = standardStateMachine(this, {
      stateMachineName: props.stateMachineName,
      definition,
    });
  }
}
