import { workflowTask } from '#http/workflow-task';
import { issueInvoices } from '#use-cases/workflow/issue';
import { issueRedLetter } from '#use-cases/workflow/red-letter';
import type { ReturnTaskInput } from '#use-cases/workflow/return-loading';

type IssueTask = { applicationId: string } | (ReturnTaskInput & { step: 'issue-red-letter' });

/**
 * Every task that renders invoice PDFs: issuing an application's invoices, and the returns
 * workflow's red-letter invoice (its state names the step). Only this function bundles the PDF
 * renderer (docs/DESIGN.md, bundle budgets).
 */
export const handler = workflowTask((input: IssueTask) =>
  'step' in input && input.step === 'issue-red-letter' ? issueRedLetter(input) : issueInvoices(input),
);
