import { advanceApplication, getApplication, releaseAndTransition } from '#adapters/application-repository';
import {
  approveInReview,
  closeRejectedReview,
  getReviewedApplication,
  markDecisionSignalled,
  type ReviewDecision,
  type ReviewedApplication,
} from '#adapters/application-review-repository';
import { stopWatchingDeadline } from '#adapters/deadline-watch';
import { getInvoice, markShipped } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { resumeTask } from '#adapters/workflow-signal';
import { ConflictError, NotFoundError } from '#domain/errors';
import type { Shipment } from '#domain/issued-invoice';
import { allReached } from '#domain/lifecycle';
import { NoticeInFlightError } from '#domain/workflow-errors';
import type { ApplicationDecisionBody, ShipmentBody } from '#schemas/invoices';
import { applicationView, invoiceView } from '#use-cases/views';
import { notifyRejected, notifyShipped } from '#use-cases/workflow/notify';

/** A notice another request is sending right now: the caller may simply retry. */
async function once(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (error instanceof NoticeInFlightError)
      throw new ConflictError('The same notice is being sent; retry.');
    throw error;
  }
}

/**
 * R25: finance approves (→ `issuing`, the workflow resumes and issues) or rejects with a
 * reason (→ `rejected`, every reservation released, the customer e-mailed why, the workflow
 * ends). Each step is safe to repeat, so a request that failed half-way can be sent again and
 * finishes the same decision; anything else not in review answers 409.
 */
export async function decideApplication(applicationId: string, body: ApplicationDecisionBody, now: Date) {
  const current = await getReviewedApplication(applicationId);
  if (!current) throw new NotFoundError(`No application ${applicationId}.`);
  const decision: ReviewDecision = { approve: body.approve, reason: body.reason, at: now.toISOString() };
  let decided: ReviewedApplication | undefined;
  if (current.status === 'in-review') {
    decided = body.approve ? await approve(current, decision) : await reject(current, decision);
  }
  if (!decided) {
    // Not (or no longer) in review: only the unfinished remainder of this same decision may go on.
    const latest = (await getReviewedApplication(applicationId)) ?? current;
    const unfinished =
      latest.decisionSignalledAt === undefined &&
      (body.approve ? latest.decision?.approve === true : latest.status === 'rejected');
    if (!unfinished)
      throw new ConflictError(`Application ${applicationId} is ${latest.status}, not in review.`);
    decided = body.approve ? latest : await closeRejectedReview(applicationId, decision);
  }
  await resume(decided, now);
  if (!body.approve) {
    await stopWatchingDeadline(decided);
    await once(() => notifyRejected(decided, decided.decision?.reason ?? decision.reason ?? ''));
  }
  logger.info('application decided', { applicationId, approved: body.approve });
  return applicationView((await getApplication(applicationId)) ?? decided);
}

async function approve(application: ReviewedApplication, decision: ReviewDecision) {
  return approveInReview(application.applicationId, decision, {
    at: decision.at,
    status: 'issuing',
    note: 'approved by finance',
  });
}

async function reject(application: ReviewedApplication, decision: ReviewDecision) {
  const moved = await releaseAndTransition(
    application,
    ['in-review'],
    'rejected',
    { at: decision.at, status: 'rejected', note: decision.reason },
    application.allocations,
    { failureReason: decision.reason },
  );
  return moved ? closeRejectedReview(application.applicationId, decision) : undefined;
}

/**
 * Hands the decision to the waiting workflow. Without a token yet, the review task has not
 * stored it: when it does, it finds the decision and resumes the workflow itself.
 */
async function resume(application: ReviewedApplication, now: Date): Promise<void> {
  if (!application.reviewTaskToken) return;
  const outcome = await resumeTask(application.reviewTaskToken, {
    approved: application.decision?.approve === true,
  });
  if (outcome === 'gone')
    logger.warn('the workflow no longer waited for the decision', {
      applicationId: application.applicationId,
    });
  await markDecisionSignalled(application.applicationId, now.toISOString());
}

/**
 * R27: finance records that a paper invoice left (courier and tracking number, or pickup);
 * the customer is e-mailed the tracking number, and the application is `shipped` once all its
 * invoices are. Repeating the same shipment finishes what a failed attempt left undone.
 */
export async function recordShipment(invoiceId: string, body: ShipmentBody, now: Date) {
  const invoice = await getInvoice(invoiceId);
  if (!invoice) throw new NotFoundError(`No invoice ${invoiceId}.`);
  if (invoice.delivery.medium !== 'paper') {
    throw new ConflictError(`Invoice ${invoiceId} is electronic; only paper invoices are shipped.`);
  }
  const application = await getApplication(invoice.applicationId);
  if (!application || !['issued', 'shipped'].includes(application.status)) {
    throw new ConflictError(`Application ${invoice.applicationId} is not issued yet.`);
  }
  const shipment: Shipment = {
    courier: body.courier,
    ...(body.trackingNumber ? { trackingNumber: body.trackingNumber } : {}),
    shippedAt: now.toISOString(),
  };
  let shipped = await markShipped(invoiceId, shipment);
  if (!shipped) {
    const latest = await getInvoice(invoiceId);
    const same =
      latest?.status === 'shipped' &&
      latest.shipment?.courier === body.courier &&
      latest.shipment?.trackingNumber === body.trackingNumber;
    if (!same)
      throw new ConflictError(`Invoice ${invoiceId} is ${latest?.status}, not waiting to be shipped.`);
    shipped = latest;
  }
  const all = await Promise.all(application.invoices.map((i) => getInvoice(i.invoiceId)));
  if (all.every((i) => i !== undefined) && allReached(all, ['shipped', 'delivered'])) {
    const moved = await advanceApplication(application.applicationId, ['issued'], 'shipped', {
      at: shipment.shippedAt,
      status: 'shipped',
      note: shipment.trackingNumber ? `${shipment.courier} ${shipment.trackingNumber}` : shipment.courier,
    });
    if (moved) await stopWatchingDeadline(application);
  }
  await once(() => notifyShipped(shipped, shipped.shipment ?? shipment));
  logger.info('invoice shipped', { invoiceId, courier: body.courier });
  return invoiceView(shipped);
}
