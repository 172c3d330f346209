import { advanceApplication } from '#adapters/application-repository';
import { stopWatchingDeadline } from '#adapters/deadline-watch';
import { MAX_LINK_SECONDS, pdfDownloadUrl } from '#adapters/document-store';
import { keys } from '#adapters/dynamodb';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import type { Attachment } from '#adapters/mailer';
import { getPaperStockNotice } from '#adapters/paper-stock-notice';
import * as settings from '#config/settings';
import type { Application } from '#domain/application';
import { fitsAsAttachments, MAX_ATTACHMENT_BYTES } from '#domain/invoice-document';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { invoiceEmail } from '#domain/notifications';
import { PermanentTaskError } from '#domain/workflow-errors';
import { invoiceAttachments } from '#use-cases/workflow/attachments';
import { load, type WorkflowTaskInput } from '#use-cases/workflow/common';
import { languageOf, links, sendOnce } from '#use-cases/workflow/notify';

/**
 * Delivery after issuing (R27, R30). Electronic: one e-mail with every invoice's PDF/A-3 and XML attached
 * (download links instead when they would not fit in one SES message); the application is then
 * `delivered`. Paper: the customer is told the invoices are issued and will be mailed (with the
 * paper-stock notice, R36); the application waits as `issued` for finance to ship them.
 * The e-mail is sent once (a claim and a sent mark on the application), so a retried or
 * duplicated task sends nothing more (invariant 3).
 */
export async function deliverInvoices({ applicationId }: WorkflowTaskInput): Promise<void> {
  const application = await load(applicationId);
  if (application.status !== 'issued') {
    if (['delivered', 'shipped'].includes(application.status)) return;
    throw new PermanentTaskError(`Application ${applicationId} is ${application.status}, not issued`);
  }
  const invoices = await Promise.all(
    application.invoices.map(async ({ invoiceId }) => {
      const invoice = await getInvoice(invoiceId);
      if (!invoice?.pdfKey)
        throw new PermanentTaskError(`Invoice ${invoiceId} of ${applicationId} has no PDF`);
      return invoice;
    }),
  );
  if (application.delivery.medium === 'electronic') await deliverElectronic(application, invoices);
  else await announcePaper(application, invoices);
}

async function deliverElectronic(application: Application, invoices: IssuedInvoice[]): Promise<void> {
  const { applicationId } = application;
  const to = application.delivery.email!;
  const attachments: Attachment[] = [];
  for (const invoice of invoices) attachments.push(...(await invoiceAttachments(invoice)));
  // The setting may lower the limit (never above what SES takes in one message). Both files of
  // every invoice count; the links instead lead to the PDFs, each of which embeds its XML.
  const limit = Math.min(settings.mailAttachmentLimitBytes(), MAX_ATTACHMENT_BYTES);
  const attach = fitsAsAttachments(
    attachments.map((a) => a.content.byteLength),
    limit,
  );
  // Too large: each PDF through a time-limited pre-signed S3 link, which a mail client opens
  // without signing in (the console serves it after the link expired).
  const linkSeconds = settings.downloadLinkSeconds();
  const signedAt = new Date();
  const downloadLinks = attach
    ? undefined
    : await Promise.all(
        invoices.map(async (i) => ({
          invoiceNumber: i.invoiceNumber,
          url: await pdfDownloadUrl(i.pdfKey!, `${i.invoiceNumber}.pdf`, linkSeconds, signedAt),
        })),
      );
  const mail = invoiceEmail(await languageOf(application.accountId), application, invoices, {
    downloadLinks,
    downloadLinksExpireAt: downloadLinks
      ? new Date(signedAt.getTime() + Math.min(linkSeconds, MAX_LINK_SECONDS) * 1000).toISOString()
      : undefined,
    links: links(),
  });
  const now = new Date().toISOString();
  await sendOnce(keys.application(applicationId), 'issued', to, mail, {
    attachments: attach ? attachments : undefined,
    accountId: application.accountId,
    fields: { emailedAt: now },
  });
  await advanceApplication(applicationId, ['issued'], 'delivered', {
    at: now,
    status: 'delivered',
    note: `e-mailed to ${to}`,
  });
  await stopWatchingDeadline(application);
  logger.info('invoices e-mailed', { applicationId, attached: attach });
}

async function announcePaper(application: Application, invoices: IssuedInvoice[]): Promise<void> {
  const to = application.delivery.email;
  if (!to) return;
  const notice = await getPaperStockNotice();
  const mail = invoiceEmail(await languageOf(application.accountId), application, invoices, {
    paperStockNotice: notice,
    links: links(),
  });
  await sendOnce(keys.application(application.applicationId), 'issued', to, mail, {
    accountId: application.accountId,
  });
  logger.info('paper invoices announced', { applicationId: application.applicationId });
}
