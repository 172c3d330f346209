import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import { COURIER_NAMES, type IssuedInvoice, type Shipment } from '#domain/issued-invoice';
import { type Language, type MailBlock, type MailContent, renderMail, yuan } from '#domain/mail';

export type { Language, MailContent } from '#domain/mail';

/**
 * The e-mails the workflow sends (R30). Each kind is sent at most once per application (or
 * per invoice for `shipped`); the marker that guarantees it is named after the kind.
 */
export type CustomerNotice = 'issued' | 'rejected' | 'shipped' | 'cancelled' | 'failed';
export type FinanceNotice = 'deadline-breached' | 'delivery-failed' | 'tax-platform-failed';

/** Where a notice links to: the console's origin (CONSOLE_URL), when the deployment has one. */
export interface NoticeLinks {
  console?: string;
}

/** China time, minutes precision, as a customer reads it: 2026-11-20 09:30 (UTC+8). */
export function shanghaiMinute(iso: string): string {
  return `${toShanghaiIso(new Date(iso)).slice(0, 16).replace('T', ' ')} (UTC+8)`;
}

/** China calendar date of an instant: 2026-11-28. */
/**
 * Until when the download links work at the latest, and where the PDFs are afterwards: deployed,
 * S3 refuses a link once the role session that signed it has ended, which can be sooner
 * (docs/DESIGN.md), so the mail promises no more than "at the latest" and names the console.
 */
function until(language: Language, iso: string | undefined): string {
  if (iso === undefined) return '';
  return language === 'en'
    ? `, valid until ${shanghaiMinute(iso)} at the latest (afterwards from the invoice console)`
    : `（最迟有效至 ${shanghaiMinute(iso)}，之后可在发票管理页面下载）`;
}

function shanghaiDate(iso: string): string {
  return toShanghaiIso(new Date(iso)).slice(0, 10);
}

/** "See it in the console" for an application, an invoice or the titles page, when there is a console. */
export function consoleLink(
  language: Language,
  links: NoticeLinks,
  target: { applicationId: string } | { invoiceId: string } | 'titles',
): MailBlock[] {
  if (!links.console) return [];
  const base = links.console.replace(/\/+$/, '');
  const [path, en, zh] =
    target === 'titles'
      ? ['/titles', 'Invoice titles in the console', '在控制台查看发票抬头']
      : 'applicationId' in target
        ? [
            `/applications/${encodeURIComponent(target.applicationId)}`,
            'View the application in the console',
            '在控制台查看申请单',
          ]
        : [
            `/invoices/${encodeURIComponent(target.invoiceId)}`,
            'View the invoice in the console',
            '在控制台查看发票',
          ];
  return [{ link: { label: language === 'en' ? en : zh, url: `${base}${path}` } }];
}

function invoiceLines(invoices: readonly IssuedInvoice[]) {
  return invoices.map((i) => ({ invoiceNumber: i.invoiceNumber, amount: i.amount, taxRate: i.taxRate }));
}

export interface IssuedMailOptions {
  /** Electronic invoices whose PDFs were too large to attach: where to download each one. */
  downloadLinks?: { invoiceNumber: string; url: string }[];
  /** When the download links stop working (ISO instant); the console keeps every PDF after that. */
  downloadLinksExpireAt?: string;
  /** R36: the paper-stock notice in force, shown with paper invoices. */
  paperStockNotice?: { message: string; expectedMailingDate: string };
  links?: NoticeLinks;
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
  const notice = paper ? options.paperStockNotice : undefined;
  const id = application.applicationId;
  const console = consoleLink(language, options.links ?? {}, { applicationId: id });
  const downloads: MailBlock[] =
    links.length > 0 ? [{ links: links.map((l) => ({ label: l.invoiceNumber, url: l.url })) }] : [];
  if (language === 'en') {
    const how = paper
      ? 'are issued. The paper invoices will be mailed to your address; we will e-mail you the tracking number when they are shipped:'
      : links.length > 0
        ? `are issued. The PDF files are too large to attach; download them with these links${until('en', options.downloadLinksExpireAt)}:`
        : 'are issued and attached as PDF files, each with its XML data file:';
    return renderMail({
      language,
      subject: `Your invoices are issued (application ${id})`,
      greeting: `Hello ${application.title.name},`,
      blocks: [
        { paragraph: `The invoices for application ${id} ${how}` },
        { invoices: invoiceLines(invoices) },
        ...downloads,
        { fields: [['Total', yuan(application.total)]] },
        ...(notice
          ? [{ paragraph: `Notice: ${notice.message} Expected mailing date: ${notice.expectedMailingDate}.` }]
          : []),
        ...console,
      ],
    });
  }
  const how = paper
    ? '已开具，纸质发票将邮寄至您的收件地址，寄出后我们会把快递单号发邮件告诉您：'
    : links.length > 0
      ? `已开具。PDF 文件过大无法作为附件发送，请通过以下链接下载${until('zh', options.downloadLinksExpireAt)}：`
      : '已开具，PDF 文件见附件（每张附 XML 数据文件）：';
  return renderMail({
    language,
    subject: `您的发票已开具（申请单 ${id}）`,
    greeting: `${application.title.name}，您好：`,
    blocks: [
      { paragraph: `申请单 ${id} 的发票${how}` },
      { invoices: invoiceLines(invoices) },
      ...downloads,
      { fields: [['价税合计', yuan(application.total)]] },
      ...(notice
        ? [{ paragraph: `公告：${notice.message} 预计寄出日期：${notice.expectedMailingDate}。` }]
        : []),
      ...console,
    ],
  });
}

