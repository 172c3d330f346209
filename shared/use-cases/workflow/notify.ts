import { getAccount } from '#adapters/account-repository';
import { keys } from '#adapters/dynamodb';
import { logger } from '#adapters/logger';
import { type Attachment, SUPPRESSED, sendMail } from '#adapters/mailer';
import { claimNotice, completeNotice, releaseNotice } from '#adapters/notice-marks';
import * as settings from '#config/settings';
import type { Application, TimelineEntry } from '#domain/application';
import type { IssuedInvoice, Shipment } from '#domain/issued-invoice';
import {
  type CustomerNotice,
  cancelledEmail,
  type FinanceNotice,
  failedEmail,
  financeEmail,
  type Language,
  type MailContent,
  type NoticeLinks,
  rejectedEmail,
  shippedEmail,
} from '#domain/notifications';
import { NoticeInFlightError } from '#domain/workflow-errors';

type Key = { pk: string; sk: string };

export interface OnceOptions {
  attachments?: Attachment[];
  /** The customer's account: its suppression list applies (issue 14). Absent for finance's mail. */
  accountId?: string;
  /** Set on the item together with the sent mark (e.g. emailedAt). */
  fields?: Record<string, unknown>;
  timelineEntry?: TimelineEntry;
}

/**
 * Sends one e-mail of `kind` for the item at most once (R30, invariant 3): a claim on the item
 * before sending, the sent mark after. A retried or duplicated step finds the mark and sends
 * nothing; one that overlaps a sender in flight gets NoticeInFlightError and retries.
 */
export async function sendOnce(
  key: Key,
  kind: string,
  to: string,
  mail: MailContent,
  options: OnceOptions = {},
): Promise<boolean> {
  const claim = await claimNotice(key, kind, new Date());
  if (claim === 'sent') return false;
  if (claim === 'busy') throw new NoticeInFlightError(`The ${kind} notice of ${key.pk} is being sent`);
  let messageId: string;
  try {
    messageId = await sendMail({
      to,
      ...mail,
      attachments: options.attachments,
      accountId: options.accountId,
      item: key,
    });
  } catch (error) {
    await releaseNotice(key, kind).catch(() => {});
    throw error;
  }
  await completeNotice(
    key,
    kind,
    { at: new Date().toISOString(), messageId },
    options.fields,
    options.timelineEntry,
  );
  logger.info(messageId === SUPPRESSED ? 'notice suppressed' : 'notice sent', { kind, messageId });
  return true;
}

/** Where notices link to (the console), from the deployment's settings. */
export function links(): NoticeLinks {
  return { console: settings.consoleUrl() };
}

export async function languageOf(accountId: string): Promise<Language> {
  return (await getAccount(accountId))?.language ?? 'zh';
}

/** Where the customer hears from us: the delivery e-mail (paper applications may have none). */
function customerAddress(application: Application, kind: CustomerNotice): string | undefined {
  const to = application.delivery.email;
  if (!to) logger.warn('no e-mail address to notify', { applicationId: application.applicationId, kind });
  return to;
}

async function notifyCustomer(
  application: Application,
  kind: Exclude<CustomerNotice, 'issued' | 'shipped'>,
  compose: (language: Language) => MailContent,
): Promise<void> {
  const to = customerAddress(application, kind);
  if (!to) return;
  const mail = compose(await languageOf(application.accountId));
  await sendOnce(keys.application(application.applicationId), kind, to, mail, {
    accountId: application.accountId,
  });
}

/** R24, R30: for the cancel endpoint, once the application is `cancelled`. Safe to repeat. */
export async function notifyCancelled(application: Application): Promise<void> {
  await notifyCustomer(application, 'cancelled', (language) =>
    cancelledEmail(language, application, links()),
  );
}

export async function notifyRejected(application: Application, reason: string): Promise<void> {
  await notifyCustomer(application, 'rejected', (language) =>
    rejectedEmail(language, application, reason, links()),
  );
}

export async function notifyFailed(application: Application): Promise<void> {
  await notifyCustomer(application, 'failed', (language) => failedEmail(language, application, links()));
}

/** R27, R30: the tracking number, once per invoice. */
export async function notifyShipped(invoice: IssuedInvoice, shipment: Shipment): Promise<void> {
  const to = invoice.delivery.email;
  if (!to) {
    logger.warn('no e-mail address to notify', { invoiceId: invoice.invoiceId, kind: 'shipped' });
    return;
  }
  const mail = shippedEmail(await languageOf(invoice.accountId), invoice, shipment, links());
  await sendOnce(keys.invoice(invoice.invoiceId), 'shipped', to, mail, { accountId: invoice.accountId });
}

/** Finance staff, once per application and kind (R28 deadlines, deliveries that failed). */
export async function notifyFinance(
  kind: FinanceNotice,
  application: Application,
  detail?: string,
): Promise<boolean> {
  return sendOnce(
    keys.application(application.applicationId),
    kind,
    settings.financeEmail(),
    financeEmail(kind, application, detail, links()),
  );
}
