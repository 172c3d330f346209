import { workflowTask } from '#http/workflow-task';
import { issueInvoices } from '#use-cases/workflow';

export const handler = workflowTask(issueInvoices);
