import { workflowTask } from '#http/workflow-task';
import { requestReview } from '#use-cases/workflow/request-review';

export const handler = workflowTask(requestReview);
