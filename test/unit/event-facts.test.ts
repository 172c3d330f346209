import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type BusEntry,
  type ClaimResult,
  type MarkerStore,
  PUT_EVENTS_LIMIT,
  PublishIncompleteError,
  publishOnce,
} from '#adapters/event-publisher';
import { type AnyDomainEvent, EVENT_SOURCE, EVENT_TYPES, type EventType } from '#domain/domain-events';
import { eventsOf } from '#domain/event-facts';
import type { ItemChange } from '#domain/table-facts';
import { schemaFile, schemaText } from '../../scripts/event-schemas.ts';
import { schemaErrors } from '../support/event-schemas.ts';

const AT = '2026-12-05T01:00:00.000Z';
const change = (
  pk: string,
  sk: string,
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): ItemChange => ({
  eventName: oldImage === undefined ? 'INSERT' : newImage === undefined ? 'REMOVE' : 'MODIFY',
  pk,
  sk,
  oldImage,
  newImage,
});

const app = (status: string, extra: Record<string, unknown> = {}) => ({
  applicationId: 'app_1',
  accountId: 'acct_1',
  correlationId: 'ticket-1',
  status,
  mode: 'amount',
  total: 10600,
  invoices: [{ invoiceId: 'inv_1' }, { invoiceId: 'inv_2' }],
  delivery: { medium: 'electronic', email: 'buyer@example.com' },
  submittedAt: '2026-12-01T02:00:00.000Z',
  timeline: [
    { at: '2026-12-01T02:00:00.000Z', status: 'submitted' },
    { at: '2026-12-01T03:00:00.000Z', status },
  ],
  ...extra,
});
const appChange = (before: string | undefined, after: string, extra: Record<string, unknown> = {}) =>
  change(
    'APPLICATION#app_1',
    'APPLICATION',
    before === undefined ? undefined : app(before),
    app(after, extra),
  );

const invoice = (status: string, extra: Record<string, unknown> = {}) => ({
  invoiceId: 'inv_1',
  invoiceNumber: '26440300000000000001',
  applicationId: 'app_1',
  accountId: 'acct_1',
  kind: 'blue',
  entity: 'sz',
  taxRate: '0.06',
  amount: 10600,
  amountExcludingTax: 10000,
  taxAmount: 600,
  status,
  issuedAt: '2026-12-01T04:00:00.000Z',
  delivery: { medium: 'paper', addressId: 'addr_1' },
  ...extra,
});
const invoiceChange = (before: Record<string, unknown> | undefined, after: Record<string, unknown>) =>
  change('INVOICE#inv_1', 'INVOICE', before, after);

const title = (status: string, extra: Record<string, unknown> = {}) => ({
  accountId: 'acct_1',
  titleId: 'ttl_1',
  type: 'enterprise-special',
  name: 'Buyer Co.',
  status,
  createdAt: '2026-12-01T01:00:00.000Z',
  updatedAt: '2026-12-01T01:00:00.000Z',
  ...extra,
});
const titleChange = (before: Record<string, unknown> | undefined, after: Record<string, unknown>) =>
  change('ACCOUNT#acct_1', 'TITLE#ttl_1', before, after);

const run = (status: string) => ({
  month: '2026-11',
  runId: 'run_1',
  status,
  startedAt: '2026-12-01T00:00:00.000Z',
  ...(status === 'completed'
    ? {
        completedAt: '2026-12-01T00:10:00.000Z',
        totals: { processed: 3, created: 2, createdAmount: 5000, skipped: 1, skippedByReason: {} },
      }
    : {}),
});

