import { workflowTask } from '#http/workflow-task';
import { failApplication } from '#use-cases/workflow/fail';

export const handler = workflowTask(failApplication);
