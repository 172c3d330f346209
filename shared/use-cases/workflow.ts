import { getAccount } from '#adapters/account-repository';
import {
  annotateApplication,
  getApplication,
  releaseAndTransition,
  transitionApplication,
} from '#adapters/application-repository';
import { getPdf, invoicePdfKey, putPdf } from '#adapters/document-store';
import { getInvoice, issueWithNextNumber, setInvoicePdf, settleInvoice } from '#adapters/invoice-repository';
import { sendMail } from '#adapters/mailer';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import { entityById, settings } from '#config/settings';
import type { Allocation, Application, PlannedInvoice } from '#domain/application';
import { formatInvoiceNumber, type IssuedInvoice } from '#domain/issued-invoice';
import { invoiceEmail } from '#domain/notifications';
import { PermanentTaskError } from '#domain/workflow-errors';
import { logger } from '#http/handler';

export interface WorkflowTaskInput {
  applicationId: string;
}

export type ReviewDecision = 'approved' | 'manual' | 'cancelled';

async function load(applicationId: string): Promise<Application> {
  const application = await getApplication(applicationId);
  if (!application) throw new PermanentTaskError(`Application ${applicationId} does not exist`);
  return application;
}

/**
 * After the cancellation deadline (R24, R25): special, paper and large applications wait for
 * finance staff; the rest is approved by rule. A retry finds the status already moved and
 * answers the same decision.
 */
export async function reviewApplication({
  applicationId,
}: WorkflowTaskInput): Promise<{ decision: ReviewDecision }> {
  const application = await load(applicationId);
  if (application.status === 'cancelled') return { decision: 'cancelled' };
  if (application.status === 'in-review') return { decision: 'manual' };
  if (application.status !== 'submitted') return { decision: 'approved' };
  const manual =
    application.title.type === 'enterprise-special' ||
    application.delivery.medium === 'paper' ||
    application.total > settings.reviewThresholdFen();
  const now = new Date().toISOString();
  const moved = manual
    ? await transitionApplication(applicationId, ['submitted'], 'in-review', { at: now, status: 'in-review' })
    : await transitionApplication(applicationId, ['submitted'], 'issuing', {
        at: now,
        status: 'issuing',
        note: 'approved by rule',
      });
  if (!moved) return reviewApplication({ applicationId });
  return { decision: manual ? 'manual' : 'approved' };
}

/** A record belongs to one (entity, tax rate), so an invoice's allocations are those of its records. */
function allocationsOf(application: Application, planned: PlannedInvoice): Allocation[] {
  const records = new Set(planned.recordIds);
  return application.allocations.filter((a) => records.has(a.recordId));
}

/**
 * Issues every planned invoice (R26): next number of its entity, ledger moved from reserved
 * to invoiced, PDF rendered and stored. Each part is idempotent, so a retried or duplicated
 * task yields the same invoices (invariants 2 and 3).
 */
export async function issueInvoices({ applicationId }: WorkflowTaskInput): Promise<void> {
  const application = await load(applicationId);
  if (application.status !== 'issuing') {
    if (['issued', 'shipped', 'delivered'].includes(application.status)) return;
    throw new PermanentTaskError(`Application ${applicationId} is ${application.status}, not issuing`);
  }
  const issued: PlannedInvoice[] = [];
  for (const planned of application.invoices) {
    const invoice = await issueWithNextNumber((sequence) =>
      buildInvoice(application, planned, sequence, new Date()),
    );
    await settleInvoice(invoice, allocationsOf(application, planned));
    if (!invoice.pdfKey) {
      const key = invoicePdfKey(invoice.accountId, invoice.invoiceId);
      await putPdf(key, await renderInvoicePdf(toDocument(invoice)));
      await setInvoicePdf(invoice.invoiceId, key);
    }
    logger.info('invoice issued', {
      applicationId,
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
    });
    issued.push({ ...planned, invoiceNumber: invoice.invoiceNumber } as PlannedInvoice);
  }
  await transitionApplication(
    applicationId,
    ['issuing'],
    'issued',
    { at: new Date().toISOString(), status: 'issued' },
    { invoices: issued },
  );
}

function buildInvoice(
  application: Application,
  planned: PlannedInvoice,
  sequence: number,
  now: Date,
): IssuedInvoice {
  const entity = entityById(planned.entity);
  if (!entity) throw new PermanentTaskError(`Invoicing entity ${planned.entity} is not configured`);
  return {
    invoiceId: planned.invoiceId,
    invoiceNumber: formatInvoiceNumber(now, entity.numberPrefix, sequence),
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
    issuedAt: now.toISOString(),
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
  };
}

export function toDocument(invoice: IssuedInvoice) {
  return {
    invoiceNumber: invoice.invoiceNumber,
    kind: invoice.kind,
    invoiceType: invoice.title.type,
    issuedAt: invoice.issuedAt,
    buyer: invoice.title,
    seller: invoice.seller,
    lines: invoice.lines.map((line) => ({
      itemName: line.itemName,
      specification: line.specification,
      amountExcludingTax: line.amountExcludingTax,
      taxRate: invoice.taxRate,
      taxAmount: line.taxAmount,
    })),
    amountExcludingTax: invoice.amountExcludingTax,
    taxAmount: invoice.taxAmount,
    total: invoice.amount,
    taxRate: invoice.taxRate,
    remarks: invoice.title.remark,
    issuer: invoice.seller.issuer,
  };
}

/**
 * Electronic delivery (R27, R30): one e-mail with every invoice's PDF attached. The sent
 * mark makes a retried or duplicated task send nothing more.
 */
export async function deliverInvoices({ applicationId }: WorkflowTaskInput): Promise<void> {
  const application = await load(applicationId);
  if (application.emailedAt || application.delivery.medium !== 'electronic') return;
  const [account, invoices] = await Promise.all([
    getAccount(application.accountId),
    Promise.all(application.invoices.map((i) => getInvoice(i.invoiceId))),
  ]);
  const attachments = [];
  for (const invoice of invoices) {
    if (!invoice?.pdfKey) throw new PermanentTaskError(`Invoice of ${applicationId} has no PDF`);
    const pdf = await getPdf(invoice.pdfKey);
    if (!pdf) throw new PermanentTaskError(`PDF ${invoice.pdfKey} is missing`);
    attachments.push({
      filename: `${invoice.invoiceNumber}.pdf`,
      contentType: 'application/pdf',
      content: pdf,
    });
  }
  const mail = invoiceEmail(account?.language ?? 'zh', application, invoices as IssuedInvoice[]);
  const messageId = await sendMail({ to: application.delivery.email, ...mail, attachments });
  const now = new Date().toISOString();
  await annotateApplication(
    applicationId,
    { emailedAt: now },
    { at: now, status: 'issued', note: `e-mailed to ${application.delivery.email}` },
  );
  logger.info('invoices e-mailed', { applicationId, messageId });
}

/**
 * The Catch of every task: whatever was issued stays issued (and is fully settled); every
 * other reservation is released and the application ends `failed` (invariant 5).
 */
export async function failApplication(
  input: WorkflowTaskInput & { error?: { Error?: string; Cause?: string } },
) {
  const application = await load(input.applicationId);
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

/**
 * Parks the application for finance staff (R25): the task token is kept on the application
 * so the decision endpoint can resume the workflow.
 */
export async function requestReview({ applicationId, taskToken }: WorkflowTaskInput & { taskToken: string }) {
  await annotateApplication(applicationId, { reviewTaskToken: taskToken });
}
