import { workflowTask } from '#http/workflow-task';
import { deliverInvoices } from '#use-cases/workflow';

export const handler = workflowTask(deliverInvoices);
