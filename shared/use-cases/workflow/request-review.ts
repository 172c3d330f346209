import { annotateApplication } from '#adapters/application-repository';
import type { WorkflowTaskInput } from '#use-cases/workflow/common';

/**
 * Parks the application for finance staff (R25): the task token is kept on the application
 * so the decision endpoint can resume the workflow.
 */
export async function requestReview({ applicationId, taskToken }: WorkflowTaskInput & { taskToken: string }) {
  await annotateApplication(applicationId, { reviewTaskToken: taskToken });
}
