import { leaveSubmitted } from '#adapters/application-review-repository';
import { logger } from '#adapters/logger';
import * as settings from '#config/settings';
import { load, type WorkflowTaskInput } from '#use-cases/workflow/common';

export type ReviewDecision = 'approved' | 'manual' | 'cancelled';

/**
 * After the cancellation deadline (R24, R25): special, paper and large applications wait for
 * finance staff; the rest is approved by rule. Either way the deadline watch starts (R28). A
 * retry finds the status already moved and answers the same decision.
 */
export async function reviewApplication({
  applicationId,
}: WorkflowTaskInput): Promise<{ decision: ReviewDecision }> {
  const application = await load(applicationId);
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
  if (!moved) return reviewApplication({ applicationId });
  const decision = manual ? 'manual' : 'approved';
  logger.info('application reviewed', { applicationId, decision });
  return { decision };
}
