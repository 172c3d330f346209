import { getAccount } from '#adapters/account-repository';
import { annotateApplication } from '#adapters/application-repository';
import { getPdf } from '#adapters/document-store';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { sendMail } from '#adapters/mailer';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { invoiceEmail } from '#domain/notifications';
import { PermanentTaskError } from '#domain/workflow-errors';
import { load, type WorkflowTaskInput } from '#use-cases/workflow/common';

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
