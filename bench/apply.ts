/**
 * POST /v1/applications on the local stack (in memory, as the tests run it): seeds ACCOUNTS
 * verified accounts with an approved title and RECORDS records each, then fires applications
 * (mode amount, 1 yuan each, accounts in turn) at RATE per second for SECONDS from at most
 * CLIENTS requests in flight over 127.0.0.1, on an open-loop schedule (a request whose turn
 * comes while CLIENTS are busy starts late and its latency counts from when it was due).
 * Prints applications/s achieved, p50/p95/p99 latency and errors. In the same run it measures
 * the raw 4-item TransactWriteItems/s of the same DynamoDB Local (CLIENTS in flight, before and
 * after the load) and prints the ratio, then offers half the sustained maximum for the p99, then
 * profiles applications one at a time: over HTTP, and the use case in this process with every
 * DynamoDB call timed, so what is not the database's own work shows. Last it checks invariant 1
 * on every record, that the records hold exactly what the accepted applications total, and that
 * the ledger aggregates are what the records give.
 * Budget (DESIGN.md): applications/s ≥ 0.6 × raw transactions/s, p99 ≤ 150 ms at half the
 * sustained maximum, zero violations.
 *
 * The cancellation window is an hour here, so the workflows wait in their Wait state: the
 * figures are those of accepting applications, not of issuing them meanwhile.
 * Env: BENCH_RATE, BENCH_SECONDS, BENCH_CLIENTS, BENCH_ACCOUNTS.
 */
