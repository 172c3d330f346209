/**
 * POST /v1/applications on the local stack (in memory, as the tests run it): seeds ACCOUNTS
 * verified accounts with an approved title and RECORDS records each, then fires applications
 * (mode amount, 1 yuan each, accounts in turn) at RATE per second for SECONDS from at most
 * CLIENTS requests in flight over 127.0.0.1, on an open-loop schedule (a request whose turn
 * comes while CLIENTS are busy starts late and its latency counts from when it was due).
 * Prints applications/s achieved, p50/p95/p99 latency and errors, then checks invariant 1 on
 * every record and that the records hold exactly what the accepted applications total.
 * Budget (DESIGN.md): ≥ 200 applications/s sustained, p99 ≤ 100 ms, zero violations.
 *
 * The cancellation window is an hour here, so the workflows wait in their Wait state: the
 * figures are those of accepting applications, not of issuing them meanwhile.
 * Env: BENCH_RATE, BENCH_SECONDS, BENCH_CLIENTS, BENCH_ACCOUNTS.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { startLocalStack } from '../scripts/local/stack.ts';
import { cdkOutDir, synthesizeIfStale } from '../scripts/local/synth.ts';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 64);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 200);
const RECORDS = 20;
const AMOUNT = 100;
const WARM_UP = 600;

export interface ApplyFigures {
  requested: number;
  accepted: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: Record<string, number>;
  violations: string[];
}

export async function benchApply(): Promise<ApplyFigures> {
  await synthesizeIfStale(() => {}).done;
  const dataDir = mkdtempSync(join(tmpdir(), 'invoice-bench-apply-'));
  const stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: true,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    functionEnv: { CANCEL_WINDOW: 'PT1H' },
    quiet: true,
  });
  try {
    const billing = await signLocalToken(stack.jwtSecret, {
      accountId: 'billing',
      groups: ['billing-system'],
    });
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: text ? JSON.parse(text) : undefined };
    };

    // Seed: accounts, records, titles (ten at a time).
    const seeded: { accountId: string; token: string; titleId: string }[] = [];
    const seedStarted = performance.now();
    for (let i = 0; i < ACCOUNTS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, ACCOUNTS - i) }, async (_, j) => {
          const accountId = `bench-apply-${i + j}`;
          const profile = await call(billing, 'PUT', `/v1/internal/accounts/${accountId}`, {
            region: 'mainland',
            realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
            arrears: 0,
          });
          const records = await call(billing, 'POST', '/v1/internal/billing-records', {
            records: Array.from({ length: RECORDS }, (_, r) => ({
              accountId,
              recordId: `${accountId}-o${r}`,
              kind: 'order',
              period: '2026-09',
              paidAt: new Date(Date.UTC(2026, 8, 1 + r)).toISOString(),
              entity: r % 2 === 0 ? 'cn-bj-01' : 'cn-sh-01',
              taxRate: '0.06',
              cashAmount: 1_000_000,
            })),
          });
          const token = await signLocalToken(stack.jwtSecret, { accountId });
          const title = await call(token, 'POST', '/v1/titles', {
            type: 'enterprise-ordinary',
            name: '杭州示例科技有限公司',
            taxId: '91330106MA2H00006X',
          });
          if (profile.status !== 200 || records.status !== 200 || title.status !== 201) {
            throw new Error(
              `seeding ${accountId} failed: ${profile.status} ${records.status} ${title.status}`,
            );
          }
          return { accountId, token, titleId: title.json.titleId as string };
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
    const total = RATE * SECONDS;
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    let accepted = 0;
    let inFlight = 0;
    const waiting: (() => void)[] = [];
    const started = performance.now();
    const requests: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight >= CLIENTS) await new Promise<void>((r) => waiting.push(r));
      inFlight++;
      requests.push(
        apply(WARM_UP + n)
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
    const figures = {
      requested: total,
      accepted,
      perSecond: accepted / elapsed,
      p50: pct(50),
      p95: pct(95),
      p99: pct(99),
      errors,
      violations: await checkInvariant1(
        stack.dynamodbEndpoint,
        stack.template.tables[0]!.tableName,
        seeded,
        accepted + warmAccepted,
      ),
    };
    console.log(
      `apply: ${total} requests at ${RATE}/s target from ≤${CLIENTS} clients over ${ACCOUNTS} accounts in ${elapsed.toFixed(1)} s → ` +
        `${figures.perSecond.toFixed(0)} applications/s accepted; latency p50 ${figures.p50.toFixed(0)} ms, ` +
        `p95 ${figures.p95.toFixed(0)} ms, p99 ${figures.p99.toFixed(0)} ms; errors ${JSON.stringify(errors)}; ` +
        `invariant 1 violations ${figures.violations.length}` +
        (figures.perSecond >= 200 && figures.p99 <= 100 && figures.violations.length === 0
          ? ''
          : '  over budget'),
    );
    for (const violation of figures.violations.slice(0, 10)) console.log(`  ${violation}`);
    return figures;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
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
