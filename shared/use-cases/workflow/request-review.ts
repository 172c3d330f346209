import { getReviewedApplication, storeReviewToken } from '#adapters/application-review-repository';
import { logger } from '#adapters/logger';
import { resumeTask } from '#adapters/workflow-signal';
import { PermanentTaskError } from '#domain/workflow-errors';
import type { WorkflowTaskInput } from '#use-cases/workflow/common';

/**
 * Parks the application for finance staff (R25): the task token is kept on the application
 * so the decision endpoint can resume the workflow. If finance decided before the token got
 * here (the decision is recorded, the status moved on), this resumes the workflow itself.
 */
export async function requestReview({ applicationId, taskToken }: WorkflowTaskInput & { taskToken: string }) {
  if (await storeReviewToken(applicationId, taskToken)) return;
  const application = await getReviewedApplication(applicationId);
  if (!application) throw new PermanentTaskError(`Application ${applicationId} does not exist`);
  if (application.status === 'cancelled') {
    // Cancelled while waiting for review: nothing to issue; the Choice ends it as rejected-by-decision.
    await resumeTask(taskToken, { approved: false, cancelled: true });
    return;
  }
  if (!application.decision) {
    throw new PermanentTaskError(`Application ${applicationId} is ${application.status}, not in review`);
  }
  logger.info('decision came before the token; resuming', { applicationId });
  await resumeTask(taskToken, { approved: application.decision.approve });
}
