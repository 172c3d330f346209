import type { Delivery } from '#domain/application';
import { shanghaiMonth } from '#domain/calendar';
import { DomainError, type ErrorCode } from '#domain/errors';
import type { Fen } from '#domain/money';

/**
 * R31 monthly automatic invoicing: which accounts a run reaches, under which run id, and what
 * it recorded for each. Pure; the run itself is shared/use-cases/monthly-run.ts.
 */

/**
 * Opted-in accounts are spread over this many gsi2 partitions (`AUTO_INVOICING#00..63`), so a
 * run fans out one Map iteration per shard and no partition of the index grows hot. Changing
 * it re-homes every opted-in account: it is part of the key layout, not a setting.
 */
export const MONTHLY_SHARDS = 64;

/** The run starts on the 10th at 09:00 China time; by 18:00 that day it should be done (issue 16). */
export const MONTHLY_RUN_DUE = { day: 10, hour: 18 };

/**
 * The month whose run should be completed by `now` (China time): from 18:00 on the 10th to the
 * end of that month; undefined before. The hourly watch checks that month's run.
 */
export function monthlyRunDue(now: Date): string | undefined {
  const china = new Date(now.getTime() + 8 * 3600_000);
  const day = china.getUTCDate();
  const due =
    day > MONTHLY_RUN_DUE.day || (day === MONTHLY_RUN_DUE.day && china.getUTCHours() >= MONTHLY_RUN_DUE.hour);
  return due ? shanghaiMonth(now) : undefined;
}

export interface AutoInvoicing {
  enabled: boolean;
  titleId?: string;
  delivery?: Delivery;
  updatedAt?: string;
}

/** What GET /v1/account shows: on with its title and delivery target, or off. */
export function autoInvoicingView(settings: AutoInvoicing | undefined): {
  enabled: boolean;
  titleId?: string;
  delivery?: Delivery;
} {
  if (!settings?.enabled || !settings.titleId || !settings.delivery) return { enabled: false };
  return { enabled: true, titleId: settings.titleId, delivery: settings.delivery };
}

/** `00`..`63` from a stable hash of the account id (FNV-1a, 32 bit): same account, same shard. */
export function shardOf(accountId: string): string {
  return shardName(hashOf(accountId) % MONTHLY_SHARDS);
}

/** A shard's counters are kept in this many items, so its accounts seldom write the same one at once. */
export const COUNTER_SLOTS = 8;

/**
 * Which of its shard's counter items an account's end moves: the counters are written in the
 * account's application transaction, and a shard's concurrent accounts would otherwise all
 * conflict on one item. Readers sum every item of the run.
 */
export function counterSlotOf(accountId: string): number {
  return Math.floor(hashOf(accountId) / MONTHLY_SHARDS) % COUNTER_SLOTS;
}

/** FNV-1a of the account id. */
function hashOf(accountId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) {
    hash ^= accountId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function shardName(index: number): string {
  return String(index).padStart(2, '0');
}

export const allShards = (): string[] => Array.from({ length: MONTHLY_SHARDS }, (_, i) => shardName(i));

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isMonth(value: unknown): value is string {
  return typeof value === 'string' && MONTH.test(value);
}

/**
 * The month a run invoices: the one asked for, or the China month of the run time (the
 * schedule fires on the 10th at 09:00 Asia/Shanghai and passes nothing).
 */
export function monthOfRun(requested: unknown, runAt: Date): string {
  if (requested === undefined || requested === null || requested === '') return shanghaiMonth(runAt);
  if (!isMonth(requested)) throw new Error(`Not a month (YYYY-MM): ${String(requested)}`);
  return requested;
}

/** The run's id, also the execution name `npm run monthly` starts it under. */
export const runIdOf = (month: string) => `monthly-${month}`;

/**
 * The Idempotency-Key the run applies with for (account, month): a repeated create for the
 * same account and month answers the first application instead of making a second one.
 */
export const monthlyIdempotencyKey = (month: string) => `monthly-invoicing:${month}`;

/**
 * The create call's idempotency answer must outlive any resume of the run: a month and a
 * half, well past the next run (it still expires, so the table does not keep it for ever;
 * the permanent marker is what says "done" after that).
 */
export const MONTHLY_IDEMPOTENCY_TTL_SECONDS = 45 * 24 * 3600;

/** Why an opted-in account got no application this month: an API error code (API.md). */
export interface SkipReason {
  code: ErrorCode;
  detail: string;
}

/** Nothing invoiceable is the code API.md gives for it (AMOUNT_EXCEEDS_INVOICEABLE). */
export const nothingToInvoice = (): SkipReason => ({
  code: 'AMOUNT_EXCEEDS_INVOICEABLE',
  detail: 'Nothing is invoiceable this month.',
});

export function skipReasonOf(error: DomainError): SkipReason {
  return { code: error.code, detail: error.message };
}

/**
 * Broken settings or a state the customer must fix are skips, recorded once (also
 * IDEMPOTENCY_KEY_REUSED: the run's body for a month never changes, so only a customer's own
 * request under the run's key gets there); everything else (a concurrent change that kept
 * winning, an outage) is retried by the step.
 */
export function isSkip(error: unknown): error is DomainError {
  return error instanceof DomainError && error.code !== 'CONFLICT';
}

/** The per-account marker `MONTHLY#<accountId>#<YYYY-MM>`: claimed, then created or skipped, for ever. */
export type MarkerStatus = 'claimed' | 'created' | 'skipped';

export interface MonthlyMarker {
  accountId: string;
  month: string;
  status: MarkerStatus;
  /** Fixed when claimed, so every retry asks for the same application (same idempotent body). */
  amount?: Fen;
  titleId?: string;
  delivery?: Delivery;
  applicationId?: string;
  total?: Fen;
  reason?: SkipReason;
  claimedAt?: string;
  finishedAt?: string;
}

export function isFinished(marker: MonthlyMarker | undefined): boolean {
  return marker?.status === 'created' || marker?.status === 'skipped';
}

export interface ShardCounters {
  processed: number;
  created: number;
  createdAmount: Fen;
  skipped: number;
  skippedByReason: Record<string, number>;
}

export const noCounters = (): ShardCounters => ({
  processed: 0,
  created: 0,
  createdAmount: 0,
  skipped: 0,
  skippedByReason: {},
});

/** The run's totals: the sum of its shards' counters (each account counted once, in its shard). */
export function sumCounters(shards: readonly ShardCounters[]): ShardCounters {
  const total = noCounters();
  for (const s of shards) {
    total.processed += s.processed;
    total.created += s.created;
    total.createdAmount += s.createdAmount;
    total.skipped += s.skipped;
    for (const [code, n] of Object.entries(s.skippedByReason)) {
      total.skippedByReason[code] = (total.skippedByReason[code] ?? 0) + n;
    }
  }
  return total;
}

/** A page of a shard's work: the accounts after `cursor`, for at most `budgetMs` per invocation. */
export interface ShardWork {
  month: string;
  shard: string;
  cursor?: string;
}

export interface ShardProgress extends ShardWork {
  done: boolean;
}
