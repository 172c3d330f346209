import { workflowTask } from '#http/workflow-task';
import { reviewApplication } from '#use-cases/workflow/review';

export const handler = workflowTask(reviewApplication);
