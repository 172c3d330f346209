import { getApplication } from '#adapters/application-repository';
import { leaveSubmitted } from '#adapters/application-review-repository';
import { logger } from '#adapters/logger';
import * as settings from '#config/settings';
import { ApplicationNotStoredYetError, PermanentTaskError } from '#domain/workflow-errors';
import type { WorkflowTaskInput } from '#use-cases/workflow/common';

export type ReviewDecision = 'approved' | 'manual' | 'cancelled' | 'not-accepted';

/** The workflow's input: create starts it before the application is stored (invariant 4). */
export interface ReviewInput extends WorkflowTaskInput {
  acceptBy?: string;
}

/**
 * After the cancellation deadline (R24, R25): special, paper and large applications wait for
 * finance staff; the rest is approved by rule. Either way the deadline watch starts (R28). A
 * retry finds the status already moved and answers the same decision.
 *
 * The workflow starts before its application is stored: an application not (yet) in the table
 * is waited for until `acceptBy` (ApplicationNotStoredYet is retried with backoff), and after
 * that it was never accepted (its transaction failed, or its creator died): 'not-accepted', and
 * the workflow ends without touching anything.
 */
export async function reviewApplication(
  input: ReviewInput,
  clock: () => number = Date.now,
): Promise<{ decision: ReviewDecision }> {
  const { applicationId, acceptBy } = input;
  const application = await getApplication(applicationId);
  if (!application) {
    if (acceptBy === undefined) throw new PermanentTaskError(`Application ${applicationId} does not exist`);
    if (clock() < Date.parse(acceptBy))
      throw new ApplicationNotStoredYetError(`Application ${applicationId} is not stored yet`);
    logger.warn('application never accepted; its workflow ends', { applicationId, acceptBy });
    return { decision: 'not-accepted' };
  }
  if (application.status === 'cancelled') return { decision: 'cancelled' };
  if (application.status === 'in-review') return { decision: 'manual' };
  if (application.status !== 'submitted') return { decision: 'approved' };
  const manual =
    application.title.type === 'enterprise-special' ||
    application.delivery.medium === 'paper' ||
    application.total > settings.reviewThresholdFen();
  const at = new Date().toISOString();
  const moved = manual
    ? await leaveSubmitted(application, 'in-review', { at, status: 'in-review' })
    : await leaveSubmitted(application, 'issuing', { at, status: 'issuing', note: 'approved by rule' });
  if (!moved) return reviewApplication(input, clock);
  const decision = manual ? 'manual' : 'approved';
  logger.info('application reviewed', { applicationId, decision });
  return { decision };
}