/** "Hello X," / "X，您好：". */
function greeting(language: Language, name: string): string {
  return language === 'en' ? `Hello ${name},` : `${name}，您好：`;
}

/** A notice about one application: its words in each language, then the console link. */
function applicationNotice(
  language: Language,
  application: Application,
  links: NoticeLinks,
  words: Record<Language, { subject: string; blocks: MailBlock[] }>,
): MailContent {
  return renderMail({
    language,
    subject: words[language].subject,
    greeting: greeting(language, application.title.name),
    blocks: [
      ...words[language].blocks,
      ...consoleLink(language, links, { applicationId: application.applicationId }),
    ],
  });
}

/** R25, R30: finance staff rejected the application; the customer learns why. */
export function rejectedEmail(
  language: Language,
  application: Application,
  reason: string,
  links: NoticeLinks = {},
): MailContent {
  const id = application.applicationId;
  const total = yuan(application.total);
  return applicationNotice(language, application, links, {
    en: {
      subject: `Your invoice application was rejected (application ${id})`,
      blocks: [
        { paragraph: [`Finance staff rejected application ${id} (${total}).`, `Reason: ${reason}`] },
        {
          paragraph: 'The amount is invoiceable again; you can correct the application and apply once more.',
        },
      ],
    },
    zh: {
      subject: `您的开票申请未通过审核（申请单 ${id}）`,
      blocks: [
        { paragraph: [`申请单 ${id}（${total}）未通过财务审核。`, `原因：${reason}`] },
        { paragraph: '该金额已恢复为可开票金额，您可以修改后重新申请。' },
      ],
    },
  });
}

/** R27, R30: a paper invoice left with a courier (or is ready for pickup). */
export function shippedEmail(
  language: Language,
  invoice: IssuedInvoice,
  shipment: Shipment,
  links: NoticeLinks = {},
): MailContent {
  const courier = COURIER_NAMES[shipment.courier][language];
  const console = consoleLink(language, links, { invoiceId: invoice.invoiceId });
  if (language === 'en') {
    const how =
      shipment.courier === 'PICKUP'
        ? 'is ready for pickup.'
        : `was shipped by ${courier}, tracking number ${shipment.trackingNumber}.`;
    return renderMail({
      language,
      subject: `Your paper invoice ${invoice.invoiceNumber} was shipped`,
      greeting: `Hello ${invoice.title.name},`,
      blocks: [
        {
          paragraph: [
            `Paper invoice ${invoice.invoiceNumber} (${yuan(invoice.amount)}) ${how}`,
            `Shipped at: ${shanghaiMinute(shipment.shippedAt)}`,
          ],
        },
        { paragraph: 'Please confirm receipt in the invoice console when it arrives.' },
        ...console,
      ],
    });
  }
  const how =
    shipment.courier === 'PICKUP'
      ? '已可自取。'
      : `已由${courier}寄出，快递单号：${shipment.trackingNumber}。`;
  return renderMail({
    language,
    subject: `您的纸质发票 ${invoice.invoiceNumber} 已寄出`,
    greeting: `${invoice.title.name}，您好：`,
    blocks: [
      {
        paragraph: [
          `纸质发票 ${invoice.invoiceNumber}（${yuan(invoice.amount)}）${how}`,
          `寄出时间：${shanghaiMinute(shipment.shippedAt)}`,
        ],
      },
      { paragraph: '收到后请在发票管理页面确认收票。' },
      ...console,
    ],
  });
}

