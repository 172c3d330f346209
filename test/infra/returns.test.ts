import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTemplate } from '../support/infra-template.ts';
import {
  type Asl,
  apiMethods,
  definitionOf,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  keyPaths,
  resources,
} from './helpers.ts';

let template: Template;
let asl: Asl;
const stage = 'dev';

beforeAll(() => {
  template = sharedTemplate();
  const machines = Object.values(resources(template, 'AWS::StepFunctions::StateMachine')).filter(
    (m) => m.Properties.StateMachineName === `invoice-returns-${stage}`,
  );
  expect(machines).toHaveLength(1);
  asl = definitionOf(machines[0]!);
}, 60_000);

const statements = () =>
  Object.entries(iamPolicies(template)).flatMap(([id, policy]) =>
    (policy.Properties.PolicyDocument as { Statement: Json[] }).Statement.map((s) => ({ id, s })),
  );

/** The policy of the function behind an API method (its integration's function, that function's role). */
const policyOfRoute = (route: string): string => {
  const method = apiMethods(template).find((m) => m.route === route);
  expect(method, route).toBeDefined();
  const uri = flattenIntrinsics((method!.properties.Integration as Json).Uri);
  const fnId = /\$\{GetAtt:(\w+)\.Arn\}/.exec(uri)?.[1];
  const fn = resources(template, 'AWS::Lambda::Function')[fnId ?? ''];
  expect(fn, `${route} integrates a function of the stack`).toBeDefined();
  const roleId = (fn!.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0];
  const policies = Object.entries(iamPolicies(template)).filter(([, p]) =>
    (p.Properties.Roles as Json[]).some((r) => r.Ref === roleId),
  );
  expect(policies, `${route}: one policy`).toHaveLength(1);
  return policies[0]![0];
};

describe('R34 the returns state machine', () => {
  it('R34 is a Standard machine in JSONPath only: no Assign, no JSONata, no ItemReader', () => {
    // Assess
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    const keys = keyPaths(asl).map((k) => k.key);
    expect(keys).not.toContain('Assign');
    expect(keys).not.toContain('ItemReader');
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `invoice-returns-${stage}`,
      StateMachineType: 'STANDARD',
    });
  });

  it('R34 paper returns wait for the arrival token; then red-letter → ledger → e-mail → optional reissue', () => {
    // Assess
    expect(asl.StartAt).toBe('MailedBack');
    expect(asl.States.AwaitArrival!.Resource).toMatch(/lambda:invoke\.waitForTaskToken$/);
    expect(asl.States.AwaitArrival!.Next).toBe('IssueRedLetter');
    expect(asl.States.IssueRedLetter!.Next).toBe('RestoreLedger');
    expect(asl.States.RestoreLedger!.Next).toBe('DeliverRedLetter');
    expect(asl.States.DeliverRedLetter!.Next).toBe('ReissueRequested');
    expect(asl.States.Reissue!.Next).toBe('Done');
  });

  it('R34 every step retries with backoff except permanent errors, and catches into FailReturn', () => {
    // Assess
    for (const name of ['AwaitArrival', 'IssueRedLetter', 'RestoreLedger', 'DeliverRedLetter', 'Reissue']) {
      const state = asl.States[name]!;
      expect(state.Retry![0], name).toMatchObject({ ErrorEquals: ['PermanentTaskError'], MaxAttempts: 0 });
      expect(state.Retry!.at(-1), name).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 4 });
      expect(state.Catch, name).toEqual([
        { ErrorEquals: ['States.ALL'], Next: 'FailReturn', ResultPath: '$.error' },
      ]);
    }
    expect(asl.States.AwaitArrival!.Retry!.map((r) => r.ErrorEquals[0])).toContain('States.Timeout');
    expect(asl.States.FailReturn!.Catch).toBeUndefined();
    expect(asl.States.FailReturn!.Next).toBe('Failed');
  });

  it('R34 only the return route’s function and the sweeper (invariant 4) may start it; only the arrival route’s and the step function may resume it', () => {
    // Prepare
    const arn = new RegExp(`:stateMachine:invoice-returns-${stage}$`);
    const start = statements().filter(
      ({ s }) => s.Action === 'states:StartExecution' && arn.test(flattenIntrinsics(s.Resource)),
    );
    const signal = statements().filter(
      ({ s }) =>
        Array.isArray(s.Action) &&
        (s.Action as string[]).includes('states:SendTaskSuccess') &&
        arn.test(flattenIntrinsics(s.Resource)),
    );

    const returnRoute = policyOfRoute('POST /v1/invoices/{invoiceId}/returns');
    const arrivalRoute = policyOfRoute('POST /v1/admin/invoices/{invoiceId}/returned');

    // Assess
    expect(start.map(({ id }) => id)).toHaveLength(2);
    expect(start.some(({ id }) => id === returnRoute)).toBe(true);
    expect(start.some(({ id }) => id.startsWith('SweeperStartPending'))).toBe(true);
    expect(signal.map(({ id }) => id).sort()).toHaveLength(2);
    expect(signal.some(({ id }) => id === arrivalRoute)).toBe(true);
    expect(signal.some(({ id }) => id.startsWith('ReturnsStepFunction'))).toBe(true);
  });
});
