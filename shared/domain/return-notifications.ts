import { formatYuan } from '#domain/chinese-numerals';
import type { IssuedInvoice } from '#domain/issued-invoice';
import type { Language, MailContent } from '#domain/notifications';
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
): MailContent {
  const reason = REASONS[invoiceReturn.reason];
  if (language === 'en') {
    return {
      subject: `Red-letter invoice ${red.invoiceNumber} credits invoice ${invoiceReturn.invoiceNumber}`,
      text: [
        `Hello ${red.title.name},`,
        '',
        `Invoice ${invoiceReturn.invoiceNumber} is credited in full (${reason.en}) by the red-letter invoice ${red.invoiceNumber}, attached as a PDF file:`,
        `  ${red.invoiceNumber}  ¥${formatYuan(red.amount)}  (${red.taxRate})`,
        '',
        'The amount is invoiceable again.',
        ...(invoiceReturn.reissueTitleId ? ['A new application under the corrected title follows.'] : []),
      ].join('\n'),
    };
  }
  return {
    subject: `红字发票 ${red.invoiceNumber} 已开具（冲销发票 ${invoiceReturn.invoiceNumber}）`,
    text: [
      `${red.title.name}，您好：`,
      '',
      `发票 ${invoiceReturn.invoiceNumber} 已因"${reason.zh}"全额红冲，红字发票 ${red.invoiceNumber} 见附件：`,
      `  ${red.invoiceNumber}  ¥${formatYuan(red.amount)}  (${red.taxRate})`,
      '',
      '相应金额已恢复为可开票金额。',
      ...(invoiceReturn.reissueTitleId ? ['我们将按更正后的抬头重新提交开票申请。'] : []),
    ].join('\n'),
  };
}

/** To finance staff: a return's workflow gave up. */
export function returnFailedFinanceEmail(invoiceReturn: InvoiceReturn, detail: string): MailContent {
  return {
    subject: `【退票失败 Return failed】发票 ${invoiceReturn.invoiceNumber}`,
    text: [
      `发票 ${invoiceReturn.invoiceNumber} 的退票（${invoiceReturn.returnId}）未能完成，请跟进。`,
      `The return ${invoiceReturn.returnId} of invoice ${invoiceReturn.invoiceNumber} could not be completed; please follow up.`,
      '',
      `Account: ${invoiceReturn.accountId}`,
      `Status: ${invoiceReturn.status}${invoiceReturn.redInvoiceNumber ? ` (red-letter invoice ${invoiceReturn.redInvoiceNumber} issued)` : ''}`,
      `Reason: ${detail}`,
    ].join('\n'),
  };
}

/** R35: finance sent a stamped copy of a lost invoice. */
export function copySentEmail(language: Language, invoice: IssuedInvoice): MailContent {
  if (language === 'en') {
    return {
      subject: `A stamped copy of invoice ${invoice.invoiceNumber} is on its way`,
      text: [
        `Hello ${invoice.title.name},`,
        '',
        `As you asked, we have sent a stamped copy of invoice ${invoice.invoiceNumber} (¥${formatYuan(invoice.amount)}).`,
      ].join('\n'),
    };
  }
  return {
    subject: `发票 ${invoice.invoiceNumber} 的盖章复印件已寄出`,
    text: [
      `${invoice.title.name}，您好：`,
      '',
      `应您的申请，发票 ${invoice.invoiceNumber}（¥${formatYuan(invoice.amount)}）的盖章复印件已寄出。`,
    ].join('\n'),
  };
}
