/**
 * EventBridge locally: an endpoint speaking PutEvents (AWS JSON 1.1, `X-Amz-Target:
 * AWSEvents.PutEvents`) that the SDK's EventBridgeClient reaches through
 * AWS_ENDPOINT_URL_EVENTBRIDGE, on the template's buses (and `default`). Each event put is
 * matched against the template's rules on its bus (event patterns, the same syntax as the
 * streams' filters: exact values, prefix, suffix, anything-but, exists, numeric,
 * equals-ignore-case) and delivered to each matching rule's Lambda targets the way EventBridge
 * invokes them: asynchronously (PutEvents answers before the targets run), retried with
 * exponential backoff up to the target's RetryPolicy, then dropped and logged.
 *
 * For tests, every event put is kept and listed by `GET <url>/store` (with the rules it
 * matched and how each delivery went); `POST <url>/inject` puts an event as an AWS service
 * would (PutEvents refuses `aws.` sources, as on AWS), e.g. an SES bounce; and
 * `POST <url>/fail-next` makes the bus refuse the next N entries (a partial PutEvents failure).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { matchesPattern, validatePattern } from './streams.ts';
import type { LambdaRuntime, LocalEventRule } from './types.ts';

/** An event as EventBridge hands it to a rule's target. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
}

export interface StoredDelivery {
  rule: string;
  target: string;
  functionLogicalId: string;
  /** Invocations so far (1 = the first try succeeded or is running). */
  attempts: number;
  state: 'pending' | 'delivered' | 'dropped';
  lastError?: string;
}

export interface StoredEvent {
  bus: string;
  event: BusEvent;
  deliveries: StoredDelivery[];
}

export interface EventBridgeStore {
  events: StoredEvent[];
}

export interface LocalEventBridgeOptions {
  port: number;
  host?: string;
  /** Custom buses besides `default`. */
  buses: string[];
  rules: LocalEventRule[];
  lambda: LambdaRuntime;
  region?: string;
  accountId?: string;
  /** First retry delay of a failed delivery; doubles per attempt up to maxBackoffMs. */
  retryBaseMs?: number;
  maxBackoffMs?: number;
  log?: (line: string) => void;
}

export interface LocalEventBridge {
  /** Endpoint for the EventBridge client (AWS_ENDPOINT_URL_EVENTBRIDGE). */
  url: string;
  store(): EventBridgeStore;
  /** Resolves once every delivery begun before the call has finished (delivered or dropped). */
  drain(timeoutMs?: number): Promise<void>;
  /** Puts an event as an AWS service does (no `aws.` check); returns its id. */
  inject(entry: PutEventsEntry): string;
  close(): Promise<void>;
}

export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  /** Epoch seconds (the SDK's JSON 1.1 serialisation of a Date) or an ISO string. */
  Time?: number | string;
}

/** PutEvents takes 1–10 entries, each at most 256 KB. */
const MAX_ENTRIES = 10;
const MAX_ENTRY_BYTES = 256 * 1024;