/** One change per fact of the catalogue, and the one event type it must yield. */
const FACTS: [EventType, ItemChange][] = [
  ['application.submitted', appChange(undefined, 'submitted')],
  ['application.cancelled', appChange('submitted', 'cancelled')],
  ['application.approved', appChange('in-review', 'issuing')],
  ['application.rejected', appChange('in-review', 'rejected')],
  ['application.issued', appChange('issuing', 'issued')],
  ['application.delivered', appChange('issued', 'delivered')],
  ['application.failed', appChange('issuing', 'failed')],
  ['invoice.issued', invoiceChange(undefined, invoice('issued'))],
  [
    'invoice.shipped',
    invoiceChange(
      invoice('issued'),
      invoice('shipped', {
        shipment: { courier: 'SF', trackingNumber: 'SF100', shippedAt: '2026-12-02T01:00:00.000Z' },
      }),
    ),
  ],
  [
    'invoice.received',
    invoiceChange(invoice('shipped'), invoice('delivered', { deliveredAt: '2026-12-03T01:00:00.000Z' })),
  ],
  [
    'invoice.returned',
    invoiceChange(
      undefined,
      invoice('issued', {
        invoiceId: 'inv_1',
        kind: 'red',
        amount: -10600,
        originalInvoiceId: 'inv_0',
        originalInvoiceNumber: '26440300000000000000',
      }),
    ),
  ],
  [
    'title.approved',
    titleChange(title('pending-review'), title('approved', { decidedAt: '2026-12-02T01:00:00.000Z' })),
  ],
  [
    'title.rejected',
    titleChange(title('pending-review'), title('rejected', { decidedAt: '2026-12-02T01:00:00.000Z' })),
  ],
  ['monthly-run.completed', change('MONTHLY_RUN#2026-11', 'RUN', run('running'), run('completed'))],
];

describe('domain events (issue 14): one event per fact, read off item changes', () => {
  it('the catalogue and the facts cover each other', () => {
    expect(FACTS.map(([type]) => type).sort()).toEqual(Object.keys(EVENT_TYPES).sort());
  });

  it.each(FACTS)('%s: exactly one event, valid against its documented JSON Schema', (type, c) => {
    const events = eventsOf(c, AT);
    expect(events.map((e) => e.type)).toEqual([type]);
    const [event] = events;
    expect(schemaErrors(event!)).toEqual([]);
    expect(event!.version).toBe(EVENT_TYPES[type]);
    if (type === 'monthly-run.completed') expect(event!.accountId).toBeUndefined();
    else expect(event!.accountId).toBe('acct_1');
  });

  it('carries the figures and instants the item records', () => {
    const [submitted] = eventsOf(appChange(undefined, 'submitted'), AT);
    expect(submitted).toMatchObject({
      occurredAt: '2026-12-01T02:00:00.000Z',
      correlationId: 'ticket-1',
      data: { applicationId: 'app_1', total: 10600, invoiceCount: 2, medium: 'electronic', mode: 'amount' },
    });
    const [issued] = eventsOf(appChange('issuing', 'issued'), AT);
    expect(issued?.data).toEqual({ applicationId: 'app_1', invoiceIds: ['inv_1', 'inv_2'], total: 10600 });
    expect(issued?.occurredAt).toBe('2026-12-01T03:00:00.000Z');
    const [approvedAtOnce] = eventsOf(appChange('submitted', 'issuing'), AT);
    expect(approvedAtOnce?.data).toEqual({ applicationId: 'app_1', reviewedBy: 'automatic' });
    const [run] = eventsOf(
      change('MONTHLY_RUN#2026-11', 'RUN', undefined, {
        month: '2026-11',
        runId: 'r',
        status: 'completed',
        totals: { processed: 3, created: 2, createdAmount: 5000, skipped: 1 },
      }),
      AT,
    );
    expect(run?.data).toEqual({
      month: '2026-11',
      runId: 'r',
      processed: 3,
      created: 2,
      createdAmount: 5000,
      skipped: 1,
    });
    // No instant on the item: the stream's.
    expect(run?.occurredAt).toBe(AT);
  });

  it('changes that are no new fact yield nothing', () => {
    expect(eventsOf(appChange('submitted', 'submitted'), AT)).toEqual([]);
    expect(eventsOf(appChange('submitted', 'in-review'), AT)).toEqual([]);
    expect(eventsOf(appChange(undefined, 'reserving'), AT)).toEqual([]);
    expect(eventsOf(change('APPLICATION#app_1', 'APPLICATION', app('issued'), undefined), AT)).toEqual([]);
    expect(eventsOf(invoiceChange(invoice('issued'), invoice('issued', { pdfKey: 'k' })), AT)).toEqual([]);
    expect(eventsOf(titleChange(title('approved'), title('approved', { name: 'New' })), AT)).toEqual([]);
    expect(eventsOf(titleChange(undefined, title('pending-review')), AT)).toEqual([]);
    expect(eventsOf(change('MONTHLY_RUN#2026-11', 'RUN', undefined, run('running')), AT)).toEqual([]);
    expect(
      eventsOf(change('APPLICATION#app_1', 'ALLOCATIONS#0001', undefined, { status: 'issued' }), AT),
    ).toEqual([]);
    expect(eventsOf(change('ACCOUNT#acct_1', 'PROFILE', undefined, { status: 'approved' }), AT)).toEqual([]);
  });

  it('ids come from the fact: a redelivered change has the same id, another fact another one', () => {
    const ids = FACTS.map(([, c]) => eventsOf(c, AT)[0]!.id);
    expect(new Set(ids).size).toBe(FACTS.length);
    // The same change read again, at another stream time: the same events.
    expect(FACTS.map(([, c]) => eventsOf(c, '2026-12-06T00:00:00.000Z')[0]!.id)).toEqual(ids);
    // A title approved again after an edit is a new fact.
    const again = titleChange(
      title('pending-review'),
      title('approved', { decidedAt: '2026-12-09T01:00:00.000Z' }),
    );
    expect(eventsOf(again, AT)[0]!.id).not.toBe(ids[FACTS.findIndex(([t]) => t === 'title.approved')]);
    // An ordinary title applies at once: approved without review.
    const ordinary = titleChange(undefined, title('approved', { type: 'enterprise-ordinary' }));
    expect(eventsOf(ordinary, AT)[0]?.data).toEqual({
      titleId: 'ttl_1',
      titleType: 'enterprise-ordinary',
      reviewedBy: 'automatic',
    });
  });

  it('the schemas reject what the catalogue does not document', () => {
    const [event] = eventsOf(appChange('issuing', 'issued'), AT);
    expect(schemaErrors({ ...event!, data: { ...event!.data, extra: 1 } })).not.toEqual([]);
    expect(schemaErrors({ ...event!, version: 2 })).not.toEqual([]);
    expect(schemaErrors({ ...event!, occurredAt: 'yesterday' })).not.toEqual([]);
    expect(schemaErrors({ ...event!, type: 'application.lost' })).not.toEqual([]);
  });

  it('docs/events holds the schemas the code generates, and docs/events.md names every type', () => {
    const catalogue = readFileSync('docs/events.md', 'utf8');
    for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
      expect(readFileSync(schemaFile(type), 'utf8'), `${schemaFile(type)}: run npm run events:schemas`).toBe(
        schemaText(type),
      );
      expect(catalogue).toContain(`\`${type}\``);
      expect(catalogue).toContain(schemaFile(type).replace('docs/', ''));
    }
  });
});

