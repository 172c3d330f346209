import { getApplication } from '#adapters/application-repository';
import { dueDeadlines, stopWatchingDeadline } from '#adapters/deadline-watch';
import { logger } from '#adapters/logger';
import { emitMetric } from '#adapters/metric-line';
import { getRun } from '#adapters/monthly-repository';
import { flaggedForRecovery } from '#adapters/recovery-flags';
import { daysToCheck, providerDone } from '#domain/lifecycle';
import { monthlyRunDue } from '#domain/monthly';
import { failApplication } from '#use-cases/workflow/fail';
import { notifyFinance } from '#use-cases/workflow/notify';

/** Runs missed by less than this are caught up; watch items of older days were handled before. */
export const DEADLINE_LOOKBACK_DAYS = 14;

export interface WatchReport {
  recovered: string[];
  stillFailing: string[];
  breached: string[];
  closed: string[];
  /** The month whose run (R31) was due by now and is not completed. */
  monthlyRunOverdue?: string;
}

/**
 * The hourly check (EventBridge Scheduler): finishes failure handling that failed in the
 * workflow past its retries (invariant 5), then tells finance staff, once per application, about every open
 * application past its expectedBy (R28). Watch items of applications that are done are
 * dropped. Idempotent: a duplicated schedule delivery sends nothing twice.
 */
export async function watchApplications(now = new Date()): Promise<WatchReport> {
  const report: WatchReport = { recovered: [], stillFailing: [], breached: [], closed: [] };
  for (const { applicationId, error } of await flaggedForRecovery()) {
    try {
      // Clears the flag when it succeeds.
      await failApplication({ applicationId, error: error as { Error?: string; Cause?: string } });
      report.recovered.push(applicationId);
    } catch (failure) {
      logger.error('recovery failed; retried next hour', { applicationId, error: failure as Error });
      report.stillFailing.push(applicationId);
    }
  }
  for (const watched of await dueDeadlines(daysToCheck(now, DEADLINE_LOOKBACK_DAYS), now)) {
    const { applicationId } = watched;
    const application = await getApplication(applicationId);
    if (!application || providerDone(application)) {
      report.closed.push(applicationId);
    } else {
      // The notice carries the application's correlation id (issue 16).
      logger.setCorrelationId(application.correlationId ?? applicationId);
      await notifyFinance('deadline-breached', application);
      logger.removeKeys(['correlation_id']);
      report.breached.push(applicationId);
    }
    await stopWatchingDeadline(watched);
  }
  // R31: the month's run should be completed by 18:00 on the 10th; alarm hourly until it is.
  const month = monthlyRunDue(now);
  if (month) {
    const run = await getRun(month);
    if (run?.status !== 'completed') {
      report.monthlyRunOverdue = month;
      logger.warn('monthly run overdue', { month, status: run?.status ?? 'not started' });
      emitMetric('MonthlyRunOverdue', 1, now);
    }
  }
  logger.info('applications watched', {
    recovered: report.recovered.length,
    stillFailing: report.stillFailing.length,
    breached: report.breached.length,
    closed: report.closed.length,
    ...(report.monthlyRunOverdue ? { monthlyRunOverdue: report.monthlyRunOverdue } : {}),
  });
  return report;
}
