import { toShanghaiIso } from '#domain/calendar';
import { formatYuan } from '#domain/chinese-numerals';
import type { IssuedInvoice } from '#domain/issued-invoice';

/** Byte order mark: Excel reads a CSV without it in the system code page and garbles Chinese. */
const BOM = '\uFEFF';

const HEADER = [
  '发票号码 Invoice number',
  '开票日期 Issued at',
  '种类 Kind',
  '销售方 Entity',
  '销售方名称 Seller',
  '购买方 Buyer',
  '购买方税号 Buyer tax ID',
  '项目 Item',
  '规格 Period',
  '税率 Tax rate',
  '金额 Amount excl. tax (CNY)',
  '税额 Tax (CNY)',
  '价税合计 Total (CNY)',
  '状态 Status',
];

/**
 * R29: the invoiced details, one row per invoice line: UTF-8 with BOM and CRLF line ends, so
 * a spreadsheet opens it with Chinese intact; fields quoted per RFC 4180. Red-letter invoices
 * show negative amounts.
 */
export function invoiceDetailsCsv(invoices: readonly IssuedInvoice[]): string {
  const rows: string[][] = [HEADER];
  for (const invoice of invoices) {
    const sign = invoice.kind === 'red' ? -1 : 1;
    for (const line of invoice.lines) {
      rows.push([
        invoice.invoiceNumber,
        toShanghaiIso(new Date(invoice.issuedAt)),
        invoice.kind,
        invoice.entity,
        text(invoice.seller.name),
        text(invoice.title.name),
        text(invoice.title.taxId ?? ''),
        text(line.itemName),
        line.specification,
        invoice.taxRate,
        formatYuan(sign * Math.abs(line.amountExcludingTax)),
        formatYuan(sign * Math.abs(line.taxAmount)),
        formatYuan(sign * Math.abs(line.total)),
        invoice.status,
      ]);
    }
  }
  const lines = rows.map((row) => row.map(quote).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
export function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * Free text typed by customers must not start a formula when the file is opened in a
 * spreadsheet (CSV injection): such a field gets a leading apostrophe.
 */
function text(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
