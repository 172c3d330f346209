import { formatYuan } from '#domain/chinese-numerals';
import type { Fen } from '#domain/money';

/**
 * One e-mail notice written once, as blocks, and rendered twice: the plain-text alternative
 * and the HTML one (R30). The notices (notifications.ts, title-notifications.ts,
 * return-notifications.ts) say what to tell; this module says how it looks. Every value is
 * escaped in the HTML, so a title name or a reason can never become markup.
 */
export type Language = 'zh' | 'en';

export interface MailContent {
  subject: string;
  text: string;
  html: string;
}

export interface InvoiceLine {
  invoiceNumber: string;
  amount: Fen;
  /** Decimal fraction as stored: "0.06". */
  taxRate: string;
}

export type MailBlock =
  /** A paragraph; consecutive lines of one paragraph are kept together. */
  | { paragraph: string | string[] }
  /** The invoices a notice is about: number, amount in yuan, tax rate in percent. */
  | { invoices: readonly InvoiceLine[] }
  /** Label and value pairs (a total, a tracking number, a date). */
  | { fields: readonly (readonly [label: string, value: string])[] }
  /** A link, shown as its label in HTML and as `label: url` in text. */
  | { link: { label: string; url: string } }
  /** Several links, one line each (downloads). */
  | { links: readonly { label: string; url: string }[] };

export interface MailMessage {
  /** `zh`, `en`, or both in one message (to finance staff). */
  language: Language | 'zh+en';
  subject: string;
  /** First line: "Hello X," / "X，您好：". */
  greeting?: string;
  blocks: readonly MailBlock[];
}

const HEADERS: Record<MailMessage['language'], { number: string; amount: string; rate: string }> = {
  zh: { number: '发票号码', amount: '价税合计', rate: '税率' },
  en: { number: 'Invoice number', amount: 'Amount', rate: 'Tax rate' },
  'zh+en': { number: '发票号码 Invoice number', amount: '金额 Amount', rate: '税率 Tax rate' },
};

const FOOTER: Record<MailMessage['language'], string> = {
  zh: '此邮件由系统自动发送，请勿直接回复。',
  en: 'This message was sent automatically; please do not reply to it.',
  'zh+en': '此邮件由系统自动发送。This message was sent automatically.',
};

/** "0.06" → "6%", "0.015" → "1.5%"; toFixed removes the binary noise of the multiplication. */
export function formatTaxRate(rate: string): string {
  const value = Number(rate);
  return Number.isFinite(value) ? `${Number((value * 100).toFixed(4))}%` : rate;
}

export function yuan(amount: Fen): string {
  return `¥${formatYuan(amount)}`;
}

export function renderMail(message: MailMessage): MailContent {
  return { subject: message.subject, text: renderText(message), html: renderHtml(message) };
}

function renderText(message: MailMessage): string {
  const parts: string[] = [];
  if (message.greeting) parts.push(message.greeting);
  for (const block of message.blocks) {
    if ('paragraph' in block) parts.push(lines(block.paragraph).join('\n'));
    else if ('invoices' in block)
      parts.push(
        block.invoices
          .map((i) => `  ${i.invoiceNumber}  ${yuan(i.amount)}  ${formatTaxRate(i.taxRate)}`)
          .join('\n'),
      );
    else if ('fields' in block)
      parts.push(
        block.fields.map(([label, value]) => `${label}${separator(message, label)}${value}`).join('\n'),
      );
    else if ('link' in block)
      parts.push(`${block.link.label}${separator(message, block.link.label)}${block.link.url}`);
    else parts.push(block.links.map((l) => `  ${l.label}${separator(message, l.label)}${l.url}`).join('\n'));
  }
  parts.push(`--\n${FOOTER[message.language]}`);
  return `${parts.join('\n\n')}\n`;
}

/** Chinese takes a full-width colon; a bilingual message decides by the label's script. */
function separator(message: MailMessage, label: string): string {
  if (message.language === 'zh+en') return /[\u4e00-\u9fff]$/.test(label) ? '：' : ': ';
  return message.language === 'zh' ? '：' : ': ';
}

function lines(paragraph: string | string[]): string[] {
  return typeof paragraph === 'string' ? [paragraph] : paragraph;
}

const CELL = 'padding:4px 12px 4px 0;border-bottom:1px solid #e5e5e5;';

function renderHtml(message: MailMessage): string {
  const lang = message.language === 'en' ? 'en' : 'zh-CN';
  const headers = HEADERS[message.language];
  const body: string[] = [];
  if (message.greeting) body.push(`<p>${escapeHtml(message.greeting)}</p>`);
  for (const block of message.blocks) {
    if ('paragraph' in block) body.push(`<p>${lines(block.paragraph).map(escapeHtml).join('<br>')}</p>`);
    else if ('invoices' in block)
      body.push(
        `<table role="presentation" style="border-collapse:collapse;margin:8px 0;">` +
          `<tr><th style="${CELL}text-align:left;">${escapeHtml(headers.number)}</th>` +
          `<th style="${CELL}text-align:right;">${escapeHtml(headers.amount)}</th>` +
          `<th style="${CELL}text-align:right;">${escapeHtml(headers.rate)}</th></tr>` +
          block.invoices
            .map(
              (i) =>
                `<tr><td style="${CELL}font-family:monospace;">${escapeHtml(i.invoiceNumber)}</td>` +
                `<td style="${CELL}text-align:right;">${escapeHtml(yuan(i.amount))}</td>` +
                `<td style="${CELL}text-align:right;">${escapeHtml(formatTaxRate(i.taxRate))}</td></tr>`,
            )
            .join('') +
          '</table>',
      );
    else if ('fields' in block)
      body.push(
        `<table role="presentation" style="border-collapse:collapse;margin:8px 0;">${block.fields
          .map(
            ([label, value]) =>
              `<tr><td style="padding:2px 12px 2px 0;color:#666;">${escapeHtml(label)}</td>` +
              `<td style="padding:2px 0;">${escapeHtml(value)}</td></tr>`,
          )
          .join('')}</table>`,
      );
    else if ('link' in block) body.push(`<p>${anchor(block.link)}</p>`);
    else body.push(`<ul>${block.links.map((l) => `<li>${anchor(l)}</li>`).join('')}</ul>`);
  }
  return [
    '<!DOCTYPE html>',
    `<html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head>`,
    "<body style=\"font-family:-apple-system,'PingFang SC','Microsoft YaHei',Arial,sans-serif;font-size:14px;color:#222;line-height:1.6;\">",
    ...body,
    `<hr style="border:none;border-top:1px solid #e5e5e5;"><p style="color:#666;font-size:12px;">${escapeHtml(FOOTER[message.language])}</p>`,
    '</body></html>',
  ].join('\n');
}

function anchor(link: { label: string; url: string }): string {
  // Only web links: anything else (javascript:, data:) is shown as text, never linked.
  if (!/^https?:\/\//i.test(link.url)) return `${escapeHtml(link.label)}: ${escapeHtml(link.url)}`;
  return `<a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a>`;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
