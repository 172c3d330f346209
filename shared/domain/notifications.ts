import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import { formatYuan } from '#domain/chinese-numerals';
import { COURIER_NAMES, type IssuedInvoice, type Shipment } from '#domain/issued-invoice';

export type Language = 'zh' | 'en';

export interface MailContent {
  subject: string;
  text: string;
}

/**
 * The e-mails the workflow sends (R30). Each kind is sent at most once per application (or
 * per invoice for `shipped`); the marker that guarantees it is named after the kind.
 */
export type CustomerNotice = 'issued' | 'rejected' | 'shipped' | 'cancelled' | 'failed';
export type FinanceNotice = 'deadline-breached' | 'delivery-failed';

/** China time, minutes precision, as a customer reads it: 2026-11-20 09:30 (UTC+8). */
export function shanghaiMinute(iso: string): string {
  return `${toShanghaiIso(new Date(iso)).slice(0, 16).replace('T', ' ')} (UTC+8)`;
}

function invoiceList(invoices: readonly IssuedInvoice[]): string {
  return invoices.map((i) => `  ${i.invoiceNumber}  ¥${formatYuan(i.amount)}  (${i.taxRate})`).join('\n');
}

export interface IssuedMailOptions {
  /** Electronic invoices whose PDFs were too large to attach: where to download each one. */
  downloadLinks?: { invoiceNumber: string; url: string }[];
  /** R36: the paper-stock notice in force, shown with paper invoices. */
  paperStockNotice?: { message: string; expectedMailingDate: string };
}

/** R30 "issued": electronic invoices travel as attachments (or links); paper ones are announced. */
export function invoiceEmail(
  language: Language,
  application: Application,
  invoices: IssuedInvoice[],
  options: IssuedMailOptions = {},
): MailContent {
  const paper = application.delivery.medium === 'paper';
  const links = options.downloadLinks ?? [];
  const notice = options.paperStockNotice;
  if (language === 'en') {
    const how = paper
      ? 'are issued. The paper invoices will be mailed to your address; we will e-mail you the tracking number when they are shipped:'
      : links.length > 0
        ? 'are issued. The PDF files are too large to attach; download them from the invoice console:'
        : 'are issued and attached as PDF files:';
    return {
      subject: `Your invoices are issued (application ${application.applicationId})`,
      text: [
        `Hello ${application.title.name},`,
        '',
        `The invoices for application ${application.applicationId} ${how}`,
        invoiceList(invoices),
        ...links.map((l) => `  ${l.invoiceNumber}: ${l.url}`),
        '',
        `Total: ¥${formatYuan(application.total)}`,
        ...(paper && notice
          ? ['', `Notice: ${notice.message} Expected mailing date: ${notice.expectedMailingDate}.`]
          : []),
      ].join('\n'),
    };
  }
  const how = paper
    ? '已开具，纸质发票将邮寄至您的收件地址，寄出后我们会把快递单号发邮件告诉您：'
    : links.length > 0
      ? '已开具。PDF 文件过大无法作为附件发送，请在发票管理页面下载：'
      : '已开具，PDF 文件见附件：';
  return {
    subject: `您的发票已开具（申请单 ${application.applicationId}）`,
    text: [
      `${application.title.name}，您好：`,
      '',
      `申请单 ${application.applicationId} 的发票${how}`,
      invoiceList(invoices),
      ...links.map((l) => `  ${l.invoiceNumber}：${l.url}`),
      '',
      `价税合计：¥${formatYuan(application.total)}`,
      ...(paper && notice
        ? ['', `公告：${notice.message} 预计寄出日期：${notice.expectedMailingDate}。`]
        : []),
    ].join('\n'),
  };
}

/** R25, R30: finance staff rejected the application; the customer learns why. */
export function rejectedEmail(language: Language, application: Application, reason: string): MailContent {
  if (language === 'en') {
    return {
      subject: `Your invoice application was rejected (application ${application.applicationId})`,
      text: [
        `Hello ${application.title.name},`,
        '',
        `Finance staff rejected application ${application.applicationId} (¥${formatYuan(application.total)}).`,
        `Reason: ${reason}`,
        '',
        'The amount is invoiceable again; you can correct the application and apply once more.',
      ].join('\n'),
    };
  }
  return {
    subject: `您的开票申请未通过审核（申请单 ${application.applicationId}）`,
    text: [
      `${application.title.name}，您好：`,
      '',
      `申请单 ${application.applicationId}（¥${formatYuan(application.total)}）未通过财务审核。`,
      `原因：${reason}`,
      '',
      '该金额已恢复为可开票金额，您可以修改后重新申请。',
    ].join('\n'),
  };
}

