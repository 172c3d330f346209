import { accountStateOf } from '#adapters/account-repository';
import { keys, stripKeys } from '#adapters/dynamodb';
import { readLedger } from '#adapters/ledger-aggregates-read';
import { logger } from '#adapters/logger';
import {
  completeRun,
  finishItems,
  finishMarker,
  getMarker,
  joinRun,
  listShardAccounts,
  readShardCounters,
} from '#adapters/monthly-repository';
import * as settings from '#config/settings';
import {
  allShards,
  isFinished,
  isSkip,
  MONTHLY_IDEMPOTENCY_TTL_SECONDS,
  type MonthlyMarker,
  monthlyIdempotencyKey,
  monthOfRun,
  nothingToInvoice,
  runIdOf,
  type ShardCounters,
  type ShardProgress,
  type ShardWork,
  type SkipReason,
  shardOf,
  sumCounters,
} from '#domain/monthly';
import { planApplication } from '#use-cases/application-plan';
import { createApplication, firstThen } from '#use-cases/applications';
import { invoiceableFrom } from '#use-cases/ledger';

export interface StartRunEvent {
  /** The execution's input: `{}` from the schedule, `{ month }` from `npm run monthly`. */
  input?: { month?: unknown } | null;
  execution?: string;
}

export interface RunPlan {
  month: string;
  runId: string;
  /** One Map item per shard; none when the month's run has completed already. */
  shards: ShardWork[];
}

/**
 * The first step of a run (R31): which month, under which run id, and the shards to fan out
 * over. Every execution for the month joins the same run item: a second schedule delivery or
 * a restart works through the same accounts, whose markers make each count once; once the
 * run has completed, a late duplicate has nothing to do.
 */
export async function startRun(event: StartRunEvent, now: Date): Promise<RunPlan> {
  const month = monthOfRun(event.input?.month, now);
  const runId = runIdOf(month);
  const run = await joinRun(month, runId, event.execution ?? 'direct', now);
  const shards = run.status === 'completed' ? [] : allShards().map((shard) => ({ month, shard }));
  logger.info('monthly run joined', { month, status: run.status, executions: run.executions.length });
  return { month, runId, shards };
}

export interface ShardOptions {
  budgetMs: number;
  pageSize: number;
  concurrency: number;
}

export const shardOptions = (): ShardOptions => ({
  budgetMs: settings.monthlyShardSeconds() * 1000,
  pageSize: settings.monthlyPageSize(),
  concurrency: settings.monthlyAccountConcurrency(),
});

export type AccountOutcome = 'created' | 'skipped' | 'already' | 'not-opted-in';

export interface ShardResult extends ShardProgress {
  /** What this invocation did (the shard's counters are the run's truth; these are for logs). */
  outcomes: Partial<Record<AccountOutcome, number>>;
}

/**
 * One invocation of a shard's work: pages through its opted-in accounts after the cursor, a
 * page at a time, until the shard ends or the time budget is spent (always at least one
 * page), and hands back the cursor. The cursor only moves past a page once every account of
 * it is done, so a retried invocation repeats at most that page, whose markers say what is
 * done already.
 */
export async function processShard(
  work: ShardWork,
  options: ShardOptions = shardOptions(),
): Promise<ShardResult> {
  const started = Date.now();
  const outcomes: ShardResult['outcomes'] = {};
  let cursor = work.cursor;
  for (;;) {
    const accountIds = await listShardAccounts(work.shard, cursor, options.pageSize);
    const results = await mapLimit(accountIds, options.concurrency, (accountId) =>
      processAccount(accountId, work.month, new Date()),
    );
    for (const outcome of results) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (accountIds.length > 0) cursor = accountIds.at(-1);
    const done = accountIds.length < options.pageSize;
    if (done || Date.now() - started >= options.budgetMs) {
      logger.info('monthly shard step', { month: work.month, shard: work.shard, done, ...outcomes });
      return {
        month: work.month,
        shard: work.shard,
        ...(cursor === undefined ? {} : { cursor }),
        done,
        outcomes,
      };
    }
  }
}

/**
 * One account, once per month (invariant 3): the marker says whether it was done. If not, the
 * full invoiceable amount is asked for through the customer's own create path (the same
 * checks, reservation, idempotency and workflow start) under a key derived from the month, and
 * the marker ends and the run's counters move in the application's own transaction: created
 * and counted at once, or neither. Another attempt at the same account (a retried page, an
 * overlapping execution) finds the marker ended, or loses that transaction on it and on the
 * key, and counts nothing. A skipped account ends its marker in a transaction of its own.
 */
