/**
 * The ledger aggregates and amount mode for a customer with 200,000 billing records
 * (BENCH_LARGE_RECORDS), on the local stack (in memory): the records are written straight into
 * the table (seedLedgerDirectly: as the upsert stores them, aggregates summed by the ledger
 * repair), since 200,000 over the API would take minutes of the bench for nothing it measures.
 * Times:
 * - GET /v1/invoiceable and GET /v1/account from the aggregates, and right after a change,
 * - POST /v1/applications by amount for 1/10 of the invoiceable amount over HTTP, then the same
 *   through the use case in this process with every DynamoDB call timed (where the time goes),
 * then checks that the aggregates are what the records give.
 * Budget (DESIGN.md): invoiceable p95 ≤ 50 ms, also right after a change; amount mode p95 ≤ 1 s.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { startLocalStack } from '../scripts/local/stack.ts';
import { checkDrift } from './drift.ts';
import { ledgerRecord, report } from './invoiceable.ts';
import { runInProcessAgainst, startBenchStack } from './local-stack.ts';
import { seedLedgerDirectly } from './seed.ts';

const RECORDS = Number(process.env.BENCH_LARGE_RECORDS ?? 200_000);
const CALLS = 20;
const APPLICATIONS = 3;
const PROFILED = 2;
const ACCOUNT = 'bench-200k';
const PROFILE = { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例科技有限公司' } };

export async function benchLarge(): Promise<void> {
  const { stack, customer, billing, call, stop } = await startBenchStack(ACCOUNT, 'invoice-bench-large-');
  try {
    await call(billing, 'PUT', `/v1/internal/accounts/${ACCOUNT}`, { ...PROFILE, arrears: 0 });
    const table = stack.template.tables[0]!.tableName;
    const environment = Object.assign({}, ...stack.template.functions.map((f) => f.environment));
    const seedStarted = performance.now();
    await seedLedgerDirectly(
      stack.dynamodbEndpoint,
      table,
      Number(environment.PAYMENT_SYNC_DAYS),
      Array.from({ length: RECORDS }, (_, i) => ledgerRecord(i, ACCOUNT)),
    );
    console.log(
      `large ledger: seeded ${RECORDS} records straight into the table in ` +
        `${((performance.now() - seedStarted) / 1000).toFixed(1)} s (aggregates by the ledger repair)`,
    );

    const first = await call(customer, 'GET', '/v1/invoiceable');
    console.log(`  invoiceable amount ${first.json.amount} fen; first call ${first.ms.toFixed(0)} ms`);
    const steady: number[] = [];
    for (let i = 0; i < CALLS; i++) steady.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    report(`  GET /v1/invoiceable at ${RECORDS} records, from the aggregates`, steady);
    const account: number[] = [];
    for (let i = 0; i < CALLS; i++) account.push((await call(customer, 'GET', '/v1/account')).ms);
    report(`  GET /v1/account at ${RECORDS} records`, account);
    const changed: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      await call(billing, 'POST', '/v1/internal/billing-records', {
        records: [ledgerRecord(RECORDS + i, ACCOUNT)],
      });
      changed.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    }
    report(`  GET /v1/invoiceable at ${RECORDS} records, right after a one-record batch`, changed);

    const title = await call(customer, 'POST', '/v1/titles', {
      type: 'enterprise-ordinary',
      name: PROFILE.realName.name,
      taxId: '91330106MA2H00006X',
    });
    const body = (amount: number) => ({
      mode: 'amount' as const,
      amount,
      titleId: title.json.titleId as string,
      delivery: { medium: 'electronic' as const, email: 'bench@example.com' },
    });
    // As at 50,000 records (1/10 of the invoiceable amount there): about 5,000 records drawn.
    const amount = Math.floor((first.json.amount / 10) * Math.min(1, 50_000 / RECORDS));
    const applied: number[] = [];
    const after: number[] = [];
    const failed: string[] = [];
    for (let i = 0; i < APPLICATIONS; i++) {
      const started = performance.now();
      try {
        applied.push((await call(customer, 'POST', '/v1/applications', body(amount))).ms);
      } catch (error) {
        // Past the function's timeout the gateway answers 502; the sweeper releases what was reserved.
        failed.push(
          `${(error as Error).message.slice(0, 40)} after ${(performance.now() - started).toFixed(0)} ms`,
        );
      }
      after.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    }
    if (applied.length > 0) report(`  POST /v1/applications by amount, ${amount} fen`, applied);
    if (failed.length > 0)
      console.log(`  POST /v1/applications by amount failed ${failed.length} times: ${failed.join('; ')}`);
    report(`  GET /v1/invoiceable at ${RECORDS} records, right after each of those`, after);
    await profileAmountMode(stack, ACCOUNT, body(amount));

    const drift = await checkDrift(stack.dynamodbEndpoint, table, [ACCOUNT]);
    console.log(
      `  ledger aggregates: ${drift.length === 0 ? 'no drift' : `${drift.length} drifting numbers`}`,
    );
    for (const line of drift.slice(0, 10)) console.log(`    ${line}`);
  } finally {
    await stop();
  }
}

/**
 * One amount-mode application at a time through the use case in this process, against the
 * stack's DynamoDB Local: every DynamoDB call timed by a middleware, so the breakdown shows
 * what is the database's work, how much of it overlaps, and what is the code's.
 */
