/**
 * A fake tax platform provider speaking the HTTP contract of docs/tax-platform.md, for local
 * runs (`npm start -- --fake-tax-platform`) and the workflow tests (test/workflow/tax-platform.test.ts):
 *
 *   PUT /invoices/<requestId>  ask for an invoice (the id is the idempotency key)
 *   GET /invoices/<requestId>  the request's state
 *
 * It assigns 20-digit numbers of its own. What it answers is programmed per request through
 * `behave` (by default: issued at once, like the simulator); faults: slow answers, an answer that
 * never comes, 5xx, confirmation later (by callback and/or on the next GET), a duplicate
 * confirmation, a confirmation after the workflow stopped waiting, a refusal, and a number it
 * already gave another request.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProviderRequest {
  requestId: string;
  body: Record<string, any>;
  state: 'pending' | 'issued' | 'refused';
  invoiceNumber?: string;
  issuedAt?: string;
  reason?: string;
  /** PUTs and GETs received for this request, answered or not. */
  puts: number;
  gets: number;
}

/** How the provider treats one request (decided when its first PUT arrives). */
export interface Behaviour {
  /** `now`: issued in the PUT's answer; `later`: 202, confirmed by `confirm()`; `refuse`: 422. */
  answer: 'now' | 'later' | 'refuse';
  /** Delay every answer about this request by this many ms. */
  slowMs?: number;
  /** The first n calls about this request answer 503. */
  failFirst?: number;
  /** The first call about this request never answers (the caller's timeout ends it). */
  hangFirst?: boolean;
  /** The number to assign instead of the next one (e.g. one given out already). */
  number?: string;
}

export interface FakeTaxPlatform {
  url: string;
  requests: Map<string, ProviderRequest>;
  /** Numbers assigned, in order (a number given twice appears twice). */
  assigned: string[];
  /** Callbacks sent: request id and the answer of our API. */
  callbacks: { requestId: string; status: number; body: unknown }[];
  /** Decides each new request's behaviour; default: issued at once. */
  behave: (body: Record<string, any>) => Behaviour;
  /** Where confirmations are called back to, and the bearer token (group tax-platform). */
  connect(callbackUrl: string, token: string): void;
  /** Confirms a pending request (issued, with a number) or refuses it, and calls back `times` times. */
  confirm(
    requestId: string,
    options?: { refuse?: string; times?: number; callback?: boolean },
  ): Promise<void>;
  /** Calls back about a request without changing it (an early callback, against the contract). */
  callBack(requestId: string, times?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeTaxPlatform(options: { port?: number } = {}): Promise<FakeTaxPlatform> {
  const requests = new Map<string, ProviderRequest>();
  const behaviours = new Map<string, Behaviour>();
  const calls = new Map<string, number>();
  /** Requests whose first answered PUT decided them (issued now, refused, or left pending). */
  const decided = new Set<string>();
  const assigned: string[] = [];
  const callbacks: FakeTaxPlatform['callbacks'] = [];
  const hanging = new Set<ServerResponse>();
  let sequence = 0;
  let callback: { url: string; token: string } | undefined;

  const nextNumber = () => {
    sequence += 1;
    const year = String(new Date().getUTCFullYear()).slice(2);
    return `${year}99${String(sequence).padStart(16, '0')}`;
  };

  const issue = (request: ProviderRequest, number?: string) => {
    request.state = 'issued';
    request.invoiceNumber = number ?? nextNumber();
    request.issuedAt = new Date().toISOString();
    assigned.push(request.invoiceNumber);
  };

  const answerOf = (request: ProviderRequest | undefined) => {
    if (!request) return { status: 404, body: { status: 'unknown' } };
    if (request.state === 'issued')
      return {
        status: 200,
        body: { status: 'issued', invoiceNumber: request.invoiceNumber, issuedAt: request.issuedAt },
      };
    if (request.state === 'refused')
      return { status: 422, body: { status: 'refused', reason: request.reason } };
    return { status: 202, body: { status: 'pending' } };
  };

  const fake: FakeTaxPlatform = {
    url: '',
    requests,
    assigned,
    callbacks,
    behave: () => ({ answer: 'now' }),
    connect(url, token) {
      callback = { url, token };
    },
    async confirm(requestId, { refuse, times = 1, callback: call = true } = {}) {
      const request = requests.get(requestId);
      if (!request) throw new Error(`No request ${requestId}`);
      if (request.state === 'pending') {
        if (refuse) {
          request.state = 'refused';
          request.reason = refuse;
        } else issue(request, behaviours.get(requestId)?.number);
      }
      if (call) await fake.callBack(requestId, times);
    },
    async callBack(requestId, times = 1) {
      if (!callback) throw new Error('connect() the fake provider to the API first');
      for (let i = 0; i < times; i++) {
        const response = await fetch(callback.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${callback.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ requestId }),
        });
        callbacks.push({ requestId, status: response.status, body: await response.json() });
      }
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const send = (res: ServerResponse, answer: { status: number; body: unknown }) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const match = /^\/invoices\/([^/?]+)$/.exec(req.url ?? '');
    if (!match || (req.method !== 'PUT' && req.method !== 'GET')) return send(res, { status: 404, body: {} });
    const requestId = decodeURIComponent(match[1]!);
    let raw = '';
    for await (const chunk of req) raw += chunk;
    let request = requests.get(requestId);
    if (req.method === 'PUT' && !request) {
      const body = JSON.parse(raw) as Record<string, any>;
      behaviours.set(requestId, fake.behave(body));
      request = { requestId, body, state: 'pending', puts: 0, gets: 0 };
      requests.set(requestId, request);
    }
    if (request) request[req.method === 'PUT' ? 'puts' : 'gets'] += 1;
    const behaviour = behaviours.get(requestId);
    const call = (calls.get(requestId) ?? 0) + 1;
    calls.set(requestId, call);
    if (behaviour?.hangFirst && call === 1) {
      hanging.add(res);
      return; // never answered: the caller's own timeout ends the call
    }
    if (behaviour?.slowMs) await new Promise((r) => setTimeout(r, behaviour.slowMs));
    if (behaviour?.failFirst && call <= behaviour.failFirst)
      return send(res, { status: 503, body: { message: 'injected outage' } });
    if (req.method === 'PUT' && request?.state === 'pending' && !decided.has(requestId)) {
      decided.add(requestId);
      if (behaviour?.answer === 'now') issue(request, behaviour.number);
      if (behaviour?.answer === 'refuse') {
        request.state = 'refused';
        request.reason = 'buyer tax id not registered';
      }
    }
    send(res, answerOf(request));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, { status: 500, body: { message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