/** Markers in memory, as the table keeps them; each id of a batch as its own conditional write. */
function memoryMarkers(): MarkerStore & {
  states: Map<string, { state: string; token: string; until: number }>;
  /** The store's calls, one per batch: operation and the ids handed over. */
  calls: [string, string[]][];
} {
  const states = new Map<string, { state: string; token: string; until: number }>();
  const calls: [string, string[]][] = [];
  const distinct = (ids: string[]) => expect(new Set(ids).size).toBe(ids.length);
  return {
    states,
    calls,
    async claimAll(ids, token, now) {
      calls.push(['claimAll', ids]);
      distinct(ids);
      return ids.map((id): ClaimResult => {
        const existing = states.get(id);
        if (existing?.state === 'published') return 'published';
        if (existing && existing.until >= now) return 'busy';
        states.set(id, { state: 'pending', token, until: now + 60_000 });
        return 'claimed';
      });
    },
    async markAllPublished(ids, token) {
      calls.push(['markAllPublished', ids]);
      distinct(ids);
      for (const id of ids) {
        const existing = states.get(id);
        if (existing?.token === token) existing.state = 'published';
      }
    },
    async releaseAll(ids, token) {
      calls.push(['releaseAll', ids]);
      distinct(ids);
      for (const id of ids)
        if (states.get(id)?.token === token && states.get(id)?.state === 'pending') states.delete(id);
    },
  };
}

const sample = (n: number): AnyDomainEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i.toString(16).padStart(32, '0'),
    type: 'application.cancelled' as const,
    version: 1 as const,
    occurredAt: AT,
    accountId: 'acct_1',
    data: { applicationId: `app_${i}` },
  }));