export async function profileAmountMode(
  stack: Awaited<ReturnType<typeof startLocalStack>>,
  accountId: string,
  body: {
    mode: 'amount';
    amount: number;
    titleId: string;
    delivery: { medium: 'electronic'; email: string };
  },
): Promise<void> {
  runInProcessAgainst(stack);
  const { documentClient } = await import('#adapters/dynamodb');
  const { createApplication } = await import('#use-cases/applications');
  const calls: { name: string; from: number; to: number; items: number }[] = [];
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const from = performance.now();
      try {
        return await next(args);
      } finally {
        const input = args.input as { TransactItems?: unknown[] };
        calls.push({
          name: context.commandName ?? 'unknown',
          from,
          to: performance.now(),
          items: input.TransactItems?.length ?? 0,
        });
      }
    },
    { step: 'initialize', name: 'benchAmountTiming', override: true },
  );
  for (let i = 0; i < PROFILED; i++) {
    calls.length = 0;
    const started = performance.now();
    await createApplication(accountId, body, undefined, new Date());
    const total = performance.now() - started;
    const busy = covered(calls);
    const byName = new Map<string, { n: number; ms: number; items: number }>();
    for (const c of calls) {
      const entry = byName.get(c.name) ?? { n: 0, ms: 0, items: 0 };
      entry.n++;
      entry.ms += c.to - c.from;
      entry.items += c.items;
      byName.set(c.name, entry);
    }
    const writes = calls.filter((c) => c.name === 'TransactWriteItemsCommand');
    const firstWrite = writes[0]?.from ?? started;
    console.log(
      `  amount mode in this process: ${total.toFixed(0)} ms; reading until the first write ${(firstWrite - started).toFixed(0)} ms; ` +
        `DynamoDB busy ${busy.toFixed(0)} ms (calls summed ${calls.reduce((n, c) => n + c.to - c.from, 0).toFixed(0)} ms), ` +
        `no call in flight ${(total - busy).toFixed(0)} ms`,
    );
    for (const [name, { n, ms, items }] of byName) {
      console.log(
        `    ${name}: ${n} calls, ${ms.toFixed(0)} ms summed, ${(ms / n).toFixed(1)} ms each` +
          (items > 0 ? `, ${(items / n).toFixed(0)} items each` : ''),
      );
    }
    // The floor: the same number of transactions of the same size, each item a bare ADD on a
    // fresh key, one after another on the same DynamoDB Local right now.
    const items = writes.map((c) => c.items);
    const bare = (t: number, size: number, run: string) =>
      documentClient.send(
        new TransactWriteCommand({
          TransactItems: Array.from({ length: size }, (_, n) => ({
            Update: {
              TableName: process.env.TABLE_NAME!,
              Key: { pk: `BENCH#FLOOR#${run}#${i}#${t}`, sk: `ITEM#${n}` },
              UpdateExpression: 'ADD amount :x',
              ExpressionAttributeValues: { ':x': 1 },
            },
          })),
        }),
      );
    const rawStarted = performance.now();
    for (const [t, size] of items.entries()) await bare(t, size, 'serial');
    const raw = performance.now() - rawStarted;
    // The same transactions four at a time: whether chunks written side by side would be faster.
    const sideStarted = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let t = next++; t < items.length; t = next++) await bare(t, items[t]!, 'side');
      }),
    );
    const side = performance.now() - sideStarted;
    const writing = writes.reduce((n, c) => n + c.to - c.from, 0);
    console.log(
      `    raw floor: ${items.length} bare transactions of the same sizes (${items.reduce((a, b) => a + b, 0)} items) ` +
        `take ${raw.toFixed(0)} ms here now (${(
          raw /
            Math.max(
              1,
              items.reduce((a, b) => a + b, 0),
            )
        ).toFixed(2)} ms an item); ` +
        `the reservation's transactions took ${writing.toFixed(0)} ms = ${(writing / raw).toFixed(2)} × the floor; ` +
        `four at a time the bare ones take ${side.toFixed(0)} ms (${(side / raw).toFixed(2)} × one by one)`,
    );
  }
}

/** Milliseconds during which at least one call was in flight. */
function covered(calls: { from: number; to: number }[]): number {
  const sorted = [...calls].sort((a, b) => a.from - b.from);
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const { from, to } of sorted) {
    if (from > end) {
      total += to - from;
      end = to;
    } else if (to > end) {
      total += to - end;
      end = to;
    }
  }
  return total;
}
