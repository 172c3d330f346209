import { workflowTask } from '#http/workflow-task';
import { flagApplicationForRecovery } from '#use-cases/workflow/recovery';

export const handler = workflowTask(flagApplicationForRecovery);
