/**
 * GET /v1/invoiceable and GET /v1/billing-records for one customer with 50,000 billing records,
 * on the local stack (in memory, as the tests run it). Ingests the records through the API in
 * batches of 500, then times:
 * - GET /v1/invoiceable while the cached snapshot holds (the usual case),
 * - GET /v1/invoiceable computed from every record (after each call a one-record batch arrives),
 * - GET /v1/account (the same amount, from the same cache),
 * - paging GET /v1/billing-records to the end (limit 100), and a rare filter to the end,
 * - POST /v1/applications once, and GET /v1/invoiceable while 200 records are reserved.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { startLocalStack } from '../scripts/local/stack.ts';
import { cdkOutDir, synthesizeIfStale } from '../scripts/local/synth.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const BATCH = 500;
const PARALLEL_BATCHES = 2;
const CALLS = 20;
const ACCOUNT = 'bench-50k';
const PROFILE = { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例科技有限公司' } };

export async function benchInvoiceable(): Promise<void> {
  await synthesizeIfStale(() => {}).done;
  const dataDir = mkdtempSync(join(tmpdir(), 'invoice-bench-'));
  const stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: true,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    functionEnv: { CANCEL_WINDOW: 'PT2S' },
    quiet: true,
  });
  try {
    const customer = await signLocalToken(stack.jwtSecret, { accountId: ACCOUNT });
    const billing = await signLocalToken(stack.jwtSecret, {
      accountId: 'billing',
      groups: ['billing-system'],
    });
    const call = async (token: string, method: string, path: string, body?: unknown) => {
      const started = performance.now();
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, read field by field
      const json = (await response.json()) as any;
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
      return { json, ms: performance.now() - started };
    };
    const setArrears = (arrears: number) =>
      call(billing, 'PUT', `/v1/internal/accounts/${ACCOUNT}`, { ...PROFILE, arrears });

    await setArrears(0);
    const ingestStarted = performance.now();
    const batches = Array.from({ length: Math.ceil(RECORDS / BATCH) }, (_, b) =>
      Array.from({ length: Math.min(BATCH, RECORDS - b * BATCH) }, (_, i) => record(b * BATCH + i)),
    );
    // A billing system resends a batch that failed (the upsert is idempotent); count how often.
    let resent = 0;
    const send = async (records: ReturnType<typeof record>[]) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await call(billing, 'POST', '/v1/internal/billing-records', { records });
        } catch (error) {
          if (attempt === 3) throw error;
          resent++;
        }
      }
    };
    await send(batches[0]!); // the first call starts the function
    for (let i = 1; i < batches.length; i += PARALLEL_BATCHES) {
      await Promise.all(batches.slice(i, i + PARALLEL_BATCHES).map(send));
    }
    const ingestSeconds = (performance.now() - ingestStarted) / 1000;
    console.log(
      `ingested ${RECORDS} records in ${batches.length} batches of ≤${BATCH} (${PARALLEL_BATCHES} in parallel): ` +
        `${ingestSeconds.toFixed(1)} s (${(RECORDS / ingestSeconds).toFixed(0)} records/s), ${resent} batches resent`,
    );

    const first = await call(customer, 'GET', '/v1/invoiceable');
    console.log(
      `invoiceable amount ${first.json.amount} fen; first call (computes and caches) ${first.ms.toFixed(0)} ms`,
    );

    const cached: number[] = [];
    for (let i = 0; i < CALLS; i++) cached.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    report('GET /v1/invoiceable, cached snapshot', cached);

    const account: number[] = [];
    for (let i = 0; i < CALLS; i++) account.push((await call(customer, 'GET', '/v1/account')).ms);
    report('GET /v1/account, cached snapshot', account);

    const computed: number[] = [];
    let failed = 0;
    for (let i = 0; i < CALLS; i++) {
      // A billing batch (one new record) dates the summary: the next request reads every record.
      await send([record(RECORDS + i)]);
      try {
        computed.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
      } catch (error) {
        failed++;
        console.log(`  ${(error as Error).message}`);
      }
    }
    if (computed.length > 0) report('GET /v1/invoiceable, computed from all records', computed);
    if (failed > 0) console.log(`  ${failed} of ${CALLS} calls failed (the function's 10 s timeout)`);

    let pages = 0;
    let seen = 0;
    let cursor: string | undefined;
    const pagingStarted = performance.now();
    const pageTimes: number[] = [];
    do {
      const page = await call(
        customer,
        'GET',
        `/v1/billing-records?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      pageTimes.push(page.ms);
      pages++;
      seen += page.json.items.length;
      cursor = page.json.nextCursor;
    } while (cursor);
    const pagingSeconds = (performance.now() - pagingStarted) / 1000;
    console.log(
      `paged GET /v1/billing-records?limit=100 to the end: ${seen} records, ${pages} pages, ${pagingSeconds.toFixed(1)} s`,
    );
    report('  one page of 100', pageTimes);

    let rarePages = 0;
    let rareSeen = 0;
    cursor = undefined;
    const rareStarted = performance.now();
    do {
      const page = await call(
        customer,
        'GET',
        `/v1/billing-records?invoiceable=false&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      rarePages++;
      rareSeen += page.json.items.length;
      cursor = page.json.nextCursor;
    } while (cursor);
    console.log(
      `paged ?invoiceable=false to the end: ${rareSeen} records, ${rarePages} pages, ` +
        `${((performance.now() - rareStarted) / 1000).toFixed(1)} s`,
    );

    // While applications hold records, the summary reads those records again on every request.
    // Reserve 200 records as an application does (same update, same version bump), directly.
    const table = stack.template.tables[0]!.tableName;
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: stack.dynamodbEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    // The newest records (applying draws the oldest first); not recharges or failed orders.
    const free: string[] = [];
    for (let i = RECORDS - 1; free.length < 200; i -= 37) {
      if (i % 97 !== 0 && i % 53 !== 0) free.push(record(i).recordId);
    }
    for (let i = 0; i < 200; i += 50) {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table,
                Key: { pk: `ACCOUNT#${ACCOUNT}`, sk: 'PROFILE' },
                UpdateExpression: 'ADD ledgerVersion :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
            ...Array.from({ length: 50 }, (_, j) => ({
              Update: {
                TableName: table,
                Key: { pk: `ACCOUNT#${ACCOUNT}`, sk: `RECORD#${free[i + j]}` },
                UpdateExpression: 'ADD reservedAmount :x, availableAmount :minus',
                ConditionExpression: 'availableAmount >= :x',
                ExpressionAttributeValues: { ':x': 500, ':minus': -500 },
              },
            })),
          ],
        }),
      );
    }
    const recompute = await call(customer, 'GET', '/v1/invoiceable');
    const held: number[] = [];
    for (let i = 0; i < CALLS; i++) held.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    console.log(
      `with 200 records reserved: reserved ${recompute.json.formula.reserved} fen; first call ${recompute.ms.toFixed(0)} ms`,
    );
    report('GET /v1/invoiceable, summary + 200 reserved records read again', held);
    // Applying reads every record of the account (the applications use case): time it once.
    const title = await call(customer, 'POST', '/v1/titles', {
      type: 'enterprise-ordinary',
      name: PROFILE.realName.name,
      taxId: '91330106MA2H00006X',
    });
    await setArrears(0);
    try {
      const applied = await call(customer, 'POST', '/v1/applications', {
        mode: 'amount',
        amount: 20_000_000,
        titleId: title.json.titleId,
        delivery: { medium: 'electronic', email: 'bench@example.com' },
      });
      console.log(`POST /v1/applications (amount, reads every record): ${applied.ms.toFixed(0)} ms`);
    } catch (error) {
      console.log(`POST /v1/applications failed: ${(error as Error).message}`);
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A varied ledger: two entities and rates, a few failed orders, recharges and voucher parts. */
function record(i: number) {
  const paid = new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 100) * 3_600_000);
  return {
    accountId: ACCOUNT,
    recordId: `rec-${String(i).padStart(6, '0')}`,
    kind: i % 97 === 0 ? 'recharge' : i % 31 === 0 ? 'monthly-bill' : 'order',
    period: paid.toISOString().slice(0, 7),
    paidAt: paid.toISOString(),
    entity: i % 3 === 0 ? 'cn-sh-01' : 'cn-bj-01',
    taxRate: i % 5 === 0 ? '0.13' : '0.06',
    cashAmount: 1_000 + (i % 1_000),
    voucherAmount: i % 7 === 0 ? 200 : 0,
    fulfilment: i % 53 === 0 ? 'failed' : 'succeeded',
    productName: `云服务器 ECS 按量付费 #${i}`,
  };
}

function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  console.log(
    `${label}: p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${times.length} calls)`,
  );
}
