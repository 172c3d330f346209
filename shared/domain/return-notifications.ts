import type { IssuedInvoice } from '#domain/issued-invoice';
import { type Language, type MailContent, renderMail, yuan } from '#domain/mail';
import { consoleLink, type NoticeLinks } from '#domain/notifications';
import type { InvoiceReturn } from '#domain/returns';

const REASONS: Record<InvoiceReturn['reason'], { zh: string; en: string }> = {
  ISSUE_ERROR: { zh: '开票有误', en: 'issued in error' },
  SALES_RETURN: { zh: '销货退回', en: 'sales return' },
  SERVICE_SUSPENSION: { zh: '服务中止', en: 'service suspended' },
  SALES_DISCOUNT: { zh: '销售折让', en: 'sales discount' },
};

/** R34, R30: the red-letter invoice, attached, crediting the original in full. */
export function redLetterEmail(
  language: Language,
  red: IssuedInvoice,
  invoiceReturn: InvoiceReturn,
  links: NoticeLinks = {},
): MailContent {
  const reason = REASONS[invoiceReturn.reason];
  const line = { invoices: [{ invoiceNumber: red.invoiceNumber, amount: red.amount, taxRate: red.taxRate }] };
  const console = consoleLink(language, links, { invoiceId: red.invoiceId });
  if (language === 'en') {
    return renderMail({
      language,
      subject: `Red-letter invoice ${red.invoiceNumber} credits invoice ${invoiceReturn.invoiceNumber}`,
      greeting: `Hello ${red.title.name},`,
      blocks: [
        {
          paragraph: `Invoice ${invoiceReturn.invoiceNumber} is credited in full (${reason.en}) by the red-letter invoice ${red.invoiceNumber}, attached as a PDF file with its XML data file:`,
        },
        line,
        {
          paragraph: [
            'The amount is invoiceable again.',
            ...(invoiceReturn.reissueTitleId ? ['A new application under the corrected title follows.'] : []),
          ],
        },
        ...console,
      ],
    });
  }
  return renderMail({
    language,
    subject: `红字发票 ${red.invoiceNumber} 已开具（冲销发票 ${invoiceReturn.invoiceNumber}）`,
    greeting: `${red.title.name}，您好：`,
    blocks: [
      {
        paragraph: `发票 ${invoiceReturn.invoiceNumber} 已因"${reason.zh}"全额红冲，红字发票 ${red.invoiceNumber} 见附件（PDF 及 XML 数据文件）：`,
      },
      line,
      {
        paragraph: [
          '相应金额已恢复为可开票金额。',
          ...(invoiceReturn.reissueTitleId ? ['我们将按更正后的抬头重新提交开票申请。'] : []),
        ],
      },
      ...console,
    ],
  });
}

/** To finance staff: a return's workflow gave up. */
export function returnFailedFinanceEmail(invoiceReturn: InvoiceReturn, detail: string): MailContent {
  return renderMail({
    language: 'zh+en',
    subject: `【退票失败 Return failed】发票 ${invoiceReturn.invoiceNumber}`,
    blocks: [
      {
        paragraph: [
          `发票 ${invoiceReturn.invoiceNumber} 的退票（${invoiceReturn.returnId}）未能完成，请跟进。`,
          `The return ${invoiceReturn.returnId} of invoice ${invoiceReturn.invoiceNumber} could not be completed; please follow up.`,
        ],
      },
      {
        fields: [
          ['Account', invoiceReturn.accountId],
          [
            'Status',
            `${invoiceReturn.status}${invoiceReturn.redInvoiceNumber ? ` (red-letter invoice ${invoiceReturn.redInvoiceNumber} issued)` : ''}`,
          ],
          ['Reason', detail],
        ],
      },
    ],
  });
}

/** R35: finance sent a stamped copy of a lost invoice. */
export function copySentEmail(
  language: Language,
  invoice: IssuedInvoice,
  links: NoticeLinks = {},
): MailContent {
  const console = consoleLink(language, links, { invoiceId: invoice.invoiceId });
  if (language === 'en') {
    return renderMail({
      language,
      subject: `A stamped copy of invoice ${invoice.invoiceNumber} is on its way`,
      greeting: `Hello ${invoice.title.name},`,
      blocks: [
        {
          paragraph: `As you asked, we have sent a stamped copy of invoice ${invoice.invoiceNumber} (${yuan(invoice.amount)}).`,
        },
        ...console,
      ],
    });
  }
  return renderMail({
    language,
    subject: `发票 ${invoice.invoiceNumber} 的盖章复印件已寄出`,
    greeting: `${invoice.title.name}，您好：`,
    blocks: [
      {
        paragraph: `应您的申请，发票 ${invoice.invoiceNumber}（${yuan(invoice.amount)}）的盖章复印件已寄出。`,
      },
      ...console,
    ],
  });
}
