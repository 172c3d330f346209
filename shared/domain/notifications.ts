import type { Application } from '#domain/application';
import { formatYuan } from '#domain/chinese-numerals';
import type { IssuedInvoice } from '#domain/issued-invoice';

export type Language = 'zh' | 'en';

export interface MailContent {
  subject: string;
  text: string;
}

/** R30: the "issued" notice that carries the invoices, in the account's language. */
export function invoiceEmail(
  language: Language,
  application: Application,
  invoices: IssuedInvoice[],
): MailContent {
  const list = invoices
    .map((i) => `  ${i.invoiceNumber}  ¥${formatYuan(i.amount)}  (${i.taxRate})`)
    .join('\n');
  if (language === 'en') {
    return {
      subject: `Your invoices are issued (application ${application.applicationId})`,
      text: [
        `Hello ${application.title.name},`,
        '',
        `The invoices for application ${application.applicationId} are issued and attached as PDF files:`,
        list,
        '',
        `Total: ¥${formatYuan(application.total)}`,
      ].join('\n'),
    };
  }
  return {
    subject: `您的发票已开具（申请单 ${application.applicationId}）`,
    text: [
      `${application.title.name}，您好：`,
      '',
      `申请单 ${application.applicationId} 的发票已开具，PDF 文件见附件：`,
      list,
      '',
      `价税合计：¥${formatYuan(application.total)}`,
    ].join('\n'),
  };
}