/** R24, R30: the customer cancelled within the window; nothing is issued. */
export function cancelledEmail(
  language: Language,
  application: Application,
  links: NoticeLinks = {},
): MailContent {
  const id = application.applicationId;
  const total = yuan(application.total);
  return applicationNotice(language, application, links, {
    en: {
      subject: `Your invoice application was cancelled (application ${id})`,
      blocks: [
        {
          paragraph: [
            `Application ${id} (${total}) was cancelled; no invoice was issued.`,
            'The amount is invoiceable again.',
          ],
        },
      ],
    },
    zh: {
      subject: `您的开票申请已撤销（申请单 ${id}）`,
      blocks: [
        { paragraph: [`申请单 ${id}（${total}）已撤销，未开具任何发票。`, '该金额已恢复为可开票金额。'] },
      ],
    },
  });
}

/** Invariant 5, R30: the application could not be completed; what it reserved is free again. */
export function failedEmail(
  language: Language,
  application: Application,
  links: NoticeLinks = {},
): MailContent {
  const id = application.applicationId;
  const total = yuan(application.total);
  return applicationNotice(language, application, links, {
    en: {
      subject: `Your invoice application could not be completed (application ${id})`,
      blocks: [
        {
          paragraph: [
            `We could not issue the invoices for application ${id} (${total}).`,
            'The amount is invoiceable again; please apply once more or contact support.',
          ],
        },
      ],
    },
    zh: {
      subject: `您的开票申请处理失败（申请单 ${id}）`,
      blocks: [
        {
          paragraph: [
            `申请单 ${id}（${total}）的发票未能开具。`,
            '该金额已恢复为可开票金额，请重新申请或联系客服。',
          ],
        },
      ],
    },
  });
}

/** To finance staff (Chinese and English in one message: the team is not an account). */
export function financeEmail(
  kind: FinanceNotice,
  application: Application,
  detail?: string,
  links: NoticeLinks = {},
): MailContent {
  const id = application.applicationId;
  const console = consoleLink('zh', links, { applicationId: id });
  if (kind === 'deadline-breached') {
    return renderMail({
      language: 'zh+en',
      subject: `【逾期 Overdue】申请单 ${id} 已超过预计完成时间`,
      blocks: [
        {
          paragraph: [
            `申请单 ${id} 应于 ${shanghaiMinute(application.expectedBy)} 前完成，当前状态：${application.status}。`,
            `Application ${id} was expected by ${shanghaiMinute(application.expectedBy)} and is still ${application.status}.`,
          ],
        },
        {
          fields: [
            ['Account', application.accountId],
            ['Submitted', shanghaiMinute(application.submittedAt)],
            ['Expected by', shanghaiDate(application.expectedBy)],
            ['Total', yuan(application.total)],
          ],
        },
        ...console,
      ],
    });
  }
  if (kind === 'tax-platform-failed') {
    return renderMail({
      language: 'zh+en',
      subject: `【开具失败 Not issued】申请单 ${id}`,
      blocks: [
        {
          paragraph: [
            `税务平台未开具申请单 ${id} 的发票（拒绝或超时未确认），预占额度已释放，客户已收到通知。平台若事后确认，请在平台作废该发票。`,
            `The tax platform did not issue the invoices of application ${id} (refused, or not confirmed in time); the reservation is released and the customer told. Should the platform confirm later, void that invoice there.`,
          ],
        },
        {
          fields: [
            ['Account', application.accountId],
            ['Reason', detail ?? 'unknown'],
          ],
        },
        ...console,
      ],
    });
  }
  return renderMail({
    language: 'zh+en',
    subject: `【投递失败 Delivery failed】申请单 ${id}`,
    blocks: [
      {
        paragraph: [
          `申请单 ${id} 的发票已开具，但未能发送给客户，请跟进。`,
          `The invoices of application ${id} are issued but could not be delivered; please follow up.`,
        ],
      },
      {
        fields: [
          ['Account', application.accountId],
          ['Reason', detail ?? 'unknown'],
        ],
      },
      ...console,
    ],
  });
}
