import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../infra/routes.ts';
import { sharedTemplate } from '../support/infra-template.ts';
import { flattenIntrinsics, iamPolicies, type Json, resources } from './helpers.ts';

let template: Template;

beforeAll(() => {
  template = sharedTemplate();
}, 60_000);

const sweeperFunction = () => {
  const found = Object.entries(resources(template, 'AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith('SweeperStartPending'),
  );
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('sweeper (invariant 4)', () => {
  it('invariant 4 runs the sweeper every minute from its own schedule group, retrying nothing', () => {
    // Prepare
    const [fnId] = sweeperFunction();
    const groups = Object.keys(resources(template, 'AWS::Scheduler::ScheduleGroup'));

    // Assess
    expect(groups.length).toBeGreaterThanOrEqual(1);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      GroupName: Match.anyValue(),
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    });
  });

  it('invariant 4 the schedule’s role may invoke exactly the sweeper function, assumed by the scheduler of this account only', () => {
    // Prepare
    const [fnId] = sweeperFunction();
    const schedule = Object.values(resources(template, 'AWS::Scheduler::Schedule')).find((s) =>
      JSON.stringify(s.Properties.Target).includes(fnId),
    )!;
    const roleId = ((schedule.Properties.Target as Json).RoleArn as { 'Fn::GetAtt': string[] })[
      'Fn::GetAtt'
    ][0]!;
    const role = resources(template, 'AWS::IAM::Role')[roleId]!;
    const policies = Object.values(iamPolicies(template)).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    );

    // Assess
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('scheduler.amazonaws.com');
    expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain('aws:SourceAccount');
    const statements = policies.flatMap(
      (p) =>
        (p.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] }).Statement,
    );
    expect(statements).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } }),
    ]);
  });

  it('invariant 4 the sweeper may start executions of the application state machine and use the table', () => {
    // Prepare
    const [fnId, fn] = sweeperFunction();
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const policy = Object.values(iamPolicies(template)).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(roleId),
    )!;
    const statements = JSON.stringify(policy.Properties.PolicyDocument);

    // Assess
    expect(fnId).toMatch(/^SweeperStartPending/);
    expect(statements).toContain('states:StartExecution');
    expect(statements).toMatch(/stateMachine:invoice-applications-/);
    expect(statements).toContain('dynamodb:UpdateItem');
    expect((fn.Properties.Environment as { Variables: Json }).Variables).toMatchObject({
      TABLE_NAME: expect.anything(),
      STATE_MACHINE_ARN: expect.anything(),
    });
  });

  it('invariant 4 the sweeper may start executions of the returns state machine (R34), the one its environment names', () => {
    // Prepare
    const [, fn] = sweeperFunction();
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const statements = Object.values(iamPolicies(template))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const variables = (fn.Properties.Environment as { Variables: Json }).Variables;

    // Act
    const startable = statements
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('states:StartExecution'))
      .flatMap((s) => [s.Resource].flat().map((r) => flattenIntrinsics(r)));

    // Assess
    const returnsArn = flattenIntrinsics(variables.RETURNS_STATE_MACHINE_ARN);
    expect(returnsArn).toMatch(/:stateMachine:invoice-returns-/);
    expect(startable).toContain(returnsArn);
    expect(startable).toContain(flattenIntrinsics(variables.STATE_MACHINE_ARN));
    expect(startable).toHaveLength(2);
  });

  it('R24 only the cancel route may stop executions', () => {
    // Act
    const stoppers = ROUTES.filter((r) => r.uses.includes('workflow-stop')).map(
      (r) => `${r.method} ${r.path}`,
    );

    // Assess
    expect(stoppers).toEqual(['POST /v1/applications/{applicationId}/cancel']);
  });
});
