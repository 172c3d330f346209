import { transitionApplication } from '#adapters/application-repository';
import { settings } from '#config/settings';
import { load, type WorkflowTaskInput } from '#use-cases/workflow/common';

export type ReviewDecision = 'approved' | 'manual' | 'cancelled';

/**
 * After the cancellation deadline (R24, R25): special, paper and large applications wait for
 * finance staff; the rest is approved by rule. A retry finds the status already moved and
 * answers the same decision.
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
  const now = new Date().toISOString();
  const moved = manual
    ? await transitionApplication(applicationId, ['submitted'], 'in-review', { at: now, status: 'in-review' })
    : await transitionApplication(applicationId, ['submitted'], 'issuing', {
        at: now,
        status: 'issuing',
        note: 'approved by rule',
      });
  if (!moved) return reviewApplication({ applicationId });
  return { decision: manual ? 'manual' : 'approved' };
}
