import { workflowTask } from '#http/workflow-task';
import { failApplication } from '#use-cases/workflow';

export const handler = workflowTask(failApplication);