describe('publishing once (issue 14)', () => {
  const bus = (refuse: (entry: BusEntry, call: number) => string | undefined = () => undefined) => {
    const put: BusEntry[] = [];
    let calls = 0;
    return {
      put,
      callSizes: [] as number[],
      async putEntries(this: { callSizes: number[] }, entries: BusEntry[]) {
        calls++;
        this.callSizes.push(entries.length);
        return entries.map((entry) => {
          const error = refuse(entry, calls);
          if (error === undefined) put.push(entry);
          return error;
        });
      },
    };
  };
  const ports = (markers: MarkerStore, b: ReturnType<typeof bus>) => ({
    markers,
    busName: 'invoice-service-test',
    put: b.putEntries.bind(b),
    sleep: async () => {},
  });

  it('puts each event once, ten per call, as source / detail-type / detail', async () => {
    const markers = memoryMarkers();
    const b = bus();
    const events = sample(23);
    const result = await publishOnce([...events, ...events.slice(0, 5)], ports(markers, b));
    expect(result.published).toHaveLength(23);
    expect(b.callSizes).toEqual([PUT_EVENTS_LIMIT, PUT_EVENTS_LIMIT, 3]);
    expect(b.put[0]).toMatchObject({
      EventBusName: 'invoice-service-test',
      Source: EVENT_SOURCE,
      DetailType: 'application.cancelled',
    });
    expect(JSON.parse(b.put[0]!.Detail)).toEqual(events[0]);
    // Delivered again: nothing goes out twice.
    const again = await publishOnce(events, ports(markers, b));
    expect(again).toEqual({ published: [], duplicates: 23 });
    expect(b.put).toHaveLength(23);
  });

  it('puts the entries of a partial failure again, and loses none', async () => {
    const markers = memoryMarkers();
    // Every third entry is refused on the first call of each chunk.
    const b = bus((entry, call) =>
      call <= 3 && Number.parseInt(JSON.parse(entry.Detail).id, 16) % 3 === 0
        ? 'ThrottlingException'
        : undefined,
    );
    const result = await publishOnce(sample(25), ports(markers, b));
    expect(result.published).toHaveLength(25);
    expect(b.put.map((e) => JSON.parse(e.Detail).id).sort()).toEqual(sample(25).map((e) => e.id));
  });

  it('releases what the bus keeps refusing and fails the batch; the retry publishes it', async () => {
    const markers = memoryMarkers();
    let down = true;
    const b = bus((entry) =>
      down && JSON.parse(entry.Detail).id.endsWith('1') ? 'InternalFailure' : undefined,
    );
    const events = sample(3);
    await expect(publishOnce(events, ports(markers, b))).rejects.toBeInstanceOf(PublishIncompleteError);
    expect(b.put).toHaveLength(2);
    expect(markers.states.has(events[1]!.id)).toBe(false);
    down = false;
    const retry = await publishOnce(events, ports(markers, b));
    expect(retry.published.map((e) => e.id)).toEqual([events[1]!.id]);
    expect(retry.duplicates).toBe(2);
    expect(b.put).toHaveLength(3);
  });

  it('a thrown PutEvents counts as every entry refused', async () => {
    const markers = memoryMarkers();
    const events = sample(2);
    const failing = {
      markers,
      busName: 'b',
      sleep: async () => {},
      put: async () => {
        throw new Error('connection reset');
      },
    };
    await expect(publishOnce(events, failing)).rejects.toThrow(/2 event\(s\) refused.*connection reset/);
    expect(markers.states.size).toBe(0);
  });

  it('hands the store each step for the whole batch at once, each id once', async () => {
    const markers = memoryMarkers();
    // The entries whose id ends in 1 (two of 25) are refused every time.
    const b = bus((entry) => (JSON.parse(entry.Detail).id.endsWith('1') ? 'InternalFailure' : undefined));
    const events = sample(25);
    await expect(publishOnce([...events, events[1]!], ports(markers, b))).rejects.toThrow(
      /2 event\(s\) refused/,
    );
    expect(markers.calls.map(([operation, ids]) => [operation, ids.length])).toEqual([
      ['claimAll', 25],
      ['markAllPublished', 23],
      ['releaseAll', 2],
    ]);
    expect(markers.calls[2]![1]).toEqual([events[1]!.id, events[17]!.id]);
  });

  it('an event another invocation is publishing fails the batch without publishing it twice', async () => {
    const markers = memoryMarkers();
    const events = sample(2);
    expect(await markers.claimAll([events[0]!.id], 'other', Date.now())).toEqual(['claimed']);
    const b = bus();
    await expect(publishOnce(events, ports(markers, b))).rejects.toThrow(/1 being published/);
    expect(b.put.map((e) => JSON.parse(e.Detail).id)).toEqual([events[1]!.id]);
    // The other invocation finished: the retry finds both published.
    await markers.markAllPublished([events[0]!.id], 'other');
    expect(await publishOnce(events, ports(markers, b))).toEqual({ published: [], duplicates: 2 });
  });
});
