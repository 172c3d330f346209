import { workflowTask } from '#http/workflow-task';
import { deliverInvoices } from '#use-cases/workflow/deliver';

export const handler = workflowTask(deliverInvoices);
