import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { FACT_ITEMS, METRICS_NAMESPACE } from '#domain/table-facts';
import { matchesPattern } from '../../scripts/local/streams.ts';
import { sharedTemplate } from '../support/infra-template.ts';
import {
  CDK_CONTEXT,
  type CfnResource,
  flattenIntrinsics,
  iamPolicies,
  type Json,
  resources,
} from './helpers.ts';

const stage = String(CDK_CONTEXT['invoice:stage']);
const runbooks = readFileSync(new URL('../../docs/runbooks.md', import.meta.url), 'utf8');

let template: Template;
beforeAll(() => {
  template = sharedTemplate();
});

const alarms = () => Object.values(resources(template, 'AWS::CloudWatch::Alarm'));
const alarmNamed = (anchor: string): CfnResource => {
  const found = alarms().filter((a) => a.Properties.AlarmName === `invoice-${stage}-${anchor}`);
  expect(found, anchor).toHaveLength(1);
  return found[0]!;
};
/** The metrics an alarm's metric math names: namespace, metric name and dimensions, flattened. */
const metricsOf = (alarm: CfnResource) =>
  ((alarm.Properties.Metrics as Json[] | undefined) ?? [])
    .filter((m) => m.MetricStat)
    .map((m) => {
      const metric = (m.MetricStat as Json).Metric as Json;
      return {
        namespace: metric.Namespace as string,
        name: metric.MetricName as string,
        dimensions: Object.fromEntries(
          ((metric.Dimensions as Json[]) ?? []).map((d) => [d.Name, flattenIntrinsics(d.Value)]),
        ),
      };
    });
const logicalIdOf = (type: string, prefix: string) => {
  const ids = Object.keys(resources(template, type)).filter((id) => id.startsWith(prefix));
  expect(ids, prefix).toHaveLength(1);
  return ids[0]!;
};

/** Every alarm the issue asks for: its runbook anchor, threshold and evaluation. */
const EXPECTED: { anchor: string; threshold: number; periods: number; period: number }[] = [
  { anchor: 'workflow-executions-failed', threshold: 1, periods: 1, period: 300 },
  { anchor: 'api-5xx-rate', threshold: 1, periods: 3, period: 300 },
  { anchor: 'api-latency-p99', threshold: 2000, periods: 3, period: 300 },
  { anchor: 'dead-letter-queue', threshold: 1, periods: 1, period: 300 },
  { anchor: 'dynamodb-throttled', threshold: 1, periods: 2, period: 300 },
  { anchor: 'deadline-breached', threshold: 1, periods: 1, period: 3600 },
  { anchor: 'monthly-run-overdue', threshold: 1, periods: 1, period: 3600 },
];

