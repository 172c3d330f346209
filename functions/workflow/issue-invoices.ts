import { workflowTask } from '#http/workflow-task';
import { awaitTaxPlatform, issueInvoices } from '#use-cases/workflow/issue';
import { issueRedLetter } from '#use-cases/workflow/red-letter';
import type { ReturnTaskInput } from '#use-cases/workflow/return-loading';

type IssueTask =
  | { applicationId: string; step?: undefined }
  | { applicationId: string; step: 'await-tax-platform'; taskToken: string; maxWaitSeconds: number }
  | (ReturnTaskInput & { step: 'issue-red-letter' });

/**
 * Every task that issues through the tax platform port (docs/tax-platform.md) and renders
 * invoice documents: issuing an application's invoices, waiting for the platform to confirm them,
 * and the returns workflow's red-letter invoice (the state names the step). Only this function
 * bundles the PDF renderer (docs/DESIGN.md, bundle budgets).
 */
export const handler = workflowTask(async (input: IssueTask): Promise<void> => {
  if (input.step === 'issue-red-letter') return issueRedLetter(input);
  if (input.step === 'await-tax-platform') return awaitTaxPlatform(input);
  return issueInvoices(input);
});
