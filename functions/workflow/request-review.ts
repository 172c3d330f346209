import { workflowTask } from '#http/workflow-task';
import { requestReview } from '#use-cases/workflow';

export const handler = workflowTask(requestReview);
