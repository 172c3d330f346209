import { workflowTask } from '#http/workflow-task';
import { issueInvoices } from '#use-cases/workflow/issue';

export const handler = workflowTask(issueInvoices);