export async function startEventBridge(options: LocalEventBridgeOptions): Promise<LocalEventBridge> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const log = options.log ?? ((line: string) => console.log(line));
  const buses = new Set(['default', ...options.buses]);
  const rules = options.rules.filter((rule) => rule.enabled && rule.pattern !== undefined);
  for (const rule of rules) validatePattern(rule.pattern, `${rule.logicalId}.EventPattern`);
  const stored: StoredEvent[] = [];
  const inFlight = new Set<Promise<void>>();
  let refuseNext = 0;
  let closed = false;

  const busOf = (name: string | undefined) => {
    const bus = name ?? 'default';
    return bus.startsWith('arn:') ? bus.slice(bus.lastIndexOf('/') + 1) : bus;
  };

  /** The entry's error code and message, or the accepted event. */
  const accept = (
    entry: PutEventsEntry,
    fromService: boolean,
  ): { event: BusEvent; bus: string } | { ErrorCode: string; ErrorMessage: string } => {
    const bus = busOf(entry.EventBusName);
    if (!buses.has(bus))
      return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${bus} does not exist.` };
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
    }
    if (!fromService && entry.Source.startsWith('aws.')) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Not authorized for the source ${entry.Source}.`,
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail must be a JSON object.' };
    }
    if (Buffer.byteLength(JSON.stringify(entry)) > MAX_ENTRY_BYTES) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'The entry is larger than 256 KB.' };
    }
    const time =
      entry.Time === undefined
        ? new Date()
        : typeof entry.Time === 'number'
          ? new Date(entry.Time * 1000)
          : new Date(entry.Time);
    return {
      bus,
      event: {
        version: '0',
        id: randomUUID(),
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: accountId,
        time: (Number.isNaN(time.getTime()) ? new Date() : time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region,
        resources: entry.Resources ?? [],
        detail,
      },
    };
  };

  const route = (bus: string, event: BusEvent) => {
    const record: StoredEvent = { bus, event, deliveries: [] };
    stored.push(record);
    for (const rule of rules) {
      if (rule.busName !== bus || !matchesPattern(rule.pattern!, event)) continue;
      for (const target of rule.targets) {
        const delivery: StoredDelivery = {
          rule: rule.logicalId,
          target: target.id,
          functionLogicalId: target.functionLogicalId,
          attempts: 0,
          state: 'pending',
        };
        record.deliveries.push(delivery);
        const running = deliver(event, target, delivery).finally(() => inFlight.delete(running));
        inFlight.add(running);
      }
    }
  };

  const deliver = async (
    event: BusEvent,
    target: LocalEventRule['targets'][number],
    delivery: StoredDelivery,
  ): Promise<void> => {
    const payload = target.input !== undefined ? JSON.parse(target.input) : select(event, target.inputPath);
    const deadline = Date.parse(event.time) + target.maximumEventAgeSeconds * 1000;
    // Asynchronous: never in the PutEvents call's turn.
    await new Promise((resolve) => setImmediate(resolve));
    for (;;) {
      if (closed) return;
      delivery.attempts++;
      try {
        await options.lambda.invoke(target.functionLogicalId, payload);
        delivery.state = 'delivered';
        delete delivery.lastError;
        return;
      } catch (error) {
        delivery.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (delivery.attempts > target.maximumRetryAttempts || Date.now() > deadline) {
        delivery.state = 'dropped';
        log(
          `[eventbridge] ${delivery.rule}/${delivery.target}: dropped event ${event.id} after ${delivery.attempts} attempt(s) (${delivery.lastError})`,
        );
        return;
      }
      const base = options.retryBaseMs ?? 200;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(base * 2 ** (delivery.attempts - 1), options.maxBackoffMs ?? 5_000)),
      );
    }
  };

  const putEvents = (entries: PutEventsEntry[]) => {
    const results = entries.map((entry) => {
      if (refuseNext > 0) {
        refuseNext--;
        return { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded (injected).' };
      }
      const accepted = accept(entry, false);
      if ('ErrorCode' in accepted) return accepted;
      route(accepted.bus, accepted.event);
      return { EventId: accepted.event.id };
    });
    return { FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, Entries: results };
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      send(res, 500, {
        __type: 'InternalException',
        message: error instanceof Error ? error.message : String(error),
      });
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const body = await readBody(req);
    if (req.method === 'GET' && url.pathname === '/store') return send(res, 200, { events: stored });
    if (req.method === 'POST' && url.pathname === '/inject') {
      const accepted = accept(JSON.parse(body) as PutEventsEntry, true);
      if ('ErrorCode' in accepted) return send(res, 400, accepted);
      route(accepted.bus, accepted.event);
      return send(res, 200, { EventId: accepted.event.id });
    }
    if (req.method === 'POST' && url.pathname === '/fail-next') {
      refuseNext = Number((JSON.parse(body || '{}') as { count?: number }).count ?? 1);
      return send(res, 200, { refuseNext });
    }
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST' || url.pathname !== '/' || typeof target !== 'string') {
      return send(res, 404, {
        __type: 'UnknownOperationException',
        message: `${req.method} ${url.pathname}`,
      });
    }
    if (target !== 'AWSEvents.PutEvents') {
      return send(res, 400, {
        __type: 'UnknownOperationException',
        message: `${target} is not emulated locally (PutEvents only)`,
      });
    }
    let input: { Entries?: PutEventsEntry[] };
    try {
      input = JSON.parse(body) as { Entries?: PutEventsEntry[] };
    } catch {
      return send(res, 400, { __type: 'SerializationException', message: 'The body is not JSON.' });
    }
    const entries = input.Entries ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      return send(res, 400, {
        __type: 'ValidationException',
        message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      });
    }
    return send(res, 200, putEvents(entries));
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    store: () => ({ events: stored }),
    async drain(timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      while (inFlight.size > 0) {
        if (Date.now() > until)
          throw new Error(`EventBridge: deliveries not finished within ${timeoutMs} ms`);
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => setTimeout(r, 100))]);
      }
    },
    inject(entry) {
      const accepted = accept(entry, true);
      if ('ErrorCode' in accepted) throw new Error(`${accepted.ErrorCode}: ${accepted.ErrorMessage}`);
      route(accepted.bus, accepted.event);
      return accepted.event.id;
    },
    close() {
      closed = true;
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** InputPath: `$` or a dotted path from it (`$.detail`, `$.detail.mail`). */
function select(event: BusEvent, path: string | undefined): unknown {
  if (path === undefined || path === '$') return event;
  if (!path.startsWith('$.')) throw new Error(`InputPath ${path} is not supported locally`);
  let value: unknown = event;
  for (const key of path.slice(2).split('.')) {
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
