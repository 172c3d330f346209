import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import { formatYuan, toChineseCapital } from '#domain/chinese-numerals';
import type { InvoiceDocument, InvoiceDocumentLine } from '#domain/invoice-document';

/** Name the Lambda bundling step gives the TTF when it copies it next to index.mjs. */
const BUNDLED_FONT_FILE = 'NotoSansSC-Regular.ttf';
const PACKAGE_FONT = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

// 241 mm wide like the tax bureau's e-invoice; the height grows with the number of lines so
// every invoice fits on a single page.
const PAGE_WIDTH = 683;
const MARGIN_X = 28;
const MARGIN_TOP = 20;
const MARGIN_BOTTOM = 20;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X;
const LEFT = MARGIN_X;
const RIGHT = PAGE_WIDTH - MARGIN_X;

const FONT_SIZE = 9;
const TITLE_SIZE = 18;
const PAD = 5;
const LABEL_COLUMN = 20;

const FRAME_COLOR = '#a0522d';
const TEXT_COLOR = '#000000';
const RED_LETTER_COLOR = '#c0392b';

const DATE_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

type Pdf = PDFKit.PDFDocument;

/** A horizontal band of the page: measured before the page exists, drawn once it does. */
interface Band {
  height: number;
  /** Inside the ruled frame (gets a separator line above it). */
  framed: boolean;
  draw(top: number): void;
}

interface Column {
  title: string;
  width: number;
  align: 'left' | 'center' | 'right';
  cell(line: InvoiceDocumentLine): string;
}

let fontBytes: Buffer | undefined;

/**
 * The invoice as a one-page PDF, byte-for-byte reproducible for a given document: the creation
 * date is the issue time, and pdfkit derives the file ID from the metadata and the font subset
 * tag from the font's resource name.
 */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Uint8Array> {
  const pdf = new PDFDocument({
    autoFirstPage: false,
    // Passing the CJK font here stops pdfkit from loading its default Helvetica, whose metrics
    // it requires at runtime from files that are not in the Lambda bundle. The bytes are
    // accepted at runtime; the typings only know font names.
    font: loadFont() as unknown as string,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: doc.invoiceNumber,
      Subject: titleOf(doc),
      Author: doc.seller.name,
      CreationDate: parseIssuedAt(doc.issuedAt),
    },
  });
  const bytes = collect(pdf);

  const bands = [
    headerBand(pdf, doc),
    partiesBand(pdf, doc),
    linesBand(pdf, doc),
    totalBand(pdf, doc),
    remarksBand(pdf, doc),
    issuerBand(pdf, doc),
  ];
  const height = MARGIN_TOP + bands.reduce((sum, band) => sum + band.height, 0) + MARGIN_BOTTOM;
  pdf.addPage({ size: [PAGE_WIDTH, height], margin: 0 });

  let top = MARGIN_TOP;
  let frameTop: number | undefined;
  let frameBottom = top;
  for (const band of bands) {
    if (band.framed) {
      frameTop ??= top;
      rule(pdf, LEFT, top, RIGHT, top);
      frameBottom = top + band.height;
    }
    band.draw(top);
    top += band.height;
  }
  if (frameTop !== undefined) {
    stroke(pdf)
      .rect(LEFT, frameTop, CONTENT_WIDTH, frameBottom - frameTop)
      .stroke();
  }

  pdf.end();
  return bytes;
}

function loadFont(): Buffer {
  fontBytes ??= readFileSync(locateFont());
  return fontBytes;
}

/** Explicit configuration first, then the copy shipped next to the bundle, then node_modules. */
function locateFont(): string {
  const configured = process.env.INVOICE_FONT_PATH;
  if (configured) {
    return configured;
  }
  const besideModule = fileURLToPath(new URL(`./${BUNDLED_FONT_FILE}`, import.meta.url));
  if (existsSync(besideModule)) {
    return besideModule;
  }
  try {
    return createRequire(import.meta.url).resolve(PACKAGE_FONT);
  } catch {
    throw new Error(
      `Invoice font not found: set INVOICE_FONT_PATH, ship ${besideModule}, or install ${PACKAGE_FONT}`,
    );
  }
}

function collect(pdf: Pdf): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
}