describe('operations (issue 16): alarms', () => {
  it.each(EXPECTED)(
    '$anchor: threshold $threshold over $periods period(s) of $period s, to the alarm topic, with its runbook',
    ({ anchor, threshold, periods, period }) => {
      const alarm = alarmNamed(anchor);
      expect(alarm.Properties).toMatchObject({
        Threshold: threshold,
        EvaluationPeriods: periods,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
      const periodOf =
        alarm.Properties.Period ?? ((alarm.Properties.Metrics as Json[])[0]!.MetricStat as Json)?.Period;
      const periods_ = [
        periodOf,
        ...((alarm.Properties.Metrics as Json[] | undefined) ?? []).map(
          (m) => (m.MetricStat as Json | undefined)?.Period ?? m.Period,
        ),
      ].filter((p) => p !== undefined);
      expect(new Set(periods_)).toEqual(new Set([period]));
      expect(alarm.Properties.AlarmActions).toEqual([
        { Ref: logicalIdOf('AWS::SNS::Topic', 'OperationsAlarms') },
      ]);
      expect(alarm.Properties.AlarmDescription).toContain(`${CDK_CONTEXT['invoice:runbookUrl']}#${anchor}`);
    },
  );

  it('every alarm links to a section of docs/runbooks.md that exists', () => {
    const anchors = [...runbooks.matchAll(/^<a id="([a-z0-9-]+)"><\/a>$/gm)].map((m) => m[1]);
    for (const alarm of alarms()) {
      const link = /#([a-z0-9-]+)$/.exec(String(alarm.Properties.AlarmDescription))?.[1];
      expect(anchors, String(alarm.Properties.AlarmName)).toContain(link);
    }
  });

  it('workflows: failed and timed-out executions of every machine, aborted ones but for applications (cancellations)', () => {
    const metrics = metricsOf(alarmNamed('workflow-executions-failed'));
    const machines = Object.entries(resources(template, 'AWS::StepFunctions::StateMachine')).map(
      ([id, m]) => [id, String(m.Properties.StateMachineName)] as const,
    );
    expect(machines.map(([, name]) => name).sort()).toEqual(
      ['applications', 'monthly', 'returns'].map((m) => `invoice-${m}-${stage}`),
    );
    for (const [id, name] of machines) {
      const names = metrics
        .filter((m) => m.namespace === 'AWS/States' && m.dimensions.StateMachineArn === `\${Ref:${id}}`)
        .map((m) => m.name)
        .sort();
      expect(names, name).toEqual(
        name.startsWith('invoice-applications-')
          ? ['ExecutionsFailed', 'ExecutionsTimedOut']
          : ['ExecutionsAborted', 'ExecutionsFailed', 'ExecutionsTimedOut'],
      );
    }
  });

  it('API: 5xx as a share of at least 20 requests, and p99 latency, of the API and stage', () => {
    const rate = alarmNamed('api-5xx-rate');
    const expression = (rate.Properties.Metrics as Json[]).find((m) => m.Expression)!.Expression;
    expect(expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(metricsOf(rate).map((m) => [m.name, m.dimensions])).toEqual([
      ['5XXError', { ApiName: 'invoice-service', Stage: stage }],
      ['Count', { ApiName: 'invoice-service', Stage: stage }],
    ]);
    expect(rate.Properties.DatapointsToAlarm).toBe(2);
    const latency = alarmNamed('api-latency-p99').Properties;
    expect(latency).toMatchObject({
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      ExtendedStatistic: 'p99',
      Dimensions: [
        { Name: 'ApiName', Value: 'invoice-service' },
        { Name: 'Stage', Value: stage },
      ],
    });
  });

  it('Lambda: errors and throttles of every function, each exactly once, ≤ 10 metrics per alarm', () => {
    const lambdaAlarms = alarms().filter((a) => String(a.Properties.AlarmName).includes('-lambda-errors-'));
    const seen: string[] = [];
    for (const alarm of lambdaAlarms) {
      const metrics = metricsOf(alarm);
      expect(metrics.length).toBeLessThanOrEqual(10);
      expect(alarm.Properties).toMatchObject({ Threshold: 5, EvaluationPeriods: 1 });
      for (const m of metrics) {
        expect(m.namespace).toBe('AWS/Lambda');
        seen.push(`${m.dimensions.FunctionName} ${m.name}`);
      }
    }
    const functions = Object.keys(resources(template, 'AWS::Lambda::Function'));
    expect(seen.sort()).toEqual(
      functions.flatMap((id) => [`\${Ref:${id}} Errors`, `\${Ref:${id}} Throttles`]).sort(),
    );
  });

  it('the audit recorder’s dead-letter queue holding any message', () => {
    const metrics = metricsOf(alarmNamed('dead-letter-queue'));
    expect(metrics).toEqual([
      {
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `\${GetAtt:${logicalIdOf('AWS::SQS::Queue', 'AuditFailures')}.QueueName}` },
      },
    ]);
  });

  it('DynamoDB: read and write throttles of the table and write throttles of both indexes', () => {
    const table = `\${Ref:${logicalIdOf('AWS::DynamoDB::Table', 'DataTable')}}`;
    expect(metricsOf(alarmNamed('dynamodb-throttled')).map((m) => [m.name, m.dimensions])).toEqual([
      ['ReadThrottleEvents', { TableName: table }],
      ['WriteThrottleEvents', { TableName: table }],
      ['WriteThrottleEvents', { TableName: table, GlobalSecondaryIndexName: 'gsi1' }],
      ['WriteThrottleEvents', { TableName: table, GlobalSecondaryIndexName: 'gsi2' }],
    ]);
  });

  it.each([
    ['deadline-breached', 'DeadlinesBreached'],
    ['monthly-run-overdue', 'MonthlyRunOverdue'],
  ])('%s: the service’s own metric %s', (anchor, metric) => {
    expect(alarmNamed(anchor).Properties).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      MetricName: metric,
      Statistic: 'Sum',
      Dimensions: [{ Name: 'service', Value: 'invoice-service' }],
    });
  });

  it('the topic enforces TLS and has the finance and engineers e-mail subscribers of the settings', () => {
    const emails = CDK_CONTEXT['invoice:alarmEmails'] as { finance: string[]; engineers: string[] };
    const subscriptions = Object.values(resources(template, 'AWS::SNS::Subscription'));
    expect(subscriptions.map((s) => [s.Properties.Protocol, s.Properties.Endpoint]).sort()).toEqual(
      [...emails.finance, ...emails.engineers].map((e) => ['email', e]).sort(),
    );
    const policy = Object.values(resources(template, 'AWS::SNS::TopicPolicy'))[0]!;
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });
});

