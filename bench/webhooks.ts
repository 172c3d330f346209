/**
 * Webhook deliveries on the local stack (in memory, as the tests run it): ACCOUNTS accounts
 * register ENDPOINTS endpoints each at a receiver in this process (answering 200 at once),
 * then EVENTS domain events (accounts in turn) are put on the service's bus as the table-facts
 * consumer puts them, BATCH at a time. Each event goes through the bus rule to the webhooks
 * function, which writes a delivery per endpoint, signs and POSTs it. Prints deliveries/s from
 * the first event put to the last delivery received,
 * and checks every delivery arrived once, at its own account's endpoint, with a signature;
 * then puts events at half that rate for BENCH_PACED_SECONDS and prints p50/p95/p99 of the
 * time from an event put to its delivery received.
 * Env: BENCH_EVENTS, BENCH_ACCOUNTS, BENCH_ENDPOINTS, BENCH_BATCH, BENCH_PACED_SECONDS.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { synthesizeIfStale } from '../scripts/local/synth.ts';
import { EVENT_SOURCE } from '../shared/domain/domain-events.ts';
import { startQuietStack } from './local-stack.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 600);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20);
const ENDPOINTS = Number(process.env.BENCH_ENDPOINTS ?? 2);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const WARM_UP = 20;
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 10);

export interface WebhookFigures {
  deliveries: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  problems: string[];
}

export async function benchWebhooks(): Promise<WebhookFigures> {
  await synthesizeIfStale(() => {}).done;
  const received = new Map<string, { at: number; path: string; eventId: string; signed: boolean }[]>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const id = String(req.headers['webhook-id']);
      const list = received.get(id) ?? [];
      list.push({
        at,
        path: req.url ?? '',
        eventId: JSON.parse(Buffer.concat(chunks).toString('utf8')).id,
        signed: /^v1=[0-9a-f]{64}$/.test(String(req.headers['webhook-signature'])),
      });
      received.set(id, list);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  const { stack, stop } = await startQuietStack('invoice-bench-webhooks-');
  try {
    const bus =
      stack.template.eventBuses?.find((b) => b.startsWith(`${EVENT_SOURCE}-`)) ?? `${EVENT_SOURCE}-local`;
    const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `bench-hooks-${i}`);
    for (const accountId of accounts) {
      const token = await signLocalToken(stack.jwtSecret, { accountId });
      for (let e = 0; e < ENDPOINTS; e++) {
        const response = await fetch(`${stack.apiUrl}/v1/webhooks`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ url: `http://127.0.0.1:${port}/${accountId}/${e}`, events: ['*'] }),
        });
        if (response.status !== 201) throw new Error(`register: ${response.status} ${await response.text()}`);
      }
    }

    const putAt = new Map<string, number>();
    const accountOf = new Map<string, string>();
    const put = (n: number) => {
      const accountId = accounts[n % accounts.length]!;
      const detail = {
        id: randomUUID().replaceAll('-', ''),
        type: 'invoice.issued',
        version: 1,
        occurredAt: new Date().toISOString(),
        accountId,
        data: {
          invoiceId: `inv_${n}`,
          invoiceNumber: String(n).padStart(20, '0'),
          applicationId: `app_${n}`,
          amount: 100,
        },
      };
      putAt.set(detail.id, performance.now());
      accountOf.set(detail.id, accountId);
      stack.events.inject({
        Source: EVENT_SOURCE,
        DetailType: detail.type,
        Detail: JSON.stringify(detail),
        EventBusName: bus,
      });
      return detail.id;
    };
    const expected = (events: number) => events * ENDPOINTS;
    const waitForCount = async (count: number) => {
      const deadline = Date.now() + 300_000;
      while ([...received.values()].reduce((s, l) => s + l.length, 0) < count) {
        if (Date.now() > deadline) throw new Error('deliveries did not all arrive within 5 minutes');
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    // Warm-up, not measured: the function's cold start and the connections.
    for (let n = 0; n < WARM_UP; n++) put(n);
    await waitForCount(expected(WARM_UP));
    const warm = new Set(received.keys());

    const started = performance.now();
    for (let n = 0; n < EVENTS; n += BATCH) {
      for (let k = n; k < Math.min(EVENTS, n + BATCH); k++) put(WARM_UP + k);
      await new Promise((r) => setImmediate(r));
    }
    await waitForCount(expected(WARM_UP + EVENTS));
    const seconds = (performance.now() - started) / 1000;

    // Per delivery: once, signed, at an endpoint of the event's account; latency from put to receipt.
    const latencies: number[] = [];
    const problems: string[] = [];
    let measured = 0;
    for (const [deliveryId, list] of received) {
      if (warm.has(deliveryId)) continue;
      measured++;
      const first = list[0]!;
      if (list.length !== 1) problems.push(`${deliveryId} received ${list.length} times`);
      if (!first.signed) problems.push(`${deliveryId} unsigned`);
      const account = accountOf.get(first.eventId);
      if (!account || !first.path.startsWith(`/${account}/`)) problems.push(`${deliveryId} at ${first.path}`);
      latencies.push(first.at - putAt.get(first.eventId)!);
    }
    const percentiles = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
      return { p50: at(50), p95: at(95), p99: at(99) };
    };
    const deliveries = expected(EVENTS);
    if (measured !== deliveries) problems.push(`${measured} distinct deliveries, ${deliveries} expected`);
    const perSecond = deliveries / seconds;

    // Then at half that rate for PACED_SECONDS, open loop: the latency of a delivery when the
    // dispatcher keeps up, from the event put to the POST received.
    const rate = Math.max(1, perSecond / ENDPOINTS / 2);
    const pacedEvents = Math.round(rate * PACED_SECONDS);
    const before = new Set(received.keys());
    const pacedStart = performance.now();
    for (let k = 0; k < pacedEvents; k++) {
      const due = pacedStart + (k * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      put(WARM_UP + EVENTS + k);
    }
    await waitForCount(expected(WARM_UP + EVENTS + pacedEvents));
    const paced = percentiles(
      [...received.entries()]
        .filter(([id]) => !before.has(id))
        .map(([, list]) => list[0]!.at - putAt.get(list[0]!.eventId)!),
    );
    const figures: WebhookFigures = { deliveries, perSecond, ...paced, problems };
    console.log(
      `webhooks: ${EVENTS} events × ${ENDPOINTS} endpoints (${ACCOUNTS} accounts) put at once = ${deliveries} ` +
        `deliveries in ${seconds.toFixed(1)} s: ${perSecond.toFixed(1)} deliveries/s (${percentiles(latencies).p50.toFixed(0)} ms p50 put to receipt, queued)`,
    );
    console.log(
      `webhooks: at half that rate (${(rate * ENDPOINTS).toFixed(1)} deliveries/s for ${PACED_SECONDS} s): put to receipt ` +
        `p50 ${paced.p50.toFixed(0)} ms, p95 ${paced.p95.toFixed(0)} ms, p99 ${paced.p99.toFixed(0)} ms; ` +
        `${problems.length === 0 ? 'each delivery once, signed, at its own account' : `PROBLEMS: ${problems.slice(0, 5).join('; ')}`}`,
    );
    if (problems.length > 0) process.exitCode = 1;
    return figures;
  } finally {
    await stop();
    await new Promise((resolve) => server.close(resolve));
  }
}
