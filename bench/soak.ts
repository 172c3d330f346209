/**
 * `npm run soak [-- --minutes N --rate R]`: a bounded mixed workload on the local stack (in memory,
 * its own data directory, random ports), then every invariant of docs/DESIGN.md checked on what it
 * left behind.
 *
 * CUSTOMERS verified accounts (each with its own token, since writes are limited per token) apply,
 * preview, cancel, return invoices, list and export CSV; a finance token approves or rejects what
 * waits for review (applications above a lowered review threshold). Operations start on an
 * open-loop schedule at `rate` per second for `minutes` (at most MAX_IN_FLIGHT in flight; the
 * latency of one that starts late counts from when it was due). Afterwards the workflows are given
 * DRAIN_SECONDS to settle, then the checks run:
 * 1. every record: invoiced + reserved + invoiceable = cash, none below zero;
 * 2. per entity, the invoice numbers are exactly 1..counter, each once;
 * 3. every issued application has exactly one invoice per planned invoice, and what the records
 *    hold invoiced equals the invoices (blue less red) of the account;
 * 4. every accepted application ended (issued, delivered, cancelled, rejected, failed) or waits for
 *    finance, and every return finished;
 * 5. what the records hold reserved equals the applications still open: failed, rejected and
 *    cancelled ones hold nothing;
 * 6. spot checks: another customer's application and invoice answer 404, lists hold only own ids.
 * Prints operations by kind, refusals (4xx) and unexpected errors (5xx, network) by code, p50/p99
 * latency per kind and the memory of the stack (this node process, which runs the functions as
 * worker threads, and the DynamoDB Local JVM). Exits 1 on a violation or any unexpected error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { startQuietStack } from './local-stack.ts';
import { seedCustomer } from './seed.ts';

const { values: args } = parseArgs({
  options: { minutes: { type: 'string', default: '10' }, rate: { type: 'string', default: '5' } },
});
const MINUTES = Number(args.minutes);
const RATE = Number(args.rate);
if (!(MINUTES > 0 && MINUTES <= 120) || !(RATE > 0 && RATE <= 50)) {
  console.error('usage: npm run soak -- [--minutes 0<N≤120] [--rate 0<R≤50]');
  process.exit(2);
}
const CUSTOMERS = 20;
const RECORDS = 40;
const RECORD_CASH = 200_000;
/** Lowered so that a share of the applications waits for finance (R25). */
const REVIEW_THRESHOLD = 300_000;
const LARGE = 400_000;
const MAX_IN_FLIGHT = 32;
const DRAIN_SECONDS = 120;
const ENTITIES = ['cn-bj-01', 'cn-sh-01'];
const OPEN = new Set(['submitted', 'in-review', 'issuing']);
const ENDED = new Set(['issued', 'delivered', 'shipped', 'cancelled', 'rejected', 'failed']);
const HOLDS_INVOICES = new Set(['issued', 'delivered', 'shipped']);

/** The mix, by weight. */
const MIX = [
  ['apply', 30],
  ['preview', 12],
  ['cancel', 8],
  ['approve', 7],
  ['reject', 5],
  ['return', 8],
  ['list', 22],
  ['export', 8],
] as const;
type Kind = (typeof MIX)[number][0];

interface Customer {
  accountId: string;
  token: string;
  titleId: string;
  applications: string[];
}
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, read field by field
type Json = any;

/** Deterministic pseudo-random numbers, so a run can be repeated. */
let seed = 13;
const random = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const pick = <T>(items: T[]): T | undefined => items[Math.floor(random() * items.length)];

function rssKb(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The DynamoDB Local JVM: a `java` child of this process. */
function jvmPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === process.pid && comm === 'java') return Number(entry);
    } catch {
      // The process ended while listed.
    }
  }
  return undefined;
}

const mb = (kb: number | undefined) => (kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);

