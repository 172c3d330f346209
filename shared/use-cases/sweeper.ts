import { abandonReservation } from '#adapters/application-creation';
import { listWorkflowPending, type PendingApplication } from '#adapters/application-listing';
import { markWorkflowStarted } from '#adapters/application-repository';
import { logger } from '#adapters/logger';
import { startApplicationWorkflow } from '#adapters/workflow-client';

export interface SweepOptions {
  now: Date;
  /** Accepted applications left pending this long get their workflow started (default 60 s). */
  pendingOlderThanMs?: number;
  /** Chunked reservations unfinished this long are undone (default 5 min; creators live ≤ 10 s). */
  reservingOlderThanMs?: number;
  /** At most this many applications per run; the next run continues (default 500). */
  limit?: number;
}

export interface SweepResult {
  started: number;
  cleared: number;
  rolledBack: number;
  failed: number;
}

const CONCURRENCY = 8;

/**
 * Invariant 4: an accepted application is never lost. Create writes the application with a
 * pending-workflow mark and clears it once StartExecution answered; if the process died in
 * between, or the start failed, the mark stays and this run (every minute, EventBridge
 * Scheduler) starts the execution (named after the application, so a start that did happen is
 * found, not repeated) and clears the mark. An application no longer `submitted` was started
 * (or cancelled before it was): only its mark is cleared. Chunked reservations that never
 * finished are released chunk by chunk exactly once and removed.
 */
export async function sweepPending(options: SweepOptions): Promise<SweepResult> {
  const pendingMs = options.pendingOlderThanMs ?? 60_000;
  const reservingMs = options.reservingOlderThanMs ?? 5 * 60_000;
  const before = new Date(options.now.getTime() - pendingMs).toISOString();
  const reservingBefore = new Date(options.now.getTime() - reservingMs).toISOString();
  const pending = await listWorkflowPending(before, options.limit ?? 500);
  const result: SweepResult = { started: 0, cleared: 0, rolledBack: 0, failed: 0 };
  const queue = [...pending];
  const work = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      try {
        const done = await sweepOne(next, reservingBefore);
        if (done) result[done]++;
      } catch (error) {
        result.failed++;
        logger.error('sweep failed; the next run retries', {
          applicationId: next.applicationId,
          error: error as Error,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, work));
  if (pending.length > 0) logger.info('swept pending applications', { ...result });
  return result;
}

async function sweepOne(
  application: PendingApplication,
  reservingBefore: string,
): Promise<keyof Omit<SweepResult, 'failed'> | undefined> {
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
  });
  await markWorkflowStarted(applicationId);
  logger.warn('workflow started by the sweeper', { applicationId });
  return 'started';
}
