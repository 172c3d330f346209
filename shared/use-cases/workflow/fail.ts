import { annotateApplication, getApplication, releaseAndTransition } from '#adapters/application-repository';
import { leaveReviewQueue } from '#adapters/application-review-repository';
import { stopWatchingDeadline } from '#adapters/deadline-watch';
import { getInvoice, settleInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { clearRecoveryFlag, flagForRecovery } from '#adapters/recovery-flags';
import type { Allocation, Application } from '#domain/application';
import { allocationsOf, type WorkflowTaskInput } from '#use-cases/workflow/common';
import { notifyFailed, notifyFinance } from '#use-cases/workflow/notify';

export interface FailInput extends WorkflowTaskInput {
  error?: { Error?: string; Cause?: string };
}

/**
 * The Catch of every task: whatever was issued stays issued (and is fully settled); every
 * other reservation is released, the application ends `failed` and the customer is told
 * (invariant 5, R30). An application whose invoices are issued but could not be delivered
 * stays `issued` and finance staff are told. Safe to repeat: releases and e-mails happen once.
 *
 * The application is flagged for recovery first and unflagged last: if this fails past its
 * retries, the hourly watch (watch.ts) runs it again until it succeeds.
 */
export async function failApplication(input: FailInput): Promise<void> {
  const application = await getApplication(input.applicationId);
  if (!application) {
    logger.error('failed execution for an unknown application', { applicationId: input.applicationId });
    return;
  }
  const reason = input.error?.Error ?? 'UnknownError';
  logger.error('application failed', { applicationId: application.applicationId, reason });
  await flagForRecovery(application.applicationId, input.error ?? {}, new Date().toISOString());
  await handleFailure(application, reason);
  await clearRecoveryFlag(application.applicationId);
}

async function handleFailure(application: Application, reason: string): Promise<void> {
  if (['issued', 'shipped', 'delivered'].includes(application.status)) {
    if (
      application.status === 'issued' &&
      !application.timeline.some((t) => t.note?.startsWith('delivery failed'))
    ) {
      await annotateApplication(
        application.applicationId,
        {},
        {
          at: new Date().toISOString(),
          status: application.status,
          note: `delivery failed (${reason}); finance staff will follow up`,
        },
      );
    }
    if (application.status === 'issued') await notifyFinance('delivery-failed', application, reason);
    return;
  }
  const toRelease: Allocation[] = [];
  for (const planned of application.invoices) {
    const invoice = await getInvoice(planned.invoiceId);
    if (invoice) await settleInvoice(invoice, allocationsOf(application, planned));
    else toRelease.push(...allocationsOf(application, planned));
  }
  const failed = await releaseAndTransition(
    application,
    ['submitted', 'in-review', 'issuing'],
    'failed',
    { at: new Date().toISOString(), status: 'failed', note: reason },
    toRelease,
    { failureReason: reason },
  );
  if (!failed) {
    // Moved on meanwhile (rejected, cancelled): whoever moved it released what it held.
    logger.info('application no longer failable', { applicationId: application.applicationId });
    return;
  }
  await leaveReviewQueue(application.applicationId);
  await stopWatchingDeadline(application);
  await notifyFailed({ ...application, status: 'failed' });
  // The tax platform refused, or its confirmation did not come in time (AwaitTaxPlatform's last
  // timeout): finance hears of it too, since the platform may still confirm later (docs/tax-platform.md).
  if (application.status === 'issuing' && TAX_PLATFORM_FAILURES.includes(reason))
    await notifyFinance('tax-platform-failed', application, reason);
}

const TAX_PLATFORM_FAILURES = ['TaxPlatformRefused', 'TaxPlatformTimeout', 'States.Timeout'];
