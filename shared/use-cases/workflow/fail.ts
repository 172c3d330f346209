import { annotateApplication, getApplication, releaseAndTransition } from '#adapters/application-repository';
import { getInvoice, settleInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import type { Allocation } from '#domain/application';
import { allocationsOf, type WorkflowTaskInput } from '#use-cases/workflow/common';

/**
 * The Catch of every task: whatever was issued stays issued (and is fully settled); every
 * other reservation is released and the application ends `failed` (invariant 5).
 */
export async function failApplication(
  input: WorkflowTaskInput & { error?: { Error?: string; Cause?: string } },
) {
  const application = await getApplication(input.applicationId);
  if (!application) {
    logger.error('failed execution for an unknown application', { applicationId: input.applicationId });
    return;
  }
  const reason = input.error?.Error ?? 'UnknownError';
  logger.error('application failed', { applicationId: application.applicationId, reason });
  if (['issued', 'shipped', 'delivered'].includes(application.status)) {
    await annotateApplication(
      application.applicationId,
      {},
      {
        at: new Date().toISOString(),
        status: application.status,
        note: `delivery failed (${reason}); finance staff will follow up`,
      },
    );
    return;
  }
  const toRelease: Allocation[] = [];
  for (const planned of application.invoices) {
    const invoice = await getInvoice(planned.invoiceId);
    if (invoice) await settleInvoice(invoice, allocationsOf(application, planned));
    else toRelease.push(...allocationsOf(application, planned));
  }
  await releaseAndTransition(
    application,
    ['submitted', 'in-review', 'issuing'],
    'failed',
    { at: new Date().toISOString(), status: 'failed', note: reason },
    toRelease,
    { failureReason: reason },
  );
}
