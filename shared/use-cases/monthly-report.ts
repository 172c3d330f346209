import { getRun, listSkipped, readShardCounters } from '#adapters/monthly-repository';
import { toShanghaiIso } from '#domain/calendar';
import { NotFoundError } from '#domain/errors';
import { sumCounters } from '#domain/monthly';
import { CursorId, cursorCodec } from '#schemas/cursor';
import type { MonthlyRunQuery, MonthlyRunView } from '#schemas/monthly';
import * as z from '#schemas/zod';

/**
 * GET /v1/admin/monthly-runs/{month} (R31, finance): the run's counts and amount, read live
 * from its shards' counters (each account counted once, with its marker), and the skipped
 * accounts with their reasons, a page at a time.
 */
export async function getMonthlyRun(month: string, query: MonthlyRunQuery): Promise<MonthlyRunView> {
  const run = await getRun(month);
  if (!run) throw new NotFoundError(`No monthly run for ${month}.`);
  const totals = sumCounters(await readShardCounters(month));
  const after = cursor.decode(query.cursor)?.after;
  const page = await listSkipped(month, after, query.limit);
  return {
    month,
    runId: run.runId,
    status: run.status,
    startedAt: toShanghaiIso(new Date(run.startedAt)),
    ...(run.completedAt === undefined ? {} : { completedAt: toShanghaiIso(new Date(run.completedAt)) }),
    executions: run.executions ?? [],
    processed: totals.processed,
    created: totals.created,
    createdAmount: totals.createdAmount,
    skipped: totals.skipped,
    skippedByReason: totals.skippedByReason,
    items: page.items.map((item) => ({ ...item, at: toShanghaiIso(new Date(item.at)) })),
    ...(page.last === undefined ? {} : { nextCursor: cursor.encode({ after: page.last }) }),
  };
}

const cursor = cursorCodec('monthly-run-skipped', z.object({ after: CursorId }));
