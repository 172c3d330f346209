import { getApplication, releaseAndTransition } from '#adapters/application-repository';
import { leaveReviewQueue } from '#adapters/application-review-repository';
import { logger } from '#adapters/logger';
import { stopApplicationWorkflow } from '#adapters/workflow-client';
import { type Application, assertCancellable } from '#domain/application';
import { CancelWindowClosedError, NotFoundError } from '#domain/errors';
import type { ApplicationView } from '#schemas/applications';
import { applicationView } from '#use-cases/views';
import { notifyCancelled } from '#use-cases/workflow/notify';

/**
 * R24: the customer cancels until `cancellableUntil` and before issuing starts. The status
 * change and the release of every reservation are one conditional write (then chunk by chunk,
 * each once: releaseAndTransition), so a race with the workflow's review step ends one way
 * only: either the review moved the application on first (409 CANCEL_WINDOW_CLOSED) or the
 * cancellation won, and the review, finding `cancelled`, ends the workflow. The execution is
 * then stopped; if that fails the workflow still ends at its next step. Cancelling a
 * cancelled application answers it as it stands.
 */
export async function cancelApplication(
  accountId: string,
  applicationId: string,
  now: Date,
): Promise<ApplicationView> {
  const application = await getApplication(applicationId);
  if (!application || application.accountId !== accountId) {
    throw new NotFoundError(`No application ${applicationId}.`);
  }
  if (application.status === 'cancelled') {
    // A repeated cancel also finishes a notice the first one could not send (sent once at most).
    await onApplicationCancelled(application);
    return applicationView(application);
  }
  assertCancellable(application, now);
  const moved = await releaseAndTransition(
    application,
    ['submitted', 'in-review'],
    'cancelled',
    { at: now.toISOString(), status: 'cancelled', note: 'cancelled by the customer' },
    application.allocations,
  );
  const current = (await getApplication(applicationId))!;
  if (!moved) {
    if (current.status === 'cancelled') return applicationView(current);
    throw new CancelWindowClosedError(`The application is ${current.status}; issuing has started.`);
  }
  try {
    await stopApplicationWorkflow(applicationId, 'cancelled by the customer');
  } catch (error) {
    logger.warn('could not stop the workflow; it ends when it reads the status', {
      applicationId,
      error: error as Error,
    });
  }
  await onApplicationCancelled(current);
  return applicationView(current);
}

/**
 * After a cancellation took effect (reservations released, workflow stopped): the application
 * leaves finance's review list and the customer is told (R30), once. The cancellation stands
 * whatever happens here; a failed notice is logged and sent by the next cancel request.
 */
export async function onApplicationCancelled(application: Application): Promise<void> {
  logger.info('application cancelled', {
    applicationId: application.applicationId,
    total: application.total,
  });
  try {
    await leaveReviewQueue(application.applicationId);
    await notifyCancelled(application);
  } catch (error) {
    logger.error('cancellation notice not sent', {
      applicationId: application.applicationId,
      error: error as Error,
    });
  }
}