async function soak(): Promise<number> {
  const { stack, stop } = await startQuietStack('invoice-soak-', {
    CANCEL_WINDOW: 'PT3S',
    REVIEW_THRESHOLD_FEN: String(REVIEW_THRESHOLD),
  });
  const java = jvmPid();
  const memory = () => `node ${mb(rssKb(process.pid))}, DynamoDB Local JVM ${java ? mb(rssKb(java)) : 'n/a'}`;
  try {
    const call = async (
      token: string,
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let json: Json;
      try {
        json = text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
      } catch {
        json = text;
      }
      return { status: response.status, json };
    };
    const billing = await signLocalToken(stack.jwtSecret, {
      accountId: 'billing',
      groups: ['billing-system'],
    });
    const finance = await signLocalToken(stack.jwtSecret, { accountId: 'finance', groups: ['finance'] });

    // Seed: accounts with records and an approved title, five at a time.
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, CUSTOMERS - i) }, async (_, j) => {
          const seeded = await seedCustomer(call, billing, stack.jwtSecret, {
            accountId: `soak-${i + j}`,
            records: RECORDS,
            cashAmount: RECORD_CASH,
            paidDay: (r) => 1 + (r % 28),
          });
          return { ...seeded, applications: [] };
        }),
      );
      customers.push(...batch);
    }
    const memoryAtStart = memory();

    const counts: Record<string, number> = {};
    const refusals: Record<string, number> = {};
    const unexpected: Record<string, number> = {};
    const latencies: Record<string, number[]> = {};
    let applyCounter = 0;
    const count = (table: Record<string, number>, key: string) => {
      table[key] = (table[key] ?? 0) + 1;
    };
    const outcome = (kind: string, response: { status: number; json: Json }) => {
      if (response.status < 400) return;
      const key = `${kind} ${response.status} ${response.json?.code ?? ''}`.trim();
      count(response.status >= 500 ? unexpected : refusals, key);
    };
    const applicationBody = (who: Customer, amount: number) => ({
      mode: 'amount',
      amount,
      titleId: who.titleId,
      delivery: { medium: 'electronic', email: `${who.accountId}@example.com` },
    });

    /** One operation; false when there was nothing to do (nothing to cancel, decide or return). */
    const run = async (kind: Kind): Promise<boolean> => {
      const who = pick(customers)!;
      switch (kind) {
        case 'apply': {
          // Some above the review threshold: they wait for finance.
          const amount = random() < 0.15 ? LARGE : 100 + Math.floor(random() * 5_000);
          const response = await call(who.token, 'POST', '/v1/applications', applicationBody(who, amount), {
            'idempotency-key': `soak-${++applyCounter}`,
          });
          outcome(kind, response);
          if (response.status === 201) who.applications.push(response.json.applicationId);
          return true;
        }
        case 'preview':
          outcome(
            kind,
            await call(who.token, 'POST', '/v1/applications/preview', applicationBody(who, 1_000)),
          );
          return true;
        case 'cancel': {
          const id = who.applications.at(-1);
          if (!id) return false;
          outcome(kind, await call(who.token, 'POST', `/v1/applications/${id}/cancel`));
          return true;
        }
        case 'approve':
        case 'reject': {
          // Finance reads what waits and decides on one of them.
          const reviews = await call(finance, 'GET', '/v1/admin/reviews?limit=20');
          outcome(`${kind} (reviews)`, reviews);
          const id = (pick(reviews.json?.applications ?? []) as Json)?.applicationId;
          if (!id) return false;
          const response = await call(
            finance,
            'POST',
            `/v1/admin/applications/${id}/decision`,
            kind === 'approve' ? { approve: true } : { approve: false, reason: '抬头与合同不符' },
          );
          outcome(kind, response);
          return true;
        }
        case 'return': {
          const list = await call(who.token, 'GET', '/v1/invoices?limit=20');
          outcome('return (list)', list);
          const invoice = pick(
            (list.json?.items ?? []).filter((i: Json) => i.kind === 'blue' && i.status === 'issued'),
          ) as Json;
          if (!invoice) return false;
          const response = await call(who.token, 'POST', `/v1/invoices/${invoice.invoiceId}/returns`, {
            reason: 'ISSUE_ERROR',
          });
          outcome(kind, response);
          return true;
        }
        case 'list': {
          const path = random() < 0.5 ? '/v1/applications?limit=20' : '/v1/invoices?limit=20';
          outcome(kind, await call(who.token, 'GET', path));
          return true;
        }
        case 'export':
          outcome(kind, await call(who.token, 'GET', '/v1/invoices/export.csv'));
          return true;
      }
    };

    const weights = MIX.reduce((sum, [, w]) => sum + w, 0);
    const nextKind = (): Kind => {
      let r = random() * weights;
      for (const [kind, weight] of MIX) {
        r -= weight;
        if (r < 0) return kind;
      }
      return 'list';
    };
    const total = Math.round(RATE * MINUTES * 60);
    console.log(
      `soak: ${total} operations at ${RATE}/s for ${MINUTES} min over ${CUSTOMERS} customers; stack memory at start: ${memoryAtStart}`,
    );
    let inFlight = 0;
    const waiting: (() => void)[] = [];
    const started = performance.now();
    const operations: Promise<void>[] = [];
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
      inFlight++;
      const kind = nextKind();
      count(counts, kind);
      operations.push(
        run(kind)
          .then((acted) => {
            if (acted) {
              const list = latencies[kind] ?? [];
              list.push(performance.now() - due);
              latencies[kind] = list;
            } else count(counts, `${kind} (nothing to do)`);
          })
          .catch((error: Error) => count(unexpected, `${kind} ${error.message}`))
          .finally(() => {
            inFlight--;
            waiting.shift()?.();
          }),
      );
      if (n > 0 && n % Math.round(RATE * 60) === 0) {
        console.log(
          `  ${((performance.now() - started) / 60_000).toFixed(1)} min: ${n} operations; ${memory()}`,
        );
      }
    }
    await Promise.all(operations);
    const elapsed = (performance.now() - started) / 1000;
    const memoryAtEnd = memory();

    // Let the workflows settle: every application ends or waits for finance, every return finishes.
    const applicationsOf = async (who: Customer) => listAll(call, who.token, '/v1/applications');
    const invoicesOf = async (who: Customer) => listAll(call, who.token, '/v1/invoices');
    const drainStarted = performance.now();
    let unsettled: string[] = [];
    do {
      unsettled = [];
      for (const who of customers) {
        for (const a of await applicationsOf(who)) {
          if (!ENDED.has(a.status) && a.status !== 'in-review')
            unsettled.push(`${a.applicationId} ${a.status}`);
        }
        for (const i of await invoicesOf(who)) {
          if (i.status === 'returning') unsettled.push(`${i.invoiceId} returning`);
        }
      }
      if (unsettled.length > 0) await new Promise((r) => setTimeout(r, 2_000));
    } while (unsettled.length > 0 && performance.now() - drainStarted < DRAIN_SECONDS * 1000);
    const drained = (performance.now() - drainStarted) / 1000;

    const violations: string[] = [];
    for (const u of unsettled.slice(0, 20))
      violations.push(`invariant 4: not settled after ${DRAIN_SECONDS} s: ${u}`);
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        region: 'us-east-1',
        endpoint: stack.dynamodbEndpoint,
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      }),
    );
    const tableName = stack.template.tables[0]!.tableName;
    const statuses: Record<string, number> = {};
    const invoiceIdsOf = new Map<string, Set<string>>();
    const applicationIdsOf = new Map<string, Set<string>>();
    let returnsCredited = 0;
    for (const who of customers) {
      const applications = await applicationsOf(who);
      const invoices = await invoicesOf(who);
      applicationIdsOf.set(who.accountId, new Set(applications.map((a: Json) => a.applicationId)));
      invoiceIdsOf.set(who.accountId, new Set(invoices.map((i: Json) => i.invoiceId)));
      // Invariant 4: every accepted application is there.
      for (const id of who.applications) {
        if (!applicationIdsOf.get(who.accountId)!.has(id))
          violations.push(`invariant 4: ${id} accepted, not listed`);
      }
      let open = 0;
      for (const a of applications) {
        count(statuses, a.status);
        if (OPEN.has(a.status)) open += a.total;
        if (HOLDS_INVOICES.has(a.status)) {
          // Invariant 3: one invoice per planned invoice, whatever ran twice.
          const planned = (a.invoices as Json[]).map((i) => i.invoiceId).sort();
          const issued = invoices
            .filter((i: Json) => i.applicationId === a.applicationId && i.kind === 'blue')
            .map((i: Json) => i.invoiceId)
            .sort();
          if (JSON.stringify(planned) !== JSON.stringify(issued)) {
            violations.push(
              `invariant 3: ${a.applicationId} planned ${planned.join(',')}, issued ${issued.join(',')}`,
            );
          }
        }
      }
      const invoiced = invoices.reduce((sum: number, i: Json) => sum + i.amount, 0);
      returnsCredited += invoices.filter((i: Json) => i.kind === 'red').length;
      // Invariant 1 on every record, and invariants 3 and 5 on the account's totals.
      const { Items: records = [] } = await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `ACCOUNT#${who.accountId}`, ':prefix': 'RECORD#' },
          ConsistentRead: true,
        }),
      );
      let heldInvoiced = 0;
      let heldReserved = 0;
      for (const r of records) {
        heldInvoiced += r.invoicedAmount;
        heldReserved += r.reservedAmount;
        if (r.reservedAmount < 0 || r.invoicedAmount < 0 || r.availableAmount < 0) {
          violations.push(`invariant 1: ${r.recordId} below zero`);
        }
        if (r.reservedAmount + r.invoicedAmount + r.availableAmount !== r.cashAmount) {
          violations.push(
            `invariant 1: ${r.recordId}: ${r.invoicedAmount} + ${r.reservedAmount} + ${r.availableAmount} ≠ ${r.cashAmount}`,
          );
        }
      }
      if (heldInvoiced !== invoiced) {
        violations.push(
          `invariant 3: ${who.accountId} records invoiced ${heldInvoiced}, invoices total ${invoiced}`,
        );
      }
      if (heldReserved !== open) {
        violations.push(
          `invariant 5: ${who.accountId} records reserved ${heldReserved}, open applications ${open}`,
        );
      }
    }

    // Invariant 2: per entity, the numbers are exactly 1..counter.
    const numbers = new Map<string, number[]>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
      );
      for (const item of page.Items ?? []) {
        if (item.sk !== 'INVOICE') continue;
        const list = numbers.get(item.entity) ?? [];
        list.push(Number(String(item.invoiceNumber).slice(-12)));
        numbers.set(item.entity, list);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    let invoiceCount = 0;
    for (const entity of ENTITIES) {
      const { Item } = await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `COUNTER#INVOICE_NUMBER#${entity}`, sk: 'COUNTER' },
          ConsistentRead: true,
        }),
      );
      const counter = (Item?.sequence as number | undefined) ?? 0;
      const used = (numbers.get(entity) ?? []).sort((a, b) => a - b);
      invoiceCount += used.length;
      if (JSON.stringify(used) !== JSON.stringify(Array.from({ length: counter }, (_, i) => i + 1))) {
        violations.push(
          `invariant 2: ${entity} counter ${counter}, numbers used ${used.length} (not 1..${counter} once each)`,
        );
      }
    }

    // Invariant 6: spot checks between customers.
    let isolationChecks = 0;
    for (let i = 0; i < customers.length; i++) {
      const owner = customers[i]!;
      const other = customers[(i + 1) % customers.length]!;
      const applicationId = pick([...applicationIdsOf.get(owner.accountId)!]);
      const invoiceId = pick([...invoiceIdsOf.get(owner.accountId)!]);
      const probes = [
        applicationId && call(other.token, 'GET', `/v1/applications/${applicationId}`),
        applicationId && call(other.token, 'POST', `/v1/applications/${applicationId}/cancel`),
        invoiceId && call(other.token, 'GET', `/v1/invoices/${invoiceId}`),
        invoiceId && call(other.token, 'GET', `/v1/invoices/${invoiceId}/pdf`),
      ].filter(Boolean);
      for (const probe of await Promise.all(probes)) {
        isolationChecks++;
        if (probe && probe.status !== 404)
          violations.push(`invariant 6: ${other.accountId} got ${probe.status} on ${owner.accountId}'s data`);
      }
      const theirs = applicationIdsOf.get(other.accountId)!;
      for (const id of applicationIdsOf.get(owner.accountId)!) {
        isolationChecks++;
        if (theirs.has(id))
          violations.push(`invariant 6: ${id} listed for ${owner.accountId} and ${other.accountId}`);
      }
    }

    // The figures.
    const pct = (sorted: number[], p: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
    console.log(
      `ran ${total} operations in ${elapsed.toFixed(0)} s (${(total / elapsed).toFixed(2)}/s achieved)`,
    );
    console.log('operations by kind (latency from when due):');
    for (const [kind] of MIX) {
      const sorted = (latencies[kind] ?? []).sort((a, b) => a - b);
      const idle = counts[`${kind} (nothing to do)`];
      console.log(
        `  ${kind.padEnd(8)} ${String(sorted.length).padStart(5)}` +
          (sorted.length > 0
            ? `  p50 ${pct(sorted, 0.5).toFixed(0)} ms, p99 ${pct(sorted, 0.99).toFixed(0)} ms`
            : '') +
          (idle ? `  (${idle} more found nothing to do)` : ''),
      );
    }
    console.log(`expected refusals (4xx): ${JSON.stringify(refusals)}`);
    console.log(`unexpected errors (5xx, network): ${JSON.stringify(unexpected)}`);
    console.log(
      `applications by status: ${JSON.stringify(statuses)}; invoices ${invoiceCount} (${returnsCredited} red-letter)`,
    );
    console.log(
      `settled ${drained.toFixed(0)} s after the last operation; ${isolationChecks} isolation checks`,
    );
    console.log(`stack memory: start ${memoryAtStart}; end ${memoryAtEnd}`);
    console.log(`invariant violations: ${violations.length}`);
    for (const v of violations.slice(0, 30)) console.log(`  ${v}`);
    return violations.length === 0 && Object.keys(unexpected).length === 0 ? 0 : 1;
  } finally {
    await stop();
  }
}

/** Every item of a list, page by page (100 a page). */
async function listAll(
  call: (token: string, method: string, path: string) => Promise<{ status: number; json: Json }>,
  token: string,
  path: string,
): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | undefined;
  do {
    const page = await call(
      token,
      'GET',
      `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`GET ${path}: ${page.status} ${JSON.stringify(page.json)}`);
    items.push(...page.json.items);
    cursor = page.json.nextCursor;
  } while (cursor);
  return items;
}

process.exitCode = await soak();