function titleOf(doc: InvoiceDocument): string {
  return doc.invoiceType === 'enterprise-special' ? '电子发票（增值税专用发票）' : '电子发票（普通发票）';
}

function parseIssuedAt(issuedAt: string): Date {
  const date = new Date(issuedAt);
  if (Number.isNaN(date.getTime())) {
    throw new RangeError(`Invalid issuedAt: ${issuedAt}`);
  }
  return date;
}

/** 开票日期 is the calendar date in China, whatever the Lambda's clock zone. */
function issueDate(issuedAt: string): string {
  const parts = DATE_FORMAT.formatToParts(parseIssuedAt(issuedAt));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}年${part('month')}月${part('day')}日`;
}

/**
 * Red-letter amounts print negative. The document may carry them either signed or as
 * magnitudes, so the sign is taken from the kind rather than trusted.
 */
function signed(doc: InvoiceDocument, value: number): number {
  return doc.kind === 'red' ? -Math.abs(value) : value;
}

/** "0.06" → "6%"; toFixed strips the binary noise of the multiplication (0.07 * 100). */
function formatRate(rate: string): string {
  const value = Number(rate);
  return Number.isFinite(value) ? `${Number((value * 100).toFixed(4))}%` : rate;
}

function headerBand(pdf: Pdf, doc: InvoiceDocument): Band {
  const title = titleOf(doc);
  const isRed = doc.kind === 'red';
  return {
    height: isRed ? 72 : 58,
    framed: false,
    draw(top) {
      pdf.fontSize(TITLE_SIZE).fillColor(FRAME_COLOR);
      const titleWidth = pdf.widthOfString(title, { characterSpacing: 1 });
      const titleLeft = (PAGE_WIDTH - titleWidth) / 2;
      pdf.text(title, titleLeft, top + 4, { characterSpacing: 1, lineBreak: false });
      // The double rule under the title is part of the official form.
      rule(pdf, titleLeft, top + 32, titleLeft + titleWidth, top + 32);
      rule(pdf, titleLeft, top + 35, titleLeft + titleWidth, top + 35);
      if (isRed) {
        pdf.fontSize(11).fillColor(RED_LETTER_COLOR);
        pdf.text('红字发票', LEFT, top + 40, { width: CONTENT_WIDTH, align: 'center', lineBreak: false });
      }
      const infoLeft = RIGHT - 180;
      labelled(pdf, '发票号码：', doc.invoiceNumber, infoLeft, top + 6, 180);
      labelled(pdf, '开票日期：', issueDate(doc.issuedAt), infoLeft, top + 22, 180);
    },
  };
}

function partiesBand(pdf: Pdf, doc: InvoiceDocument): Band {
  const buyer: [string, string | undefined][] = [
    ['名称：', doc.buyer.name],
    ['统一社会信用代码/纳税人识别号：', doc.buyer.taxId],
  ];
  // Special invoices let the buyer deduct input VAT, so they carry its registration details.
  if (doc.invoiceType === 'enterprise-special') {
    buyer.push(
      ['地址：', doc.buyer.registeredAddress],
      ['电话：', doc.buyer.registeredPhone],
      ['开户银行：', doc.buyer.bankName],
      ['银行账号：', doc.buyer.bankAccount],
    );
  }
  const seller: [string, string | undefined][] = [
    ['名称：', doc.seller.name],
    ['统一社会信用代码/纳税人识别号：', doc.seller.taxId],
    ['地址：', doc.seller.address],
    ['电话：', doc.seller.phone],
    ['开户银行：', doc.seller.bankName],
    ['银行账号：', doc.seller.bankAccount],
  ];
  const half = CONTENT_WIDTH / 2;
  const fieldWidth = half - LABEL_COLUMN - 2 * PAD;
  const fieldsHeight = (fields: [string, string | undefined][]) =>
    fields.reduce((sum, [label, value]) => sum + measure(pdf, label + (value ?? ''), fieldWidth), 0);
  const height = Math.max(fieldsHeight(buyer), fieldsHeight(seller), verticalHeight(5)) + 2 * PAD;

  const drawSide = (left: number, label: string, fields: [string, string | undefined][], top: number) => {
    verticalLabel(pdf, label, left, top, height);
    rule(pdf, left + LABEL_COLUMN, top, left + LABEL_COLUMN, top + height);
    let y = top + PAD;
    for (const [fieldLabel, value] of fields) {
      labelled(pdf, fieldLabel, value ?? '', left + LABEL_COLUMN + PAD, y, fieldWidth);
      y += measure(pdf, fieldLabel + (value ?? ''), fieldWidth);
    }
  };
  return {
    height,
    framed: true,
    draw(top) {
      drawSide(LEFT, '购买方信息', buyer, top);
      rule(pdf, LEFT + half, top, LEFT + half, top + height);
      drawSide(LEFT + half, '销售方信息', seller, top);
    },
  };
}

function linesBand(pdf: Pdf, doc: InvoiceDocument): Band {
  const columns: Column[] = [
    { title: '项目名称', width: 185, align: 'left', cell: (line) => line.itemName },
    { title: '规格型号', width: 104, align: 'left', cell: (line) => line.specification ?? '' },
    { title: '单位', width: 36, align: 'center', cell: (line) => line.unit ?? '' },
    {
      title: '数量',
      width: 50,
      align: 'right',
      cell: (line) => (line.quantity === undefined ? '' : String(signed(doc, line.quantity))),
    },
    {
      title: '金额',
      width: 95,
      align: 'right',
      cell: (line) => formatYuan(signed(doc, line.amountExcludingTax)),
    },
    { title: '税率/征收率', width: 62, align: 'center', cell: (line) => formatRate(line.taxRate) },
    { title: '税额', width: 95, align: 'right', cell: (line) => formatYuan(signed(doc, line.taxAmount)) },
  ];
  const lineHeight = measure(pdf, '合', CONTENT_WIDTH);
  const rowHeight = (cells: string[]) =>
    Math.max(lineHeight, ...cells.map((text, i) => measure(pdf, text, columns[i]!.width - 2 * PAD))) + PAD;
  const rows = doc.lines.map((line) => {
    const cells = columns.map((column) => column.cell(line));
    return { cells, height: rowHeight(cells) };
  });
  const headerHeight = lineHeight + 2 * PAD;
  const totalsHeight = lineHeight + 2 * PAD;
  const rowsHeight = rows.reduce((sum, row) => sum + row.height, PAD);
  const columnLeft = (index: number) => LEFT + columns.slice(0, index).reduce((sum, c) => sum + c.width, 0);

  const drawRow = (cells: string[], top: number, color: string) => {
    pdf.fontSize(FONT_SIZE).fillColor(color);
    cells.forEach((text, i) => {
      const column = columns[i]!;
      pdf.text(text, columnLeft(i) + PAD, top, { width: column.width - 2 * PAD, align: column.align });
    });
  };
  return {
    height: headerHeight + rowsHeight + totalsHeight,
    framed: true,
    draw(top) {
      pdf.fontSize(FONT_SIZE).fillColor(FRAME_COLOR);
      columns.forEach((column, i) => {
        pdf.text(column.title, columnLeft(i) + PAD, top + PAD, {
          width: column.width - 2 * PAD,
          align: 'center',
        });
      });
      let y = top + headerHeight;
      for (const row of rows) {
        drawRow(row.cells, y, TEXT_COLOR);
        y += row.height;
      }
      y += PAD;
      // 合计 sits at the foot of the item area, as on the printed form.
      pdf.fontSize(FONT_SIZE).fillColor(FRAME_COLOR);
      pdf.text('合　　计', LEFT + PAD, y + PAD, { width: columns[0]!.width - 2 * PAD, align: 'center' });
      const amountColumn = columns.findIndex((column) => column.title === '金额');
      const taxColumn = columns.findIndex((column) => column.title === '税额');
      pdf.fillColor(TEXT_COLOR);
      pdf.text(
        `¥${formatYuan(signed(doc, doc.amountExcludingTax))}`,
        columnLeft(amountColumn) + PAD,
        y + PAD,
        {
          width: columns[amountColumn]!.width - 2 * PAD,
          align: 'right',
        },
      );
      pdf.text(`¥${formatYuan(signed(doc, doc.taxAmount))}`, columnLeft(taxColumn) + PAD, y + PAD, {
        width: columns[taxColumn]!.width - 2 * PAD,
        align: 'right',
      });
    },
  };
}

function totalBand(pdf: Pdf, doc: InvoiceDocument): Band {
  const total = signed(doc, doc.total);
  const labelWidth = 130;
  const height = measure(pdf, '合', CONTENT_WIDTH) + 2 * PAD + 4;
  return {
    height,
    framed: true,
    draw(top) {
      const y = top + PAD + 2;
      pdf.fontSize(FONT_SIZE).fillColor(FRAME_COLOR);
      pdf.text('价税合计（大写）', LEFT + PAD, y, { width: labelWidth - 2 * PAD, align: 'center' });
      rule(pdf, LEFT + labelWidth, top, LEFT + labelWidth, top + height);
      // ⊗ before the words and ¥ before the figures stop anything being written in front of them.
      pdf.fillColor(TEXT_COLOR);
      pdf.text(`⊗ ${toChineseCapital(total)}`, LEFT + labelWidth + PAD, y, { lineBreak: false });
      const figures = `¥${formatYuan(total)}`;
      const figuresWidth = pdf.widthOfString(figures);
      const captionWidth = pdf.widthOfString('（小写）');
      pdf.text(figures, RIGHT - PAD - figuresWidth, y, { lineBreak: false });
      pdf.fillColor(FRAME_COLOR);
      pdf.text('（小写）', RIGHT - PAD - figuresWidth - captionWidth, y, { lineBreak: false });
    },
  };
}

function remarksBand(pdf: Pdf, doc: InvoiceDocument): Band {
  const remarks: string[] = [];
  if (doc.kind === 'red' && doc.originalInvoiceNumber) {
    remarks.push(`被红冲蓝字发票号码: ${doc.originalInvoiceNumber}`);
  }
  if (doc.remarks) {
    remarks.push(doc.remarks);
  }
  const text = remarks.join('\n');
  const textWidth = CONTENT_WIDTH - LABEL_COLUMN - 2 * PAD;
  const height = Math.max(measure(pdf, text, textWidth), verticalHeight(2)) + 2 * PAD + 8;
  return {
    height,
    framed: true,
    draw(top) {
      verticalLabel(pdf, '备注', LEFT, top, height);
      rule(pdf, LEFT + LABEL_COLUMN, top, LEFT + LABEL_COLUMN, top + height);
      pdf.fontSize(FONT_SIZE).fillColor(TEXT_COLOR);
      pdf.text(text, LEFT + LABEL_COLUMN + PAD, top + PAD, { width: textWidth });
    },
  };
}

function issuerBand(pdf: Pdf, doc: InvoiceDocument): Band {
  return {
    height: 24,
    framed: false,
    draw(top) {
      labelled(pdf, '开票人：', doc.issuer, LEFT + PAD, top + 8, 200);
    },
  };
}

/** Caption in the frame colour, value in black, wrapping together within `width`. */
function labelled(pdf: Pdf, label: string, value: string, x: number, y: number, width: number): void {
  pdf.fontSize(FONT_SIZE).fillColor(FRAME_COLOR);
  pdf.text(label, x, y, { width, continued: value !== '' });
  if (value !== '') {
    pdf.fillColor(TEXT_COLOR).text(value);
  }
}

/** Height `text` takes at the body size wrapped to `width`; empty text still takes a line. */
function measure(pdf: Pdf, text: string, width: number): number {
  return pdf.fontSize(FONT_SIZE).heightOfString(text === '' ? ' ' : text, { width });
}

const VERTICAL_STEP = 13;

function verticalHeight(characters: number): number {
  return characters * VERTICAL_STEP;
}

/** The form's narrow side captions, one character under the other, centred in the column. */
function verticalLabel(pdf: Pdf, label: string, left: number, top: number, height: number): void {
  const characters = [...label];
  let y = top + (height - verticalHeight(characters.length)) / 2;
  pdf.fontSize(FONT_SIZE).fillColor(FRAME_COLOR);
  for (const character of characters) {
    pdf.text(character, left, y, { width: LABEL_COLUMN, align: 'center', lineBreak: false });
    y += VERTICAL_STEP;
  }
}

function stroke(pdf: Pdf): Pdf {
  return pdf.lineWidth(0.8).strokeColor(FRAME_COLOR);
}

function rule(pdf: Pdf, x1: number, y1: number, x2: number, y2: number): void {
  stroke(pdf).moveTo(x1, y1).lineTo(x2, y2).stroke();
}