describe('operations (issue 16): the table-facts consumer and the dashboard', () => {
  const factsMapping = () => {
    const found = Object.values(resources(template, 'AWS::Lambda::EventSourceMapping')).filter((m) =>
      JSON.stringify(m.Properties.FunctionName).includes('OperationsTableFacts'),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('is the stream’s second reader, with bounded retries and then the dead-letter queue', () => {
    expect(Object.keys(resources(template, 'AWS::Lambda::EventSourceMapping'))).toHaveLength(2);
    expect(factsMapping().Properties).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 20,
    });
    const destination = JSON.stringify((factsMapping().Properties.DestinationConfig as Json).OnFailure);
    expect(destination).toContain('AuditFailures');
  });

  it('writes to the table only the markers of published events (issue 14)', () => {
    const statements = Object.values(iamPolicies(template))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('OperationsTableFacts'))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);
    const writes = statements.filter(
      (s) => s.Effect === 'Allow' && [s.Action].flat().includes('dynamodb:PutItem'),
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]!.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVENT#*'] },
    });
    expect(statements.some((s) => [s.Action].flat().includes('events:PutEvents'))).toBe(true);
  });

  it('lets through the items facts are read from, and not the audit trail or ledger items', () => {
    const patterns = (
      (factsMapping().Properties.FilterCriteria as Json).Filters as { Pattern: string }[]
    ).map((f) => JSON.parse(f.Pattern) as Record<string, unknown>);
    const passes = (pk: string, sk: string) =>
      patterns.some((p) => matchesPattern(p, { dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } }));
    expect(passes(`${FACT_ITEMS.application.pkPrefix}app_1`, 'APPLICATION')).toBe(true);
    expect(passes(`${FACT_ITEMS.invoice.pkPrefix}inv_1`, 'INVOICE')).toBe(true);
    expect(passes(`${FACT_ITEMS.invoiceReturn.pkPrefix}ret_1`, 'RETURN')).toBe(true);
    expect(passes('MONTHLY#acct-1#2026-12', 'MARKER')).toBe(true);
    expect(passes('MONTHLY_RUN#2026-12', 'RUN')).toBe(true);
    expect(passes('MONTHLY_RUN#2026-12', 'SHARD#01')).toBe(false);
    expect(passes('APPLICATION#app_1', 'ALLOCATIONS#0001')).toBe(false);
    expect(passes('ACCOUNT#acct-1', 'RECORD#r1')).toBe(false);
    // Titles, for their domain events (issue 14); event markers never.
    expect(passes('ACCOUNT#acct-1', 'TITLE#t1')).toBe(true);
    expect(passes('EVENT#0123', 'EVENT')).toBe(false);
    expect(passes('AUDIT#application#app_1', 'ENTRY#1')).toBe(false);
  });

  it('one dashboard with traffic, errors, latency, workflow outcomes, issuing volume and amount, e-mail and the monthly run', () => {
    const dashboards = Object.values(resources(template, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = flattenIntrinsics(dashboards[0]!.Properties.DashboardBody);
    for (const title of [
      'Traffic',
      'Errors',
      'Latency',
      'Workflow outcomes',
      'Issuing volume',
      'Issuing amount',
      'E-mail health',
      'Monthly run',
    ]) {
      expect(body, title).toContain(`"title":"${title}`);
    }
    for (const metric of [
      'ApplicationsAccepted',
      'InvoicesIssued',
      'IssuedAmountFen',
      'EmailsFailed',
      'MonthlyAccountsSkipped',
    ]) {
      expect(body, metric).toContain(metric);
    }
  });
});

describe('operations (issue 16): no function without an error alarm', () => {
  it('fails the synth when a function is made after the Operations construct', async () => {
    const { buildApp } = await import('./helpers.ts');
    const { ServiceFunction } = await import('../../infra/constructs/function-defaults.ts');
    const { app } = buildApp({
      extend: (stack) => {
        new ServiceFunction(stack, 'LateFunction', {
          entry: 'functions/operations/table-facts.ts',
          environment: { TABLE_NAME: 'table', EVENT_BUS_NAME: 'bus' },
        });
      },
    });
    expect(() => app.synth()).toThrow(/LateFunction has no Lambda error alarm/);
  }, 60_000);
});

describe('operations (issue 16): the alarm settings', () => {
  it.each([
    [
      { finance: ['not-an-address'], engineers: [] },
      /alarmEmails.finance must be a list of e-mail addresses/,
    ],
    [{ finance: [] }, /alarmEmails.engineers must be a list of e-mail addresses/],
    ['oncall@example.com', /alarmEmails.finance must be a list/],
  ])('refuses invoice:alarmEmails %o', async (alarmEmails, message) => {
    const { App } = await import('aws-cdk-lib');
    const { readSettings } = await import('../../infra/settings.ts');
    const app = new App({ context: { ...CDK_CONTEXT, 'invoice:alarmEmails': alarmEmails } });
    expect(() => readSettings(app.node)).toThrow(message);
  });

  it('takes no subscriber at all (alarms still fire, to nobody by e-mail)', async () => {
    const { App } = await import('aws-cdk-lib');
    const { readSettings } = await import('../../infra/settings.ts');
    const app = new App({
      context: { ...CDK_CONTEXT, 'invoice:alarmEmails': { finance: [], engineers: [] } },
    });
    expect(readSettings(app.node).alarmEmails).toEqual({ finance: [], engineers: [] });
  });
});