export async function processAccount(accountId: string, month: string, now: Date): Promise<AccountOutcome> {
  const shard = shardOf(accountId);
  // The marker, the profile and the ledger aggregates, read at once: never the account's records.
  const profile = keys.account(accountId);
  const markerKey = keys.monthlyMarker(accountId, month);
  const { aggregates, items } = await readLedger(accountId, now, [profile, markerKey]);
  const stored = items.get(markerKey.sk);
  const marker = stored ? stripKeys<MonthlyMarker>(stored) : undefined;
  if (isFinished(marker)) return 'already';
  // A marker claimed but not ended (written by an earlier version, which claimed first).
  if (marker) return createFromClaim(marker, shard, now);
  const { account } = accountStateOf(items.get(profile.sk));
  const autoInvoicing = account?.autoInvoicing;
  // Turned off since the shard was listed: not the run's any more.
  if (!account || !autoInvoicing?.enabled || !autoInvoicing.titleId || !autoInvoicing.delivery) {
    return 'not-opted-in';
  }
  const started: MonthlyMarker = {
    accountId,
    month,
    status: 'claimed',
    titleId: autoInvoicing.titleId,
    delivery: autoInvoicing.delivery,
    claimedAt: now.toISOString(),
  };
  // The full invoiceable amount (R10): the formula create checks the amount against.
  const { amount } = await invoiceableFrom(accountId, { account }, aggregates, now);
  if (amount <= 0) {
    const reason: SkipReason =
      account.arrears > 0
        ? {
            code: 'ARREARS_OUTSTANDING',
            detail: `The account owes ${account.arrears} fen, which is more than is invoiceable.`,
          }
        : nothingToInvoice();
    return (await finishMarker(started, shard, { kind: 'skipped', reason }, now)) ? 'skipped' : 'already';
  }
  const asked = { ...started, amount };
  const body = {
    mode: 'amount' as const,
    amount,
    titleId: autoInvoicing.titleId,
    delivery: autoInvoicing.delivery,
  };
  let ours: string | undefined;
  try {
    // No marker: nothing was accepted under the month's key (it would have ended the marker),
    // so the key is not looked up first; a concurrent attempt is answered by the key's item.
    const result = await createApplication(
      accountId,
      body,
      monthlyIdempotencyKey(month),
      now,
      MONTHLY_IDEMPOTENCY_TTL_SECONDS,
      // The first attempt plans on the profile and aggregates just read; a retry reads afresh.
      firstThen(
        (at) => planApplication(accountId, body, at, { account, aggregates }),
        (at) => planApplication(accountId, body, at),
      ),
      false,
      (application) => {
        ours = application.applicationId;
        return finishItems(
          asked,
          shard,
          { kind: 'created', applicationId: application.applicationId, total: application.total },
          now,
        );
      },
    );
    // The key's answer to another attempt's application: that attempt counted it.
    return (result.body as { applicationId: string }).applicationId === ours ? 'created' : 'already';
  } catch (error) {
    // Another attempt ended the marker (created or skipped) while this one planned.
    if (!isSkip(error) && isFinished(await getMarker(accountId, month))) return 'already';
    return skipOn(error, asked, shard, now);
  }
}

/** A claimed marker fixed what is asked for: created under the month's key (looked up first), then ended. */
async function createFromClaim(marker: MonthlyMarker, shard: string, now: Date): Promise<AccountOutcome> {
  if (marker.amount === undefined || !marker.titleId || !marker.delivery) {
    throw new Error(
      `Monthly marker of ${marker.accountId} ${marker.month} is claimed without what it asks for`,
    );
  }
  try {
    const result = await createApplication(
      marker.accountId,
      { mode: 'amount', amount: marker.amount, titleId: marker.titleId, delivery: marker.delivery },
      monthlyIdempotencyKey(marker.month),
      now,
      MONTHLY_IDEMPOTENCY_TTL_SECONDS,
    );
    const { applicationId, total } = result.body as { applicationId: string; total: number };
    const counted = await finishMarker(marker, shard, { kind: 'created', applicationId, total }, now);
    return counted ? 'created' : 'already';
  } catch (error) {
    return skipOn(error, marker, shard, now);
  }
}

/** A refusal of create (its stable code and message) ends the marker skipped; anything else is thrown. */
async function skipOn(
  error: unknown,
  marker: MonthlyMarker,
  shard: string,
  now: Date,
): Promise<AccountOutcome> {
  if (!isSkip(error)) throw error;
  const reason = { code: error.code, detail: error.message };
  return (await finishMarker(marker, shard, { kind: 'skipped', reason }, now)) ? 'skipped' : 'already';
}

export interface RunSummary extends ShardCounters {
  month: string;
  runId: string;
}

/** The last step: the run's totals from its shards' counters, and the run marked completed. */
export async function summarizeRun(month: string, now: Date): Promise<RunSummary> {
  const totals = sumCounters(await readShardCounters(month));
  await completeRun(month, totals, now);
  logger.info('monthly run completed', { month, ...totals, skippedByReason: undefined });
  return { month, runId: runIdOf(month), ...totals };
}

async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
