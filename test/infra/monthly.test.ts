import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { sharedTemplate } from '../support/infra-template.ts';
import {
  type Asl,
  CDK_CONTEXT,
  type CfnResource,
  definitionOf,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  keyPaths,
  resources,
} from './helpers.ts';

let template: Template;
let machine: CfnResource;
let asl: Asl;
const stage = String(CDK_CONTEXT['invoice:stage']);

beforeAll(() => {
  template = sharedTemplate();
  const found = Object.values(resources(template, 'AWS::StepFunctions::StateMachine')).filter(
    (sm) => sm.Properties.StateMachineName === `invoice-monthly-${stage}`,
  );
  expect(found).toHaveLength(1);
  machine = found[0]!;
  asl = definitionOf(machine);
}, 60_000);

describe('monthly run (R31)', () => {
  it('R31 is started by EventBridge Scheduler at 09:00 on the 10th in China time with {}', () => {
    const schedules = Object.values(resources(template, 'AWS::Scheduler::Schedule')).filter(
      (s) => s.Properties.ScheduleExpression === 'cron(0 9 10 * ? *)',
    );
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]!.Properties;
    expect(schedule.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
    const target = schedule.Target as Json;
    expect(target.Input).toBe('{}');
    const [machineId] = Object.entries(resources(template, 'AWS::StepFunctions::StateMachine')).find(
      ([, sm]) => sm === machine,
    )!;
    expect(target.Arn).toEqual({ Ref: machineId });
    // The scheduler's role may start exactly this machine.
    const roleId = (target.RoleArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
    const statements = Object.values(iamPolicies(template))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    expect(statements.map((s) => s.Action)).toEqual(['states:StartExecution']);
    expect(flattenIntrinsics(statements[0]!.Resource)).toMatch(
      new RegExp(`:stateMachine:invoice-monthly-${stage}$`),
    );
  });

  it('R31 fans out with an inline Map over the shards, looping each shard until done, then summarizes', () => {
    expect(machine.Properties.StateMachineType).toBe('STANDARD');
    expect(asl.StartAt).toBe('StartRun');
    expect(asl.States.StartRun?.Next).toBe('ForEachShard');
    const map = asl.States.ForEachShard!;
    expect(map.Type).toBe('Map');
    expect(map.ItemsPath).toBe('$.shards');
    expect(map.MaxConcurrency).toBe(CDK_CONTEXT['invoice:monthlyMaxConcurrency']);
    expect((map.ItemProcessor as { ProcessorConfig: Json }).ProcessorConfig.Mode).toBe('INLINE');
    expect(map.Next).toBe('Summarize');
    const inner = (map.ItemProcessor as Asl).States;
    expect(inner.ProcessShard?.Next).toBe('ShardDone');
    expect(inner.ShardDone?.Default).toBe('ProcessShard');
    expect(inner.ShardDone?.Choices?.[0]?.Next).toBe('ShardFinished');
    for (const state of [asl.States.StartRun!, inner.ProcessShard!, asl.States.Summarize!]) {
      expect(state.Retry?.[0]?.ErrorEquals).toEqual(['States.ALL']);
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
    }
  });

  it('R31 uses only what the local runner executes: JSONPath, no Assign, no ItemReader', () => {
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    const banned = keyPaths(asl).filter((k) =>
      ['Assign', 'ItemReader', 'Arguments', 'Output'].includes(k.key),
    );
    expect(banned).toEqual([]);
  });

  it('R31 the shard task may start application workflows and works longer than its page budget', () => {
    const [id, fn] = Object.entries(resources(template, 'AWS::Lambda::Function')).find(([key]) =>
      key.startsWith('MonthlyProcessShardFunction'),
    )!;
    const variables = (fn.Properties.Environment as Json).Variables as Json;
    const budget = Number(variables.MONTHLY_SHARD_SECONDS);
    expect(budget).toBe(CDK_CONTEXT['invoice:monthlyShardSeconds']);
    expect(fn.Properties.Timeout).toBeGreaterThan(budget);
    const statements = Object.values(iamPolicies(template))
      .filter((p) =>
        (p.Properties.Roles as { Ref: string }[]).some(
          (r) => r.Ref === (fn.Properties.Role as any)['Fn::GetAtt'][0],
        ),
      )
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const start = statements.find((s) => s.Action === 'states:StartExecution');
    expect(start, id).toBeDefined();
    expect(flattenIntrinsics(start!.Resource)).toMatch(
      new RegExp(`:stateMachine:invoice-applications-${stage}$`),
    );
  });
});
