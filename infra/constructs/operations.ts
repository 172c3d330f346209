import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EVENT_MARKER_PREFIX, TITLE_ITEM } from '../../shared/domain/event-facts.ts';
import {
  FACT_ITEMS,
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  type MetricName,
} from '../../shared/domain/table-facts.ts';
import { ServiceFunction } from './function-defaults.ts';

/** Metric math in an alarm may name at most 10 metrics: Lambda functions go in groups of 5 (errors + throttles). */
const FUNCTIONS_PER_ALARM = 5;

export interface OperationsProps {
  stage: string;
  table: Table;
  /** The stack's settings; the table-facts consumer takes those infra/environment.ts lists. */
  environment: Record<string, string>;
  /** The domain events' bus (issue 14), on which the table-facts consumer puts one event per fact. */
  eventBus: IEventBus;
  /** Where stream batches the table-facts consumer gave up on are recorded (the audit's queue). */
  failures: IQueue;
  /** The table's global secondary indexes (their write throttles count too). */
  indexNames: readonly string[];
  /** The application, returns and monthly state machines, by a short name. */
  stateMachines: Record<'applications' | 'returns' | 'monthly', IStateMachine>;
  /** The REST API's name and stage, as its CloudWatch metrics are dimensioned. */
  api: { name: string; stage: string };
  /** Dead-letter queues operators must drain (the audit recorder's failures). */
  deadLetterQueues: readonly IQueue[];
  /** Where docs/runbooks.md is read (`invoice:runbookUrl`); each alarm links to its section. */
  runbookUrl: string;
  /** Who is told when an alarm fires (`invoice:alarmEmails`). */
  alarmEmails: { finance: readonly string[]; engineers: readonly string[] };
}

/**
 * Operations (issue 16): business metrics from the table's change stream, alarms to one SNS
 * topic, and one dashboard. Built last in the stack, so it sees every ServiceFunction.
 *
 * - The table-facts consumer is the stream's second reader (the audit recorder is the first;
 *   DynamoDB streams allow two per shard). It reads the images of applications, invoices,
 *   returns and the monthly run's items and publishes the facts as metrics (embedded metric
 *   format: log lines, no AWS call). Later consumers of the same facts (domain events) belong
 *   in it, not in a third reader.
 * - Alarms use metric math across functions and state machines, so the stack stays within its
 *   resource budget (≤ 300); each one's description links to its runbook.
 */
export class Operations extends Construct {
  readonly tableFacts: ServiceFunction;
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    // Collected before the table-facts function exists: it calls nothing that could fail but its own code.
    const functions = Stack.of(this)
      .node.findAll()
      .filter((node): node is ServiceFunction => node instanceof ServiceFunction);

