/**
 * GET /v1/invoiceable, POST /v1/applications and GET /v1/billing-records for one customer with
 * 50,000 billing records (BENCH_RECORDS), on the local stack (in memory, as the tests run it).
 * Ingests the records through the API in batches of 500, then times:
 * - GET /v1/invoiceable and GET /v1/account from the ledger aggregates,
 * - GET /v1/invoiceable right after a change (a one-record batch arrives before each call),
 * - GET /v1/invoiceable with arrears offset (byEntity reads the newest records as far as they reach),
 * - POST /v1/applications by amount for 1/10 of the invoiceable amount, each followed by a
 *   GET /v1/invoiceable, and by orders over 1,000 named records,
 * - paging GET /v1/billing-records to the end (limit 100), and a rare filter to the end,
 * then checks that the aggregates are what the records give (npm run ledger:repair's check).
 * Budget (DESIGN.md): invoiceable p95 ≤ 50 ms, also right after a change; amount mode p95 ≤ 1 s.
 */
import type { RecordKind } from '#domain/billing-record';
import { checkDrift } from './drift.ts';
import { startBenchStack } from './local-stack.ts';

const RECORDS = Number(process.env.BENCH_RECORDS ?? 50_000);
const BATCH = 500;
const PARALLEL_BATCHES = 2;
const CALLS = 20;
const APPLICATIONS = 5;
const ORDERS_APPLICATIONS = 3;
const ORDERS_PER_APPLICATION = 1_000;
const ACCOUNT = 'bench-50k';
const PROFILE = { region: 'mainland', realName: { type: 'enterprise', name: '杭州示例科技有限公司' } };

export async function benchInvoiceable(): Promise<void> {
  const { stack, customer, billing, call, stop } = await startBenchStack(ACCOUNT, 'invoice-bench-');
  try {
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
    console.log(`invoiceable amount ${first.json.amount} fen; first call ${first.ms.toFixed(0)} ms`);

    const steady: number[] = [];
    for (let i = 0; i < CALLS; i++) steady.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    report('GET /v1/invoiceable, from the aggregates', steady);

    const account: number[] = [];
    for (let i = 0; i < CALLS; i++) account.push((await call(customer, 'GET', '/v1/account')).ms);
    report('GET /v1/account, from the aggregates', account);

    const changed: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      // A billing batch (one new record) arrives right before each call.
      await send([record(RECORDS + i)]);
      changed.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    }
    report('GET /v1/invoiceable, right after a one-record batch', changed);

    await setArrears(3_000_000);
    const offset: number[] = [];
    for (let i = 0; i < CALLS; i++) offset.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    report('GET /v1/invoiceable, 30,000 yuan of arrears offset', offset);
    await setArrears(0);

    const title = await call(customer, 'POST', '/v1/titles', {
      type: 'enterprise-ordinary',
      name: PROFILE.realName.name,
      taxId: '91330106MA2H00006X',
    });
    const apply = (body: Record<string, unknown>) =>
      call(customer, 'POST', '/v1/applications', {
        ...body,
        titleId: title.json.titleId,
        delivery: { medium: 'electronic', email: 'bench@example.com' },
      });
    const tenth = Math.floor((await call(customer, 'GET', '/v1/invoiceable')).json.amount / 10);
    const applied: number[] = [];
    const afterApplying: number[] = [];
    let drawn = 0;
    // Past the function's timeout (a loaded machine) the gateway answers 502: reported, not fatal.
    const failed: string[] = [];
    const attempt = async (body: Record<string, unknown>) => {
      const started = performance.now();
      try {
        return await apply(body);
      } catch (error) {
        failed.push(
          `${(error as Error).message.slice(0, 40)} after ${(performance.now() - started).toFixed(0)} ms`,
        );
        return undefined;
      }
    };
    for (let i = 0; i < APPLICATIONS; i++) {
      const response = await attempt({ mode: 'amount', amount: tenth });
      if (response) {
        applied.push(response.ms);
        drawn += response.json.invoices.reduce((n: number, inv: { amount: number }) => n + inv.amount, 0);
      }
      afterApplying.push((await call(customer, 'GET', '/v1/invoiceable')).ms);
    }
    if (applied.length > 0)
      report(`POST /v1/applications by amount, ${tenth} fen (1/10 of the invoiceable amount)`, applied);
    report('GET /v1/invoiceable, right after each of those', afterApplying);
    // Orders: the newest orders, which drawing by amount (oldest first) has not reached.
    const orders: string[] = [];
    for (let i = RECORDS - 1; orders.length < ORDERS_APPLICATIONS * ORDERS_PER_APPLICATION; i--) {
      if (record(i).kind === 'order' && record(i).fulfilment === 'succeeded') orders.push(record(i).recordId);
    }
    const byOrders: number[] = [];
    for (let i = 0; i < ORDERS_APPLICATIONS; i++) {
      const recordIds = orders.slice(i * ORDERS_PER_APPLICATION, (i + 1) * ORDERS_PER_APPLICATION);
      const response = await attempt({ mode: 'orders', recordIds });
      if (response) byOrders.push(response.ms);
    }
    if (byOrders.length > 0)
      report(`POST /v1/applications by orders, ${ORDERS_PER_APPLICATION} named records`, byOrders);
    if (failed.length > 0) console.log(`  applications failed ${failed.length} times: ${failed.join('; ')}`);
    const after = await call(customer, 'GET', '/v1/invoiceable');
    console.log(`  drawn by amount ${drawn} fen; reserved now ${after.json.formula.reserved} fen`);

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

    const drift = await checkDrift(stack.dynamodbEndpoint, stack.template.tables[0]!.tableName, [ACCOUNT]);
    console.log(`ledger aggregates: ${drift.length === 0 ? 'no drift' : `${drift.length} drifting numbers`}`);
    for (const line of drift.slice(0, 10)) console.log(`  ${line}`);
  } finally {
    await stop();
  }
}

/** A varied ledger: two entities and rates, a few failed orders, recharges and voucher parts. */
function record(i: number) {
  return ledgerRecord(i, ACCOUNT);
}

export function ledgerRecord(i: number, accountId: string) {
  const paid = new Date(Date.UTC(2025, 0, 1) + Math.floor(i / 100) * 3_600_000);
  return {
    accountId,
    recordId: `rec-${String(i).padStart(6, '0')}`,
    kind: (i % 97 === 0 ? 'recharge' : i % 31 === 0 ? 'monthly-bill' : 'order') as RecordKind,
    period: paid.toISOString().slice(0, 7),
    paidAt: paid.toISOString(),
    entity: i % 3 === 0 ? 'cn-sh-01' : 'cn-bj-01',
    taxRate: i % 5 === 0 ? '0.13' : '0.06',
    cashAmount: 1_000 + (i % 1_000),
    voucherAmount: i % 7 === 0 ? 200 : 0,
    fulfilment: (i % 53 === 0 ? 'failed' : 'succeeded') as 'failed' | 'succeeded',
    productName: `云服务器 ECS 按量付费 #${i}`,
  };
}

export function report(label: string, times: number[]): void {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  console.log(
    `${label}: p50 ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (${times.length} calls)`,
  );
}
