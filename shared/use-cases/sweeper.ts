import { abandonReservation } from '#adapters/application-creation';
import { listWorkflowPending, type PendingApplication } from '#adapters/application-listing';
import { markWorkflowStarted } from '#adapters/application-repository';
import { logger } from '#adapters/logger';
import { listReturnsWorkflowPending, markReturnWorkflowStarted } from '#adapters/return-repository';
import { returnWorkflowInput, startReturnWorkflow } from '#adapters/returns-workflow-client';
import { startApplicationWorkflow } from '#adapters/workflow-client';
import type { InvoiceReturn, ReturnStatus } from '#domain/returns';

export interface SweepOptions {
  now: Date;
  /** Applications and returns left pending this long get their workflow started (default 60 s). */
  pendingOlderThanMs?: number;
  /** Chunked reservations unfinished this long are undone (default 5 min; creators live ≤ 25 s). */
  reservingOlderThanMs?: number;
  /** At most this many applications, and as many returns, per run; the next continues (default 500). */
  limit?: number;
}

export interface SweepResult {
  /** Applications whose workflow this run started, and those it found started (or ended). */
  started: number;
  cleared: number;
  rolledBack: number;
  /** The same for returns (R34). */
  returnsStarted: number;
  returnsCleared: number;
  failed: number;
}

/** Return statuses whose workflow has yet to run: a return still in one is started. */
const RETURN_WORKFLOW_AHEAD: readonly ReturnStatus[] = ['awaiting-arrival', 'crediting'];

const CONCURRENCY = 8;

/**
 * Invariant 4: an accepted application (or return) is never lost. Create starts the workflow
 * before it stores the application; when the start failed, it stores the application with a
 * pending-workflow mark, and this run (every minute, EventBridge Scheduler) starts the execution
 * (named after the application, so a start that did happen is found, not repeated) and clears
 * the mark. A chunked reservation carries the mark while it reserves. An application no longer `submitted` was started
 * (or cancelled before it was): only its mark is cleared. Chunked reservations that never
 * finished are released chunk by chunk exactly once and removed. Returns (R34) are on a list
 * of their own, the same way: written on it with the return, off it once StartExecution
 * answered; the sweeper starts those still ahead of their workflow (named after the return).
 */
export async function sweepPending(options: SweepOptions): Promise<SweepResult> {
  const pendingMs = options.pendingOlderThanMs ?? 60_000;
  const reservingMs = options.reservingOlderThanMs ?? 5 * 60_000;
  const before = new Date(options.now.getTime() - pendingMs).toISOString();
  const reservingBefore = new Date(options.now.getTime() - reservingMs).toISOString();
  const limit = options.limit ?? 500;
  const [pending, returns] = await Promise.all([
    listWorkflowPending(before, limit),
    listReturnsWorkflowPending(before, limit),
  ]);
  const result: SweepResult = {
    started: 0,
    cleared: 0,
    rolledBack: 0,
    returnsStarted: 0,
    returnsCleared: 0,
    failed: 0,
  };
  const queue: { id: string; sweep: () => Promise<void> }[] = [
    ...pending.map((application) => ({
      id: application.applicationId,
      sweep: async () => {
        const done = await sweepOne(application, reservingBefore, options.now);
        if (done) result[done]++;
      },
    })),
    ...returns.map((invoiceReturn) => ({
      id: invoiceReturn.returnId,
      sweep: async () => {
        result[await sweepReturn(invoiceReturn)]++;
      },
    })),
  ];
  const work = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        await next.sweep();
      } catch (error) {
        result.failed++;
        logger.error('sweep failed; the next run retries', { id: next.id, error: error as Error });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  if (pending.length + returns.length > 0) logger.info('swept pending workflows', { ...result });
  return result;
}

async function sweepOne(
  application: PendingApplication,
  reservingBefore: string,
  now: Date,
): Promise<'started' | 'cleared' | 'rolledBack' | undefined> {
  const { applicationId } = application;
  if (application.status === 'reserving' || application.status === 'abandoned') {
    if (application.submittedAt >= reservingBefore) return undefined;
    const outcome = await abandonReservation(applicationId);
    if (outcome !== 'rolled-back') return undefined;
    logger.warn('unfinished reservation undone', { applicationId });
    return 'rolledBack';
  }
  if (application.status !== 'submitted') {
    await markWorkflowStarted(applicationId);
    return 'cleared';
  }
  await startApplicationWorkflow({
    applicationId,
    accountId: application.accountId,
    waitUntil: application.cancellableUntil,
    // Stored already: the workflow finds it.
    acceptBy: now.toISOString(),
    correlationId: application.correlationId ?? applicationId,
  });
  await markWorkflowStarted(applicationId);
  logger.warn('workflow started by the sweeper', { applicationId });
  return 'started';
}

async function sweepReturn(invoiceReturn: InvoiceReturn): Promise<'returnsStarted' | 'returnsCleared'> {
  const { returnId } = invoiceReturn;
  if (!RETURN_WORKFLOW_AHEAD.includes(invoiceReturn.status)) {
    await markReturnWorkflowStarted(returnId);
    return 'returnsCleared';
  }
  await startReturnWorkflow(returnWorkflowInput(invoiceReturn));
  await markReturnWorkflowStarted(returnId);
  logger.warn('return workflow started by the sweeper', { returnId });
  return 'returnsStarted';
}