/** R27, R30: a paper invoice left with a courier (or is ready for pickup). */
export function shippedEmail(language: Language, invoice: IssuedInvoice, shipment: Shipment): MailContent {
  const courier = COURIER_NAMES[shipment.courier][language];
  if (language === 'en') {
    const how =
      shipment.courier === 'PICKUP'
        ? 'is ready for pickup.'
        : `was shipped by ${courier}, tracking number ${shipment.trackingNumber}.`;
    return {
      subject: `Your paper invoice ${invoice.invoiceNumber} was shipped`,
      text: [
        `Hello ${invoice.title.name},`,
        '',
        `Paper invoice ${invoice.invoiceNumber} (¥${formatYuan(invoice.amount)}) ${how}`,
        `Shipped at: ${shanghaiMinute(shipment.shippedAt)}`,
        '',
        'Please confirm receipt in the invoice console when it arrives.',
      ].join('\n'),
    };
  }
  const how =
    shipment.courier === 'PICKUP'
      ? '已可自取。'
      : `已由${courier}寄出，快递单号：${shipment.trackingNumber}。`;
  return {
    subject: `您的纸质发票 ${invoice.invoiceNumber} 已寄出`,
    text: [
      `${invoice.title.name}，您好：`,
      '',
      `纸质发票 ${invoice.invoiceNumber}（¥${formatYuan(invoice.amount)}）${how}`,
      `寄出时间：${shanghaiMinute(shipment.shippedAt)}`,
      '',
      '收到后请在发票管理页面确认收票。',
    ].join('\n'),
  };
}

/** R24, R30: the customer cancelled within the window; nothing is issued. */
export function cancelledEmail(language: Language, application: Application): MailContent {
  if (language === 'en') {
    return {
      subject: `Your invoice application was cancelled (application ${application.applicationId})`,
      text: [
        `Hello ${application.title.name},`,
        '',
        `Application ${application.applicationId} (¥${formatYuan(application.total)}) was cancelled; no invoice was issued.`,
        'The amount is invoiceable again.',
      ].join('\n'),
    };
  }
  return {
    subject: `您的开票申请已撤销（申请单 ${application.applicationId}）`,
    text: [
      `${application.title.name}，您好：`,
      '',
      `申请单 ${application.applicationId}（¥${formatYuan(application.total)}）已撤销，未开具任何发票。`,
      '该金额已恢复为可开票金额。',
    ].join('\n'),
  };
}

/** Invariant 5, R30: the application could not be completed; what it reserved is free again. */
export function failedEmail(language: Language, application: Application): MailContent {
  if (language === 'en') {
    return {
      subject: `Your invoice application could not be completed (application ${application.applicationId})`,
      text: [
        `Hello ${application.title.name},`,
        '',
        `We could not issue the invoices for application ${application.applicationId} (¥${formatYuan(application.total)}).`,
        'The amount is invoiceable again; please apply once more or contact support.',
      ].join('\n'),
    };
  }
  return {
    subject: `您的开票申请处理失败（申请单 ${application.applicationId}）`,
    text: [
      `${application.title.name}，您好：`,
      '',
      `申请单 ${application.applicationId}（¥${formatYuan(application.total)}）的发票未能开具。`,
      '该金额已恢复为可开票金额，请重新申请或联系客服。',
    ].join('\n'),
  };
}

/** To finance staff (Chinese and English in one message: the team is not an account). */
export function financeEmail(kind: FinanceNotice, application: Application, detail?: string): MailContent {
  const id = application.applicationId;
  if (kind === 'deadline-breached') {
    return {
      subject: `【逾期 Overdue】申请单 ${id} 已超过预计完成时间`,
      text: [
        `申请单 ${id} 应于 ${shanghaiMinute(application.expectedBy)} 前完成，当前状态：${application.status}。`,
        `Application ${id} was expected by ${shanghaiMinute(application.expectedBy)} and is still ${application.status}.`,
        '',
        `Account: ${application.accountId}`,
        `Submitted: ${shanghaiMinute(application.submittedAt)}`,
        `Total: ¥${formatYuan(application.total)}`,
      ].join('\n'),
    };
  }
  return {
    subject: `【投递失败 Delivery failed】申请单 ${id}`,
    text: [
      `申请单 ${id} 的发票已开具，但未能发送给客户，请跟进。`,
      `The invoices of application ${id} are issued but could not be delivered; please follow up.`,
      '',
      `Account: ${application.accountId}`,
      `Reason: ${detail ?? 'unknown'}`,
    ].join('\n'),
  };
}
