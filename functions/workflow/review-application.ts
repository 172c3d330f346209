import { workflowTask } from '#http/workflow-task';
import { reviewApplication } from '#use-cases/workflow';

export const handler = workflowTask(reviewApplication);
