import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTemplate } from '../support/infra-template.ts';
import {
  type Asl,
  CDK_CONTEXT,
  definitionOf,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  resources,
} from './helpers.ts';

let template: Template;
let asl: Asl;

beforeAll(() => {
  template = sharedTemplate();
  asl = definitionOf(Object.values(resources(template, 'AWS::StepFunctions::StateMachine'))[0]!);
}, 60_000);

const functionIdOf = (entryPrefix: string) => {
  const found = Object.keys(resources(template, 'AWS::Lambda::Function')).find((id) =>
    id.startsWith(entryPrefix),
  );
  expect(found, entryPrefix).toBeDefined();
  return found!;
};

describe('invariant 3: transient errors are retried with backoff at every Task', () => {
  it.each(['Review', 'IssueInvoices', 'DeliverInvoices', 'AwaitFinanceDecision', 'FailApplication'])(
    '%s retries everything else with exponential backoff after the errors it must not retry',
    (name) => {
      const retry = asl.States[name]!.Retry!;
      const last = retry.at(-1)! as Json;
      expect(last).toMatchObject({ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2 });
      expect(last.MaxAttempts).toBeGreaterThanOrEqual(4);
      expect(retry[0]).toEqual({ ErrorEquals: ['PermanentTaskError'], MaxAttempts: 0 });
    },
  );

  it('invariant 3: delivery retries outlast a mail outage of a minute (test/faults/mail-outage.test.ts)', () => {
    const last = asl.States.DeliverInvoices!.Retry!.at(-1)! as Json;
    expect(last).toMatchObject({ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, BackoffRate: 2 });
    const waits = Array.from({ length: Number(last.MaxAttempts) }, (_, i) => 2 * 2 ** i);
    expect(waits.reduce((sum, s) => sum + s, 0)).toBeGreaterThan(60);
  });

  it('R25 the finance review is not restarted when its period runs out (States.Timeout goes to FailApplication)', () => {
    expect(asl.States.AwaitFinanceDecision!.Retry![1]).toEqual({
      ErrorEquals: ['States.Timeout'],
      MaxAttempts: 0,
    });
    expect(asl.States.AwaitFinanceDecision!.TimeoutSeconds).toBe(7 * 24 * 3600);
  });
});

describe('R28 deadline watch and invariant 5 recovery', () => {
  it('R28 runs the watch function hourly in China time through EventBridge Scheduler', () => {
    const watch = functionIdOf('DeadlinesWatchApplications');
    const schedules = Object.values(resources(template, 'AWS::Scheduler::Schedule')).filter((s) =>
      flattenIntrinsics((s.Properties.Target as Json).Arn).includes(watch),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]!.Properties).toMatchObject({
      ScheduleExpression: 'cron(5 * * * ? *)',
      ScheduleExpressionTimezone: 'Asia/Shanghai',
      State: 'ENABLED',
    });
  });

  it('R28 gives the watch the finance mailbox and lets it send mail and write the table', () => {
    // Each function gets only what it reads: the watch the mailbox, delivery the download links' validity.
    const variables = (id: string) =>
      (resources(template, 'AWS::Lambda::Function')[id]!.Properties.Environment as Json).Variables as Json;
    expect(variables(functionIdOf('DeadlinesWatchApplications'))).toMatchObject({
      FINANCE_EMAIL: CDK_CONTEXT['invoice:financeEmail'],
    });
    expect(variables(functionIdOf('DeliverInvoices'))).toMatchObject({
      DOWNLOAD_LINK_SECONDS: String(CDK_CONTEXT['invoice:downloadLinkSeconds']),
    });
    const policies = Object.values(iamPolicies(template)).filter((p) =>
      (p.Properties.Roles as Json[]).some((r) =>
        flattenIntrinsics(r).includes('DeadlinesWatchApplicationsRole'),
      ),
    );
    const actions = policies.flatMap((p) =>
      ((p.Properties.PolicyDocument as Json).Statement as Json[]).flatMap((s) => [s.Action].flat()),
    );
    expect(actions).toEqual(
      expect.arrayContaining(['ses:SendEmail', 'dynamodb:UpdateItem', 'dynamodb:Query']),
    );
  });

  it('R25 lets the review task resume its own token when finance decided first', () => {
    functionIdOf('RequestReview');
    const policies = Object.values(iamPolicies(template)).filter((p) =>
      (p.Properties.Roles as Json[]).some((r) => flattenIntrinsics(r).includes('RequestReviewRole')),
    );
    const actions = policies.flatMap((p) =>
      ((p.Properties.PolicyDocument as Json).Statement as Json[]).flatMap((s) => [s.Action].flat()),
    );
    expect(actions).toContain('states:SendTaskSuccess');
  });
});