    this.tableFacts = new ServiceFunction(this, 'TableFacts', {
      entry: 'functions/operations/table-facts.ts',
      environment: props.environment,
      timeout: Duration.seconds(30),
      memorySize: 256,
    });
    functions.push(this.tableFacts);
    // A function made after this construct would have no error alarm: fail the synth instead.
    this.node.addValidation({
      validate: () =>
        Stack.of(this)
          .node.findAll()
          .filter((node) => node instanceof ServiceFunction && !functions.includes(node))
          .map((node) => `${node.node.path} has no Lambda error alarm: create Operations after it`),
    });
    // Domain events (issue 14): PutEvents on the bus, and the markers that publish each once.
    props.eventBus.grantPutEventsTo(this.tableFacts);
    this.tableFacts.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${EVENT_MARKER_PREFIX}*`] } },
      }),
    );
    const { application, invoice, invoiceReturn, monthlyMarker, monthlyRun } = FACT_ITEMS;
    const item = (keys: { pkPrefix: string; sk: string }) =>
      FilterCriteria.filter({
        dynamodb: {
          Keys: { pk: { S: FilterRule.beginsWith(keys.pkPrefix) }, sk: { S: FilterRule.isEqual(keys.sk) } },
        },
      });
    this.tableFacts.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        // Events must not be lost: a batch is retried (bisected) for a while, then its shard and
        // sequence range go to the dead-letter queue to be replayed; a retry publishes only the
        // events still missing and records the metrics once.
        retryAttempts: 20,
        onFailure: new SqsDlq(props.failures),
        filters: [
          item(application),
          item(invoice),
          item(invoiceReturn),
          item(monthlyRun),
          // Monthly markers: pk MONTHLY#<account>#<month> (MONTHLY_RUN# items are matched above by sk).
          item(monthlyMarker),
          // Titles (approved, rejected): pk ACCOUNT#<account>, sk TITLE#<title>.
          FilterCriteria.filter({
            dynamodb: {
              Keys: {
                pk: { S: FilterRule.beginsWith(TITLE_ITEM.pkPrefix) },
                sk: { S: FilterRule.beginsWith(TITLE_ITEM.skPrefix) },
              },
            },
          }),
        ],
      }),
    );

    this.topic = new Topic(this, 'Alarms', {
      displayName: `Invoice service alarms (${props.stage})`,
      enforceSSL: true,
    });
    for (const email of [...props.alarmEmails.finance, ...props.alarmEmails.engineers]) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
    const action = new SnsAction(this.topic);
    const alarm = (
      alarmId: string,
      name: string,
      description: string,
      metric: IMetric,
      options: {
        threshold: number;
        evaluationPeriods?: number;
        datapointsToAlarm?: number;
        runbook?: string;
      },
    ) => {
      const runbook = options.runbook ?? name;
      const created = new Alarm(this, alarmId, {
        alarmName: `invoice-${props.stage}-${name}`,
        alarmDescription: `${description} Runbook: ${props.runbookUrl}#${runbook}`,
        metric,
        threshold: options.threshold,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };
    const five = Duration.minutes(5);
    const hour = Duration.hours(1);

    // Workflows: executions that failed, timed out or were aborted, each machine's counted apart
    // in one expression. Application executions are aborted by design when a customer cancels
    // (R24, StopExecution), so only the other machines' aborts count.
    const sfn = (machine: IStateMachine, name: string) =>
      new Metric({
        namespace: 'AWS/States',
        metricName: name,
        dimensionsMap: { StateMachineArn: machine.stateMachineArn },
        statistic: 'Sum',
        period: five,
      });
    const { applications, returns, monthly } = props.stateMachines;
    const executionsGoneWrong = new MathExpression({
      label: 'executions failed, timed out or aborted',
      expression: 'af + at + rf + rt + ra + mf + mt + ma',
      usingMetrics: {
        af: sfn(applications, 'ExecutionsFailed'),
        at: sfn(applications, 'ExecutionsTimedOut'),
        rf: sfn(returns, 'ExecutionsFailed'),
        rt: sfn(returns, 'ExecutionsTimedOut'),
        ra: sfn(returns, 'ExecutionsAborted'),
        mf: sfn(monthly, 'ExecutionsFailed'),
        mt: sfn(monthly, 'ExecutionsTimedOut'),
        ma: sfn(monthly, 'ExecutionsAborted'),
      },
      period: five,
    });
    alarm(
      'WorkflowExecutionsAlarm',
      'workflow-executions-failed',
      'An execution of the applications (failed, timed out), returns or monthly state machine (failed, timed out, aborted) ended badly in the last 5 minutes.',
      executionsGoneWrong,
      { threshold: 1 },
    );

    // The API: 5xx rate with at least 20 requests in the period, and p99 latency.
    const apiMetric = (name: string, statistic: string) =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName: name,
        dimensionsMap: { ApiName: props.api.name, Stage: props.api.stage },
        statistic,
        period: five,
      });
    const serverErrorRate = new MathExpression({
      label: '5xx % of requests',
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { errors: apiMetric('5XXError', 'Sum'), requests: apiMetric('Count', 'Sum') },
      period: five,
    });
    alarm(
      'Api5xxAlarm',
      'api-5xx-rate',
      'At least 1 % of API requests were answered 5xx in two of the last three 5-minute periods (with 20 requests or more).',
      serverErrorRate,
      { threshold: 1, evaluationPeriods: 3, datapointsToAlarm: 2 },
    );
    const latencyP99 = apiMetric('Latency', 'p99');
    alarm(
      'ApiLatencyAlarm',
      'api-latency-p99',
      'The API’s p99 latency was 2 seconds or more for three 5-minute periods in a row.',
      latencyP99,
      { threshold: 2000, evaluationPeriods: 3 },
    );

    // Lambda errors and throttles, every function of the stack, in groups of five.
    const lambda = (fn: ServiceFunction, name: string) =>
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: name,
        dimensionsMap: { FunctionName: fn.functionName },
        statistic: 'Sum',
        period: five,
      });
    for (let start = 0, group = 1; start < functions.length; start += FUNCTIONS_PER_ALARM, group++) {
      const members = functions.slice(start, start + FUNCTIONS_PER_ALARM);
      const usingMetrics: Record<string, IMetric> = {};
      members.forEach((fn, i) => {
        usingMetrics[`e${i}`] = lambda(fn, 'Errors');
        usingMetrics[`t${i}`] = lambda(fn, 'Throttles');
      });
      alarm(
        `LambdaErrorsAlarm${group}`,
        `lambda-errors-${group}`,
        `Lambda errors or throttles (at least 5 in 5 minutes) in: ${members.map((fn) => fn.entry).join(', ')}.`,
        new MathExpression({
          label: `errors + throttles, group ${group}`,
          expression: Object.keys(usingMetrics).join(' + '),
          usingMetrics,
          period: five,
        }),
        { threshold: 5, runbook: 'lambda-errors' },
      );
    }

    // Dead-letter queues holding anything.
    const dlqMetrics = Object.fromEntries(
      props.deadLetterQueues.map((queue, i) => [
        `q${i}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: five, statistic: 'Maximum' }),
      ]),
    );
    alarm(
      'DeadLetterAlarm',
      'dead-letter-queue',
      'A dead-letter queue holds a message: a stream batch the audit recorder gave up on.',
      new MathExpression({
        label: 'messages waiting',
        expression: Object.keys(dlqMetrics).join(' + '),
        usingMetrics: dlqMetrics,
        period: five,
      }),
      { threshold: 1 },
    );

    // DynamoDB throttles: the table's reads and writes and its indexes' writes.
    const tableName = props.table.tableName;
    const dynamo = (name: string, index?: string) =>
      new Metric({
        namespace: 'AWS/DynamoDB',
        metricName: name,
        dimensionsMap: index
          ? { TableName: tableName, GlobalSecondaryIndexName: index }
          : { TableName: tableName },
        statistic: 'Sum',
        period: five,
      });
    const throttleMetrics: Record<string, IMetric> = {
      r: dynamo('ReadThrottleEvents'),
      w: dynamo('WriteThrottleEvents'),
    };
    props.indexNames.forEach((index, i) => {
      throttleMetrics[`g${i}`] = dynamo('WriteThrottleEvents', index);
    });
    alarm(
      'DynamoThrottleAlarm',
      'dynamodb-throttled',
      'DynamoDB throttled reads or writes of the service table (or its indexes) in two 5-minute periods in a row.',
      new MathExpression({
        label: 'throttle events',
        expression: Object.keys(throttleMetrics).join(' + '),
        usingMetrics: throttleMetrics,
        period: five,
      }),
      { threshold: 1, evaluationPeriods: 2 },
    );

    // Business signals of our own.
    const business = (name: MetricName, statistic = 'Sum', period = five) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: name,
        dimensionsMap: { service: METRICS_SERVICE },
        statistic,
        period,
      });
    alarm(
      'DeadlineAlarm',
      'deadline-breached',
      'The hourly deadline watch found applications past their expected date (R28) and told finance.',
      business('DeadlinesBreached', 'Sum', hour),
      { threshold: 1 },
    );
    alarm(
      'MonthlyRunAlarm',
      'monthly-run-overdue',
      'The month’s automatic invoicing run (R31) had not completed by 18:00 China time on the 10th.',
      business('MonthlyRunOverdue', 'Sum', hour),
      { threshold: 1 },
    );

    // One dashboard.
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `invoice-service-${props.stage}`,
      defaultInterval: Duration.days(1),
    });
    const width = 8;
    const sumOf = (label: string, entries: Record<string, IMetric>) =>
      new MathExpression({
        label,
        expression: `SUM([${Object.keys(entries).join(', ')}])`,
        usingMetrics: entries,
        period: five,
      });
    const allLambda = (name: string, prefix: string) =>
      Object.fromEntries(functions.map((fn, i) => [`${prefix}${i}`, lambda(fn, name)]));
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Invoice service (${props.stage})\nAlarms and what to do: [runbooks](${props.runbookUrl}). Amounts are in fen.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Traffic: API requests and 4xx / 5xx',
        left: [apiMetric('Count', 'Sum'), apiMetric('4XXError', 'Sum'), apiMetric('5XXError', 'Sum')],
        width,
      }),
      new GraphWidget({
        title: 'Latency: API p50 / p99 (ms)',
        left: [apiMetric('Latency', 'p50'), latencyP99, apiMetric('IntegrationLatency', 'p99')],
        width,
      }),
      new GraphWidget({
        title: 'Errors: Lambda errors and throttles (all functions), DynamoDB throttles, dead letters',
        left: [
          sumOf('Lambda errors', allLambda('Errors', 'le')),
          sumOf('Lambda throttles', allLambda('Throttles', 'lt')),
        ],
        right: [
          new MathExpression({
            label: 'DynamoDB throttle events',
            expression: Object.keys(throttleMetrics).join(' + '),
            usingMetrics: throttleMetrics,
            period: five,
          }),
          new MathExpression({
            label: 'dead letters',
            expression: Object.keys(dlqMetrics).join(' + '),
            usingMetrics: dlqMetrics,
            period: five,
          }),
        ],
        width,
      }),
    );
    const machines = { applications, returns, monthly };
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Workflow outcomes: applications',
        left: [
          business('ApplicationsAccepted'),
          business('ApplicationsIssued'),
          business('ApplicationsRejected'),
          business('ApplicationsCancelled'),
          business('ApplicationsFailed'),
        ],
        width,
      }),
      new GraphWidget({
        title: 'Workflow executions: succeeded / failed, timed out or aborted per machine',
        left: Object.entries(machines).map(([name, machine]) =>
          sfn(machine, 'ExecutionsSucceeded').with({ label: `${name} succeeded` }),
        ),
        right: Object.entries(machines).map(
          ([name, machine]) =>
            new MathExpression({
              label: `${name} failed / timed out / aborted`,
              expression: `${name}F + ${name}T + ${name}A`,
              usingMetrics: {
                [`${name}F`]: sfn(machine, 'ExecutionsFailed'),
                [`${name}T`]: sfn(machine, 'ExecutionsTimedOut'),
                [`${name}A`]: sfn(machine, 'ExecutionsAborted'),
              },
              period: five,
            }),
        ),
        width,
      }),
      new GraphWidget({
        title: 'Time from submission to issued (s): p50 / p99',
        left: [business('SubmitToIssuedSeconds', 'p50'), business('SubmitToIssuedSeconds', 'p99')],
        width,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Issuing volume: invoices, red-letter invoices, returns',
        left: [
          business('InvoicesIssued'),
          business('RedLetterInvoicesIssued'),
          business('ReturnsCompleted'),
          business('ReturnsFailed'),
        ],
        width,
      }),
      new GraphWidget({
        title: 'Issuing amount (fen, tax included)',
        left: [business('IssuedAmountFen')],
        width,
      }),
      new GraphWidget({
        title: 'E-mail health: sent / failed sends, deadline notices',
        left: [business('EmailsSent'), business('EmailsFailed')],
        right: [business('DeadlinesBreached', 'Sum', hour)],
        width,
      }),
    );
    this.dashboard.addWidgets(
      new SingleValueWidget({
        title: 'Monthly run (R31): accounts processed / created / skipped, runs completed, overdue',
        metrics: [
          business('MonthlyAccountsProcessed', 'Sum', Duration.days(1)),
          business('MonthlyAccountsCreated', 'Sum', Duration.days(1)),
          business('MonthlyAccountsSkipped', 'Sum', Duration.days(1)),
          business('MonthlyRunsCompleted', 'Sum', Duration.days(1)),
          business('MonthlyRunOverdue', 'Sum', Duration.days(1)),
        ],
        width: 24,
      }),
    );
  }
}