import { Agent, request as httpRequest } from 'node:http';
import { loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../scripts/local/jwt.ts';
import type { startLocalStack } from '../scripts/local/stack.ts';
import { type CpuSample, cpuNow, cpuPer, describeCpu, dynamoDbPid } from './cpu.ts';
import { checkDrift } from './drift.ts';
import { runInProcessAgainst, startQuietStack } from './local-stack.ts';
import { seedCustomer } from './seed.ts';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const RECORDS = 20;
const AMOUNT = 100;
const WARM_UP = 600;
const RAW_SECONDS = 5;
const PROFILED = 40;

export interface LoadFigures {
  requested: number;
  accepted: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: Record<string, number>;
}

export interface ApplyFigures extends LoadFigures {
  rawPerSecond: number;
  ratio: number;
  half: LoadFigures;
  violations: string[];
}

export async function benchApply(): Promise<ApplyFigures> {
  const { stack, stop } = await startQuietStack('invoice-bench-apply-', { CANCEL_WINDOW: 'PT1H' });
  try {
    // The firewall limits writes per caller (300 a minute): the billing system seeds under a token per ten accounts.
    const billingFor = (i: number) =>
      signLocalToken(stack.jwtSecret, {
        accountId: `billing-${Math.floor(i / 10)}`,
        groups: ['billing-system'],
      });
    // node:http over kept-alive connections: the load generator shares the machine's CPU with
    // the stack it measures, and fetch costs it several times more per request.
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const call = (token: string, method: string, path: string, body?: unknown) =>
      new Promise<{ status: number; json: { code?: string } | undefined }>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const request = httpRequest(
          `${stack.apiUrl}${path}`,
          {
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload === undefined
                ? {}
                : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: response.statusCode ?? 0, json: text ? JSON.parse(text) : undefined });
            });
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(payload);
      });

    // Seed: accounts, records, titles (ten at a time).
    const seeded: { accountId: string; token: string; titleId: string }[] = [];
    const seedStarted = performance.now();
    for (let i = 0; i < ACCOUNTS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, ACCOUNTS - i) }, async (_, j) => {
          return seedCustomer(call, await billingFor(i), stack.jwtSecret, {
            accountId: `bench-apply-${i + j}`,
            records: RECORDS,
            cashAmount: 1_000_000,
            paidDay: (r) => 1 + r,
          });
        }),
      );
      seeded.push(...batch);
    }
    console.log(
      `seeded ${ACCOUNTS} accounts × ${RECORDS} records in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const apply = (n: number) => {
      const who = seeded[n % seeded.length]!;
      return call(who.token, 'POST', '/v1/applications', {
        mode: 'amount',
        amount: AMOUNT,
        titleId: who.titleId,
        delivery: { medium: 'electronic', email: `${who.accountId}@example.com` },
      });
    };

    // Warm-up, not measured: the create function's cold start, the connections, and DynamoDB
    // Local's JIT (its first thousand requests are several times slower than the rest).
    let warmAccepted = 0;
    for (let i = 0; i < WARM_UP; i += 20) {
      const responses = await Promise.all(Array.from({ length: 20 }, (_, j) => apply(i + j)));
      warmAccepted += responses.filter((r) => r.status === 201).length;
    }
    const table = stack.template.tables[0]!.tableName;
    const java = dynamoDbPid(stack.dynamodbEndpoint);
    const rawCpu: CpuSample[] = [];
    const raw = async () => {
      const before = cpuNow(java);
      const { perSecond, count } = await rawTransactions(stack.dynamodbEndpoint, table, CLIENTS, RAW_SECONDS);
      rawCpu.push(cpuPer(before, cpuNow(java), count));
      return perSecond;
    };
    const rawBefore = await raw();
    let next = WARM_UP;
    const run = async (rate: number) => {
      const figures = await load(apply, next, rate, SECONDS, CLIENTS);
      next += figures.requested;
      return figures;
    };
    const fullCpuBefore = cpuNow(java);
    const full = await run(RATE);
    // What the stream's consumers (audit, events, webhooks) still owe the overload run is
    // drained and counted in its CPU; the raw rate and the half-rate run then start quiet.
    const drainStarted = performance.now();
    await stack.streams.drain(300_000);
    await stack.events.drain(300_000);
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const fullCpu = cpuPer(fullCpuBefore, cpuNow(java), full.accepted);
    const rawAfter = await raw();
    const rawPerSecond = (rawBefore + rawAfter) / 2;
    const ratio = full.perSecond / rawPerSecond;
    describe(`apply at ${RATE}/s offered`, full);
    console.log(`the stream's consumers caught up ${drainSeconds.toFixed(1)} s after the last request`);
    console.log(
      `raw 4-item TransactWriteItems on the same DynamoDB Local (${CLIENTS} in flight): ${rawBefore.toFixed(0)}/s before, ` +
        `${rawAfter.toFixed(0)}/s after → applications/s ÷ raw = ${full.perSecond.toFixed(0)} ÷ ${rawPerSecond.toFixed(0)} = ` +
        `${ratio.toFixed(2)}${ratio >= 0.6 ? '' : '  below 0.6'}`,
    );
    const rawMean = {
      node: (rawCpu[0]!.node + rawCpu[1]!.node) / 2,
      java: (rawCpu[0]!.java + rawCpu[1]!.java) / 2,
    };
    console.log(
      `CPU per accepted application: ${describeCpu(fullCpu)} (Node: gateway, JWT, Lambda workers, Step Functions, ` +
        `stream pollers and the audit function, load generator); per raw transaction: ${describeCpu(rawMean)}; ` +
        `load ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    const halfRate = Math.max(1, Math.round(full.perSecond / 2));
    const half = await run(halfRate);
    describe(
      `apply at ${halfRate}/s offered (half the sustained maximum)`,
      half,
      half.p99 <= 150 ? '' : '  p99 over 150 ms',
    );
    await profile(stack, seeded, apply, next);
    next += 2 * PROFILED;

    // The profile's applications: PROFILED over HTTP and PROFILED in process, five of each to warm up.
    const accepted = warmAccepted + full.accepted + half.accepted + PROFILED * 2 + 10;
    const violations = await checkInvariant1(stack.dynamodbEndpoint, table, seeded, accepted);
    violations.push(
      ...(await checkDrift(
        stack.dynamodbEndpoint,
        table,
        seeded.map((s) => s.accountId),
      )),
    );
    const figures: ApplyFigures = { ...full, rawPerSecond, ratio, half, violations };
    console.log(`invariant 1 and aggregate violations: ${violations.length}`);
    for (const violation of figures.violations.slice(0, 10)) console.log(`  ${violation}`);
    return figures;
  } finally {
    await stop();
  }
}

/** Open loop: `rate` requests per second for `seconds`, at most `clients` in flight. */
async function load(
  apply: (n: number) => Promise<{ status: number; json: { code?: string } | undefined }>,
  first: number,
  rate: number,
  seconds: number,
  clients: number,
): Promise<LoadFigures> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let accepted = 0;
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const started = performance.now();
  const requests: Promise<void>[] = [];
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (inFlight >= clients) await new Promise<void>((r) => waiting.push(r));
    inFlight++;
    requests.push(
      apply(first + n)
        .then((response) => {
          latencies.push(performance.now() - due);
          if (response.status === 201) accepted++;
          else {
            const key = `${response.status} ${response.json?.code ?? ''}`.trim();
            errors[key] = (errors[key] ?? 0) + 1;
          }
        })
        .catch((error: Error) => {
          errors[error.message] = (errors[error.message] ?? 0) + 1;
        })
        .finally(() => {
          inFlight--;
          waiting.shift()?.();
        }),
    );
  }
  await Promise.all(requests);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return {
    requested: total,
    accepted,
    perSecond: accepted / elapsed,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    errors,
  };
}

function describe(label: string, f: LoadFigures, note = ''): void {
  console.log(
    `${label}: ${f.requested} requests from ≤${CLIENTS} clients over ${ACCOUNTS} accounts → ` +
      `${f.perSecond.toFixed(0)} applications/s accepted; latency p50 ${f.p50.toFixed(0)} ms, ` +
      `p95 ${f.p95.toFixed(0)} ms, p99 ${f.p99.toFixed(0)} ms; errors ${JSON.stringify(f.errors)}${note}`,
  );
}

/**
 * The raw 4-item TransactWriteItems/s of the DynamoDB Local: `clients` loops each writing four
 * fresh items per transaction for `seconds` (after a second of warm-up).
 */
async function rawTransactions(
  endpoint: string,
  tableName: string,
  clients: number,
  seconds: number,
): Promise<{ perSecond: number; count: number }> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  let serial = 0;
  const once = () => {
    const n = serial++;
    return client.send(
      new TransactWriteCommand({
        TransactItems: Array.from({ length: 4 }, (_, i) => ({
          Update: {
            TableName: tableName,
            Key: { pk: `BENCH#RAW#${n}`, sk: `ITEM#${i}` },
            UpdateExpression: 'ADD amount :x',
            ExpressionAttributeValues: { ':x': 1 },
          },
        })),
      }),
    );
  };
  const loop = async (until: number, counter: { n: number }) => {
    while (performance.now() < until) {
      await once();
      counter.n++;
    }
  };
  await Promise.all(Array.from({ length: clients }, () => loop(performance.now() + 1_000, { n: 0 })));
  const counter = { n: 0 };
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, () => loop(started + seconds * 1_000, counter)));
  return { perSecond: counter.n / ((performance.now() - started) / 1000), count: counter.n };
}

