import { getRun, listSkipped, readShardCounters } from '#adapters/monthly-repository';
import { toShanghaiIso } from '#domain/calendar';
import { NotFoundError, ValidationError } from '#domain/errors';
import { sumCounters } from '#domain/monthly';
import type { MonthlyRunQuery, MonthlyRunView } from '#schemas/monthly';

/**
 * GET /v1/admin/monthly-runs/{month} (R31, finance): the run's counts and amount, read live
 * from its shards' counters (each account counted once, with its marker), and the skipped
 * accounts with their reasons, a page at a time.
 */
export async function getMonthlyRun(month: string, query: MonthlyRunQuery): Promise<MonthlyRunView> {
  const run = await getRun(month);
  if (!run) throw new NotFoundError(`No monthly run for ${month}.`);
  const totals = sumCounters(await readShardCounters(month));
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
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
    ...(page.last === undefined ? {} : { nextCursor: encodeCursor(page.last) }),
  };
}

function encodeCursor(accountId: string): string {
  return Buffer.from(JSON.stringify({ after: accountId }), 'utf8').toString('base64url');
}

const CURSOR_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function decodeCursor(cursor: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string' && CURSOR_ID.test(decoded.after)) return decoded.after;
  } catch {
    // Reported below.
  }
  throw new ValidationError('The query does not match the schema.', [
    { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
  ]);
}
