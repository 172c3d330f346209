/**
 * The monthly run (R31) over BENCH_MONTHLY_ACCOUNTS (10,000) opted-in accounts on an in-memory
 * local stack running the synthesized template: seeds them over the API (profile, two records
 * on two entities, a title, monthly invoicing on; every 50th has nothing to invoice), starts
 * `invoice-monthly-<stage>` as `npm run monthly` does, and prints accounts/s and the summary.
 * Then checks exactly once: every account with something to invoice has exactly one
 * application, its marker names it, the counters count each account once; and a second
 * execution for the same month changes nothing.
 *
 * The cancellation window is a day here, as on AWS (24:00 of the 10th): the applications'
 * workflows wait in their Wait state, so the figure is that of the run, not of issuing.
 */
import { loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { cpuNow, cpuPer, describeCpu, dynamoDbPid } from './cpu.ts';
import { startQuietStack } from './local-stack.ts';

const LOCAL = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
const MONTH = '2031-06';
const EMPTY_EVERY = 50;

export interface MonthlyFigures {
  accounts: number;
  seconds: number;
  perSecond: number;
  summary: Record<string, unknown>;
  violations: string[];
}

export async function benchMonthly(
  count = Number(process.env.BENCH_MONTHLY_ACCOUNTS ?? 10_000),
): Promise<MonthlyFigures> {
  const { stack, stop } = await startQuietStack('invoice-bench-monthly-', {
    CANCEL_WINDOW: 'PT24H',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...(process.env.BENCH_MONTHLY_CONCURRENCY
      ? { MONTHLY_ACCOUNT_CONCURRENCY: process.env.BENCH_MONTHLY_CONCURRENCY }
      : {}),
  });
  try {
    const tableName = stack.template.tables[0]!.tableName;
    const machine = stack.template.stateMachines.find((m) => m.name.startsWith('invoice-monthly-'))!;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...LOCAL, endpoint: stack.dynamodbEndpoint }),
    );
    const sfn = new SFNClient({ ...LOCAL, endpoint: stack.sfnEndpoint });
    const call = async (
      accountId: string,
      groups: string[],
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const token = await signLocalToken(stack.jwtSecret, { accountId, groups });
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    };

    // Seed
    const ids = Array.from({ length: count }, (_, i) => `bench-m-${String(i).padStart(6, '0')}`);
    const invoiced = ids.filter((_, i) => i % EMPTY_EVERY !== 0);
    const seedStarted = performance.now();
    // The firewall allows 300 writes a minute per token: the billing system signs one per 100 accounts.
    await inParallel(ids, 64, (accountId, index) =>
      call(
        `billing-${Math.floor(index / 100)}`,
        ['billing-system'],
        'PUT',
        `/v1/internal/accounts/${accountId}`,
        {
          region: 'mainland',
          realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
          arrears: 0,
        },
      ),
    );
    const paidAt = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const records = invoiced.flatMap((accountId) => [
      {
        accountId,
        recordId: `${accountId}-a`,
        kind: 'order',
        period: '2031-05',
        paidAt,
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 10_600,
      },
      {
        accountId,
        recordId: `${accountId}-b`,
        kind: 'order',
        period: '2031-05',
        paidAt,
        entity: 'cn-sh-01',
        taxRate: '0.13',
        cashAmount: 11_300,
      },
    ]);
    const batches = Array.from({ length: Math.ceil(records.length / 500) }, (_, i) =>
      records.slice(i * 500, i * 500 + 500),
    );
    await inParallel(batches, 4, (batch) =>
      call('billing-system', ['billing-system'], 'POST', '/v1/internal/billing-records', { records: batch }),
    );
    await inParallel(ids, 64, async (accountId) => {
      const title = await call(accountId, [], 'POST', '/v1/titles', {
        type: 'enterprise-ordinary',
        name: '杭州示例科技有限公司',
        taxId: '91330106MA2H00006X',
      });
      await call(accountId, [], 'PUT', '/v1/account/auto-invoicing', {
        enabled: true,
        titleId: title.titleId,
        delivery: { medium: 'electronic', email: `${accountId}@example.com` },
      });
    });
    console.log(
      `monthly run: seeded ${count} opted-in accounts (${records.length} records) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    // What the seeding left to the stream's consumers (audit, events) is not the run's.
    await stack.streams.drain(600_000);
    await stack.events.drain(600_000);

    // Run, as `npm run monthly -- --month` starts it
    const java = dynamoDbPid(stack.dynamodbEndpoint);
    const cpuBefore = cpuNow(java);
    const started = performance.now();
    const outcome = await runToEnd(sfn, machine.arn, `monthly-${MONTH}`);
    const seconds = (performance.now() - started) / 1000;
    // The consumers' share of the run (its applications' audit entries and events) counts too.
    await stack.streams.drain(600_000);
    await stack.events.drain(600_000);
    const caughtUp = (performance.now() - started) / 1000 - seconds;
    const cpu = cpuPer(cpuBefore, cpuNow(java), count);
    if (outcome.status !== 'SUCCEEDED')
      throw new Error(`run ${outcome.status}: ${outcome.error} ${outcome.cause}`);
    const summary = JSON.parse(outcome.output ?? '{}') as Record<string, unknown>;
    const perSecond = count / seconds;
    console.log(
      `monthly run: ${count} accounts in ${seconds.toFixed(1)} s = ${perSecond.toFixed(0)} accounts/s ` +
        `(64 shards, Map MaxConcurrency ${machine.definition.States && mapConcurrency(machine.definition)}); ` +
        `CPU per account (with the stream's consumers, which caught up ${caughtUp.toFixed(1)} s later): ` +
        `${describeCpu(cpu)}; load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    console.log(`monthly run: summary ${JSON.stringify(summary)}`);

    // Exactly once, also after a second execution for the same month
    const again = await runToEnd(sfn, machine.arn, `monthly-${MONTH}-again`);
    const violations: string[] = [];
    if (again.status !== 'SUCCEEDED') violations.push(`second execution ${again.status}`);
    if (summary.processed !== count) violations.push(`processed ${summary.processed}, expected ${count}`);
    if (summary.created !== invoiced.length)
      violations.push(`created ${summary.created}, expected ${invoiced.length}`);
    if (summary.createdAmount !== invoiced.length * 21_900)
      violations.push(`createdAmount ${summary.createdAmount}, expected ${invoiced.length * 21_900}`);
    if (summary.skipped !== count - invoiced.length)
      violations.push(`skipped ${summary.skipped}, expected ${count - invoiced.length}`);
    const againSummary = JSON.parse(again.output ?? '{}') as Record<string, unknown>;
    if (againSummary.processed !== count || againSummary.created !== invoiced.length)
      violations.push(`after a second execution: ${JSON.stringify(againSummary)}`);
    let applications = 0;
    await inParallel(ids, 64, async (accountId, index) => {
      const { Items } = await db.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}#APPLICATIONS` },
        }),
      );
      const { Item: marker } = await db.send(
        new GetCommand({ TableName: tableName, Key: { pk: `MONTHLY#${accountId}#${MONTH}`, sk: 'MARKER' } }),
      );
      const expected = index % EMPTY_EVERY === 0 ? 0 : 1;
      applications += Items?.length ?? 0;
      if ((Items?.length ?? 0) !== expected) violations.push(`${accountId}: ${Items?.length} applications`);
      if (expected === 1 && marker?.applicationId !== Items?.[0]?.applicationId)
        violations.push(`${accountId}: marker names ${marker?.applicationId}`);
      if (expected === 0 && marker?.status !== 'skipped')
        violations.push(`${accountId}: marker ${marker?.status}`);
    });
    console.log(
      `monthly run: exactly once — ${applications} applications for ${invoiced.length} accounts, ` +
        `${violations.length} violations${violations.length > 0 ? `: ${violations.slice(0, 5).join('; ')}` : ''}`,
    );
    return { accounts: count, seconds, perSecond, summary, violations };
  } finally {
    await stop();
  }
}

function mapConcurrency(definition: Record<string, unknown>): unknown {
  const states = definition.States as Record<string, { Type?: string; MaxConcurrency?: number }>;
  return Object.values(states).find((s) => s.Type === 'Map')?.MaxConcurrency;
}

async function runToEnd(sfn: SFNClient, stateMachineArn: string, name: string) {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ month: MONTH }) }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  run: (item: T, index: number) => Promise<unknown>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await run(items[index]!, index);
      }
    }),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchMonthly();
  process.exitCode = figures.violations.length > 0 ? 1 : 0;
}
