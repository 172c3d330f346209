import { transitionApplication } from '#adapters/application-repository';
import { getInvoice, settleInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { taxPlatform } from '#adapters/tax-platform';
import { storePlatformWait } from '#adapters/tax-platform-waits';
import { resumeTask } from '#adapters/workflow-signal';
import { entityById } from '#config/settings';
import type { Application, PlannedInvoice } from '#domain/application';
import {
  type InvoiceDraft,
  TaxPlatformPending,
  TaxPlatformRefused,
  TaxPlatformTimeout,
} from '#domain/tax-platform';
import { PermanentTaskError } from '#domain/workflow-errors';
import { allocationsOf, load, type WorkflowTaskInput } from '#use-cases/workflow/common';

/**
 * Issues every planned invoice (R26) through the tax platform port (docs/tax-platform.md),
 * keyed by the planned invoice id: an issued invoice has its number and its XML and PDF/A-3;
 * the ledger moves from reserved to invoiced for it. While the platform has not confirmed some
 * invoice this throws TaxPlatformPending and the state machine waits (AwaitTaxPlatform), then
 * comes back here; once all are issued the application is `issued`. Each part is idempotent, so a
 * retried or duplicated task yields the same invoices (invariants 2 and 3). A refusal fails the
 * application (TaxPlatformRefused: not retried, the failure path releases the rest).
 */
export async function issueInvoices({ applicationId }: WorkflowTaskInput): Promise<void> {
  const application = await load(applicationId);
  if (application.status !== 'issuing') {
    if (['issued', 'shipped', 'delivered'].includes(application.status)) return;
    throw new PermanentTaskError(`Application ${applicationId} is ${application.status}, not issuing`);
  }
  const platform = taxPlatform();
  const issued: PlannedInvoice[] = [];
  let pending = 0;
  for (const planned of application.invoices) {
    const answer = await platform.issue(draftOf(application, planned));
    if (answer.status === 'refused')
      throw new TaxPlatformRefused(`Invoice ${planned.invoiceId} refused: ${answer.reason}`);
    if (answer.status === 'pending') {
      pending++;
      continue;
    }
    const { invoice } = answer;
    await settleInvoice(invoice, allocationsOf(application, planned));
    logger.info('invoice issued', {
      applicationId,
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
    });
    issued.push({ ...planned, invoiceNumber: invoice.invoiceNumber } as PlannedInvoice);
  }
  if (pending > 0)
    throw new TaxPlatformPending(`${pending} invoice(s) of ${applicationId} await the tax platform`);
  await transitionApplication(
    applicationId,
    ['issuing'],
    'issued',
    { at: new Date().toISOString(), status: 'issued' },
    { invoices: issued },
  );
}

/**
 * AwaitTaxPlatform: parks the workflow on its task token until the platform confirmed every
 * invoice still open. The token is stored under each open invoice id first, so a callback
 * (POST /v1/tax-platform/confirmations) can resume it; then the platform is asked once, and if
 * nothing is pending any more the task resumes itself. Otherwise the state's timeout ends the
 * wait and its Retry asks again, with backoff. Past `maxWaitSeconds` since the first wait it
 * fails with TaxPlatformTimeout (not retried).
 */
export async function awaitTaxPlatform({
  applicationId,
  taskToken,
  maxWaitSeconds,
}: WorkflowTaskInput & { taskToken: string; maxWaitSeconds: number }): Promise<void> {
  const application = await load(applicationId);
  const open =
    application.status === 'issuing'
      ? (
          await Promise.all(
            application.invoices.map(async (p) => ((await getInvoice(p.invoiceId)) ? [] : [p.invoiceId])),
          )
        ).flat()
      : [];
  if (open.length > 0) {
    const since = await storePlatformWait(open, applicationId, taskToken);
    // Each wait's own retries bound one stretch of waiting; this bounds them all, also when
    // callbacks resumed the workflow while requests were still pending.
    if (Date.now() - since.getTime() > maxWaitSeconds * 1000)
      throw new TaxPlatformTimeout(`Not confirmed within ${maxWaitSeconds} s of the first wait`);
    const platform = taxPlatform();
    const states = await Promise.all(open.map((invoiceId) => platform.status(invoiceId)));
    if (states.includes('pending')) return;
  }
  logger.info('tax platform answered; resuming', { applicationId });
  await resumeTask(taskToken, {});
}

function draftOf(application: Application, planned: PlannedInvoice): InvoiceDraft {
  const entity = entityById(planned.entity);
  if (!entity) throw new PermanentTaskError(`Invoicing entity ${planned.entity} is not configured`);
  return {
    invoiceId: planned.invoiceId,
    applicationId: application.applicationId,
    accountId: application.accountId,
    kind: 'blue',
    entity: planned.entity,
    taxRate: planned.taxRate,
    amount: planned.amount,
    amountExcludingTax: planned.amountExcludingTax,
    taxAmount: planned.taxAmount,
    lines: planned.lines,
    status: 'issued',
    title: application.title,
    seller: {
      entityId: entity.entityId,
      name: entity.name,
      taxId: entity.taxId,
      address: entity.address,
      phone: entity.phone,
      bankName: entity.bankName,
      bankAccount: entity.bankAccount,
      issuer: entity.issuer,
    },
    delivery: application.delivery,
    settledChunks: [],
    ...(application.correlationId ? { correlationId: application.correlationId } : {}),
  };
}
