import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTemplate } from '../support/infra-template.ts';
import { iamPolicies, type Json, resources } from './helpers.ts';

let template: Template;

beforeAll(() => {
  template = sharedTemplate();
});

type GetAtt = { 'Fn::GetAtt': string[] };

describe('schedules (sweeper, deadline watch, monthly run)', () => {
  it('each schedule has its own group and a role only the scheduler of this account may assume for that group, allowed one action on its one target', () => {
    // Prepare
    const schedules = Object.values(resources(template, 'AWS::Scheduler::Schedule'));
    const roles = resources(template, 'AWS::IAM::Role');
    const policies = Object.values(iamPolicies(template));

    // Assess
    expect(schedules).toHaveLength(3);
    const groups = schedules.map((s) => JSON.stringify(s.Properties.GroupName));
    expect(new Set(groups).size).toBe(3);
    for (const schedule of schedules) {
      const target = schedule.Properties.Target as Json;
      const roleId = (target.RoleArn as GetAtt)['Fn::GetAtt'][0]!;
      const groupId = Object.entries(resources(template, 'AWS::Scheduler::ScheduleGroup')).find(
        ([, group]) => group.Properties.Name === schedule.Properties.GroupName,
      )?.[0];
      expect(groupId).toBeDefined();
      const trust = roles[roleId]!.Properties.AssumeRolePolicyDocument as {
        Statement: { Principal: unknown; Condition: { StringEquals: Json } }[];
      };
      expect(trust.Statement).toHaveLength(1);
      expect(trust.Statement[0]!.Principal).toEqual({ Service: 'scheduler.amazonaws.com' });
      const conditions = trust.Statement[0]!.Condition.StringEquals;
      expect(conditions['aws:SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      expect(conditions['aws:SourceArn']).toEqual({ 'Fn::GetAtt': [groupId, 'Arn'] });

      const statements = policies
        .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
        .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
      expect(statements).toHaveLength(1);
      const [statement] = statements;
      expect(['lambda:InvokeFunction', 'states:StartExecution']).toContain(statement!.Action);
      // One resource, never a wildcard over a function's versions.
      expect(Array.isArray(statement!.Resource)).toBe(false);
      expect(JSON.stringify(statement!.Resource)).not.toContain(':*');
    }
  });
});
