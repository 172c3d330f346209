/**
 * Puts domain events on the service's bus exactly once per fact (issue 14). EventBridge itself
 * does not deduplicate, and the table's stream delivers a change at least once (a retried
 * batch, a redelivery), so before an event goes out its id is claimed with a marker item:
 *
 * 1. claim: a conditional put of `EVENT#<id>` (state `pending`, a lease and a TTL), which
 *    succeeds only when no marker exists or an earlier claim's lease ran out (its invocation
 *    is gone). A marker in state `published` means the event went out before: skipped.
 *    A fresh `pending` one belongs to an invocation publishing it right now: the batch fails
 *    and is retried later, when that marker is `published` (or its lease ran out).
 * 2. PutEvents, ten entries per call; entries the bus refused (a partial failure) are put again
 *    with backoff, a few times.
 * 3. published entries' markers become `published`; the markers of entries still refused are
 *    deleted (released), and the batch fails, so the stream's retry publishes them.
 *
 * The store does each step for the whole batch at once (the table: one transaction of
 * conditional writes per hundred markers, falling back to one write per marker only when some
 * condition fails); each marker's outcome is the one its own conditional write would have had.
 *
 * One window stays open, as for e-mails (#adapters/notice-marks): an invocation that dies after
 * PutEvents succeeded but before the marker became `published` leaves a claim that a retry takes
 * over once its lease ran out, and that event goes out twice, with the same id (consumers
 * deduplicate on it). Everything else — retries, duplicate deliveries, overlaps — publishes once.
 */
import { randomUUID } from 'node:crypto';
import type { AnyDomainEvent } from '#domain/domain-events';
import { EVENT_SOURCE } from '#domain/domain-events';

/** Longer than the publishing function runs (30 s): an older claim's invocation is certainly gone. */
export const CLAIM_LEASE_MS = 60_000;
/** Markers outlive the stream's 24-hour retention (a redelivery comes within it), then expire. */
export const MARKER_TTL_SECONDS = 2 * 24 * 3600;
/** PutEvents takes at most ten entries per call. */
export const PUT_EVENTS_LIMIT = 10;
/** Tries per entry within one invocation before its claim is released and the batch fails. */
export const PUT_ATTEMPTS = 4;

export type ClaimResult = 'claimed' | 'published' | 'busy';

/**
 * Where the markers live (the table; an in-memory one in unit tests). Each operation takes a
 * batch of distinct event ids (none: nothing to do) and treats each id as its own conditional
 * write would.
 */
export interface MarkerStore {
  /** One result per id, in the order of `eventIds`. */
  claimAll(eventIds: string[], token: string, now: number): Promise<ClaimResult[]>;
  /** Marks the ids claimed with `token` published (a claim taken over since is left alone). */
  markAllPublished(eventIds: string[], token: string): Promise<void>;
  /** Deletes the ids' markers still `pending` under `token`. */
  releaseAll(eventIds: string[], token: string): Promise<void>;
}

/** One PutEvents entry, and the bus's answer per entry (undefined = accepted). */
export interface BusEntry {
  Source: string;
  DetailType: string;
  Detail: string;
  Time: Date;
  EventBusName: string;
}
export type PutEntries = (entries: BusEntry[]) => Promise<(string | undefined)[]>;

export interface PublishResult {
  published: AnyDomainEvent[];
  /** Already published by an earlier delivery of the same change. */
  duplicates: number;
}

export class PublishIncompleteError extends Error {
  constructor(
    readonly refused: number,
    readonly busy: number,
    readonly reason: string,
  ) {
    super(
      `${refused} event(s) refused by the bus, ${busy} being published by another invocation (${reason}); the batch is retried`,
    );
    this.name = 'PublishIncompleteError';
  }
}

export interface PublisherPorts {
  markers: MarkerStore;
  put: PutEntries;
  busName: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export async function publishOnce(events: AnyDomainEvent[], ports: PublisherPorts): Promise<PublishResult> {
  const now = ports.now ?? Date.now;
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // A batch may hold the same fact twice (a change delivered twice in one batch).
  const unique = [...new Map(events.map((event) => [event.id, event])).values()];
  const token = randomUUID();
  const claims = await ports.markers.claimAll(
    unique.map((event) => event.id),
    token,
    now(),
  );
  const claimed = unique.filter((_, i) => claims[i] === 'claimed');
  const busy = claims.filter((claim) => claim === 'busy').length;
  const duplicates = claims.filter((claim) => claim === 'published').length;

  let pending = claimed;
  let reason = '';
  for (let attempt = 1; pending.length > 0 && attempt <= PUT_ATTEMPTS; attempt++) {
    if (attempt > 1) await sleep(50 * 2 ** (attempt - 2));
    const refused: AnyDomainEvent[] = [];
    for (let i = 0; i < pending.length; i += PUT_EVENTS_LIMIT) {
      const chunk = pending.slice(i, i + PUT_EVENTS_LIMIT);
      let errors: (string | undefined)[];
      try {
        errors = await ports.put(chunk.map((event) => entryOf(event, ports.busName)));
      } catch (error) {
        errors = chunk.map(() =>
          error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        );
      }
      chunk.forEach((event, j) => {
        const error = errors[j];
        if (error === undefined) return;
        refused.push(event);
        reason = error;
      });
    }
    pending = refused;
  }
  const published = claimed.filter((event) => !pending.includes(event));
  await Promise.all([
    ports.markers.markAllPublished(
      published.map((event) => event.id),
      token,
    ),
    ports.markers.releaseAll(
      pending.map((event) => event.id),
      token,
    ),
  ]);
  if (pending.length > 0 || busy > 0)
    throw new PublishIncompleteError(pending.length, busy, reason || 'busy');
  return { published, duplicates };
}

/** `source` the service, `detail-type` the event type, `detail` the envelope (docs/events.md). */
export function entryOf(event: AnyDomainEvent, busName: string): BusEntry {
  return {
    EventBusName: busName,
    Source: EVENT_SOURCE,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.occurredAt),
  };
}