/**
 * Where one application's time goes: PROFILED applications one after another over HTTP (API
 * gateway, JWT check, Lambda runtime, handler), then as many through the use case in this
 * process against the same stack, every DynamoDB call timed by a middleware.
 */
async function profile(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  seeded: { accountId: string; titleId: string }[],
  apply: (n: number) => Promise<{ status: number }>,
  first: number,
): Promise<void> {
  // Quiet first (the half-rate run's audit entries and events), then HTTP and in-process calls
  // in turns, so both see the same machine.
  await stack.streams.drain(300_000);
  await stack.events.drain(300_000);
  runInProcessAgainst(stack);
  const { documentClient } = await import('#adapters/dynamodb');
  const { createApplication } = await import('#use-cases/applications');
  const calls = new Map<string, number[]>();
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const started = performance.now();
      try {
        return await next(args);
      } finally {
        const name = context.commandName ?? 'unknown';
        calls.set(name, [...(calls.get(name) ?? []), performance.now() - started]);
      }
    },
    { step: 'initialize', name: 'benchTiming' },
  );
  const http: number[] = [];
  const inProcess: number[] = [];
  for (let i = -5; i < PROFILED; i++) {
    // The first five of each warm the connections and code up; not counted.
    if (i === 0) calls.clear();
    let started = performance.now();
    await apply(first + 5 + i);
    if (i >= 0) http.push(performance.now() - started);
    const who = seeded[(first + PROFILED + 10 + i) % seeded.length]!;
    started = performance.now();
    await createApplication(
      who.accountId,
      {
        mode: 'amount',
        amount: AMOUNT,
        titleId: who.titleId,
        delivery: { medium: 'electronic', email: `${who.accountId}@example.com` },
      },
      undefined,
      new Date(),
    );
    if (i >= 0) inProcess.push(performance.now() - started);
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const database = [...calls.values()].flat().reduce((a, b) => a + b, 0) / PROFILED;
  console.log(
    `one application at a time (${PROFILED} each, medians): over HTTP ${median(http).toFixed(1)} ms; the use case in ` +
      `this process ${median(inProcess).toFixed(1)} ms (DynamoDB calls ${database.toFixed(1)} ms summed, some in parallel; ` +
      `the rest is the Step Functions start and the code); API gateway + JWT + Lambda runtime + handler chain ≈ ` +
      `${Math.max(0, median(http) - median(inProcess)).toFixed(1)} ms${median(http) < median(inProcess) ? ' (within the noise: HTTP was the faster median)' : ''}`,
  );
  for (const [name, times] of calls) {
    console.log(
      `  ${name}: ${(times.length / PROFILED).toFixed(1)} per application, median ${median(times).toFixed(1)} ms, mean ${mean(times).toFixed(1)} ms`,
    );
  }
}

/** Every record: invoiced + reserved + available = cash, none below zero; reserved = what was accepted. */
async function checkInvariant1(
  endpoint: string,
  tableName: string,
  accounts: { accountId: string }[],
  acceptedApplications: number,
): Promise<string[]> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const violations: string[] = [];
  let committed = 0;
  for (const { accountId } of accounts) {
    const { Items } = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': 'RECORD#' },
        ConsistentRead: true,
      }),
    );
    for (const r of Items ?? []) {
      committed += r.reservedAmount + r.invoicedAmount;
      if (r.reservedAmount < 0 || r.invoicedAmount < 0 || r.availableAmount < 0) {
        violations.push(`${r.recordId}: below zero`);
      }
      if (r.reservedAmount + r.invoicedAmount + r.availableAmount !== r.cashAmount) {
        violations.push(
          `${r.recordId}: ${r.invoicedAmount} + ${r.reservedAmount} + ${r.availableAmount} ≠ ${r.cashAmount}`,
        );
      }
    }
  }
  if (committed !== acceptedApplications * AMOUNT) {
    violations.push(
      `records hold ${committed} fen; ${acceptedApplications} accepted applications total ${acceptedApplications * AMOUNT}`,
    );
  }
  return violations;
}
