import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PdfDocument } from '#adapters/pdf/document';
import type { Align, PdfPage } from '#adapters/pdf/page';
import { conformToPdfA3 } from '#adapters/pdf/pdfa';
import { TrueTypeFont } from '#adapters/pdf/truetype';
import { formatYuan, toChineseCapital } from '#domain/chinese-numerals';
import {
  type InvoiceDocument,
  type InvoiceDocumentLine,
  invoiceTitle,
  signedAmount,
} from '#domain/invoice-document';
import { INVOICE_XML_CONTENT_TYPE, INVOICE_XML_FILENAME, invoiceXml } from '#domain/invoice-xml';

/** Name the Lambda bundling step gives the TTF when it copies it next to index.mjs. */
const BUNDLED_FONT_FILE = 'NotoSansSC-Regular.ttf';
const PACKAGE_FONT = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

// The paper form's size, 241 × 140 mm. The item area stretches to fill the form. Four
// single-line items always fit (five on a blue invoice with a one-line remark); an invoice with
// more keeps them all on its single page, which then grows taller than the form rather than
// continuing on a list page (docs/DESIGN.md, S3).
const PAGE_WIDTH = 683.15;
const PAGE_HEIGHT = 396.85;
const MARGIN_X = 28;
const MARGIN_TOP = 14;
const MARGIN_BOTTOM = 12;
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
const FRAME_STROKE = { width: 0.8, color: FRAME_COLOR };

const DATE_FORMAT = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** A horizontal band of the page: measured before the page exists, drawn once it does. */
interface Band {
  height: number;
  /** Inside the ruled frame (gets a separator line above it). */
  framed: boolean;
  draw(page: PdfPage, top: number): void;
}

interface Column {
  title: string;
  width: number;
  align: Align;
  cell(line: InvoiceDocumentLine): string;
}

let font: TrueTypeFont | undefined;

/**
 * The invoice as a one-page PDF/A-3B with its XML (`invoiceXml`) embedded as the associated
 * file, as Factur-X does: one file for eyes and for accounting software. Byte-for-byte
 * reproducible for a given document: the creation date is the issue time, the file ID a hash
 * of the content and the font subset's tag a hash of the glyphs it holds.
 */
export async function renderInvoicePdf(
  doc: InvoiceDocument,
  xml: string = invoiceXml(doc),
): Promise<Uint8Array> {
  const pdf = new PdfDocument(loadFont(), {
    title: doc.invoiceNumber,
    subject: titleOf(doc),
    author: doc.seller.name,
    creationDate: parseIssuedAt(doc.issuedAt),
    lang: 'zh-CN',
  });

  const items = linesBand(pdf, doc);
  const bands = [
    headerBand(pdf, doc),
    partiesBand(pdf, doc),
    items,
    totalBand(pdf, doc),
    remarksBand(pdf, doc),
    issuerBand(pdf, doc),
  ];
  const height = MARGIN_TOP + bands.reduce((sum, band) => sum + band.height, 0) + MARGIN_BOTTOM;
  items.height += Math.max(0, PAGE_HEIGHT - height);
  const page = pdf.addPage(PAGE_WIDTH, Math.max(PAGE_HEIGHT, height));

  let top = MARGIN_TOP;
  let frameTop: number | undefined;
  let frameBottom = top;
  for (const band of bands) {
    if (band.framed) {
      frameTop ??= top;
      rule(page, LEFT, top, RIGHT, top);
      frameBottom = top + band.height;
    }
    band.draw(page, top);
    top += band.height;
  }
  if (frameTop !== undefined) {
    page.rect(LEFT, frameTop, CONTENT_WIDTH, frameBottom - frameTop, FRAME_STROKE);
  }
  conformToPdfA3(pdf, [
    {
      filename: INVOICE_XML_FILENAME,
      mimeType: INVOICE_XML_CONTENT_TYPE,
      data: xml,
      description: `${titleOf(doc)} ${doc.invoiceNumber}`,
      relationship: 'Alternative',
    },
  ]);
  return pdf.save();
}

function loadFont(): TrueTypeFont {
  font ??= new TrueTypeFont(readFileSync(locateFont()));
  return font;
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

function titleOf(doc: InvoiceDocument): string {
  return invoiceTitle(doc);
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

function signed(doc: InvoiceDocument, value: number): number {
  return signedAmount(doc, value);
}

/** "0.06" → "6%"; toFixed strips the binary noise of the multiplication (0.07 * 100). */
function formatRate(rate: string): string {
  const value = Number(rate);
  return Number.isFinite(value) ? `${Number((value * 100).toFixed(4))}%` : rate;
}

function headerBand(pdf: PdfDocument, doc: InvoiceDocument): Band {
  const title = titleOf(doc);
  const isRed = doc.kind === 'red';
  return {
    height: isRed ? 66 : 52,
    framed: false,
    draw(page, top) {
      const titleWidth = pdf.widthOf(title, TITLE_SIZE, 1);
      const titleLeft = (PAGE_WIDTH - titleWidth) / 2;
      page.text(title, titleLeft, top + 4, { size: TITLE_SIZE, color: FRAME_COLOR, characterSpacing: 1 });
      // The double rule under the title is part of the official form.
      rule(page, titleLeft, top + 32, titleLeft + titleWidth, top + 32);
      rule(page, titleLeft, top + 35, titleLeft + titleWidth, top + 35);
      if (isRed) {
        const mark = '红字发票';
        const markLeft = LEFT + (CONTENT_WIDTH - pdf.widthOf(mark, 11)) / 2;
        page.text(mark, markLeft, top + 40, { size: 11, color: RED_LETTER_COLOR });
      }
      const infoLeft = RIGHT - 180;
      labelled(page, '发票号码：', doc.invoiceNumber, infoLeft, top + 6, 180);
      labelled(page, '开票日期：', issueDate(doc.issuedAt), infoLeft, top + 22, 180);
    },
  };
}

function partiesBand(pdf: PdfDocument, doc: InvoiceDocument): Band {
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

  const drawSide = (
    page: PdfPage,
    left: number,
    label: string,
    fields: [string, string | undefined][],
    top: number,
  ) => {
    verticalLabel(page, label, left, top, height);
    rule(page, left + LABEL_COLUMN, top, left + LABEL_COLUMN, top + height);
    let y = top + PAD;
    for (const [fieldLabel, value] of fields) {
      y += labelled(page, fieldLabel, value ?? '', left + LABEL_COLUMN + PAD, y, fieldWidth);
    }
  };
  return {
    height,
    framed: true,
    draw(page, top) {
      drawSide(page, LEFT, '购买方信息', buyer, top);
      rule(page, LEFT + half, top, LEFT + half, top + height);
      drawSide(page, LEFT + half, '销售方信息', seller, top);
    },
  };
}

function linesBand(pdf: PdfDocument, doc: InvoiceDocument): Band {
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
  const lineHeight = pdf.lineHeight(FONT_SIZE);
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
  /** Text in column `index`, wrapped within it. */
  const cell = (page: PdfPage, index: number, text: string, top: number, color: string, align?: Align) => {
    const column = columns[index]!;
    page.paragraph([{ text, color }], columnLeft(index) + PAD, top, {
      size: FONT_SIZE,
      width: column.width - 2 * PAD,
      align: align ?? column.align,
    });
  };
  return {
    height: headerHeight + rowsHeight + totalsHeight,
    framed: true,
    draw(page, top) {
      const foot = top + this.height - totalsHeight;
      columns.forEach((column, i) => {
        cell(page, i, column.title, top + PAD, FRAME_COLOR, 'center');
      });
      let y = top + headerHeight;
      for (const row of rows) {
        row.cells.forEach((text, i) => {
          cell(page, i, text, y, TEXT_COLOR);
        });
        y += row.height;
      }
      // 合计 sits at the foot of the item area, as on the printed form.
      y = foot;
      cell(page, 0, '合　　计', y + PAD, FRAME_COLOR, 'center');
      const amountColumn = columns.findIndex((column) => column.title === '金额');
      const taxColumn = columns.findIndex((column) => column.title === '税额');
      cell(page, amountColumn, `¥${formatYuan(signed(doc, doc.amountExcludingTax))}`, y + PAD, TEXT_COLOR);
      cell(page, taxColumn, `¥${formatYuan(signed(doc, doc.taxAmount))}`, y + PAD, TEXT_COLOR);
    },
  };
}

function totalBand(pdf: PdfDocument, doc: InvoiceDocument): Band {
  const total = signed(doc, doc.total);
  const labelWidth = 130;
  const height = pdf.lineHeight(FONT_SIZE) + 2 * PAD + 4;
  return {
    height,
    framed: true,
    draw(page, top) {
      const y = top + PAD + 2;
      page.paragraph([{ text: '价税合计（大写）', color: FRAME_COLOR }], LEFT + PAD, y, {
        size: FONT_SIZE,
        width: labelWidth - 2 * PAD,
        align: 'center',
      });
      rule(page, LEFT + labelWidth, top, LEFT + labelWidth, top + height);
      // ⊗ before the words and ¥ before the figures stop anything being written in front of them.
      page.text(`⊗ ${toChineseCapital(total)}`, LEFT + labelWidth + PAD, y, body(TEXT_COLOR));
      const figures = `¥${formatYuan(total)}`;
      const figuresWidth = pdf.widthOf(figures, FONT_SIZE);
      const captionWidth = pdf.widthOf('（小写）', FONT_SIZE);
      page.text(figures, RIGHT - PAD - figuresWidth, y, body(TEXT_COLOR));
      page.text('（小写）', RIGHT - PAD - figuresWidth - captionWidth, y, body(FRAME_COLOR));
    },
  };
}

function remarksBand(pdf: PdfDocument, doc: InvoiceDocument): Band {
  const remarks: string[] = [];
  if (doc.kind === 'red' && doc.originalInvoiceNumber) {
    remarks.push(`被红冲蓝字发票号码: ${doc.originalInvoiceNumber}`);
  }
  if (doc.remarks) {
    remarks.push(doc.remarks);
  }
  const text = remarks.join('\n');
  const textWidth = CONTENT_WIDTH - LABEL_COLUMN - 2 * PAD;
  const height = Math.max(measure(pdf, text, textWidth), verticalHeight(2)) + 2 * PAD + 2;
  return {
    height,
    framed: true,
    draw(page, top) {
      verticalLabel(page, '备注', LEFT, top, height);
      rule(page, LEFT + LABEL_COLUMN, top, LEFT + LABEL_COLUMN, top + height);
      if (text !== '') {
        page.paragraph([{ text, color: TEXT_COLOR }], LEFT + LABEL_COLUMN + PAD, top + PAD, {
          size: FONT_SIZE,
          width: textWidth,
        });
      }
    },
  };
}

function issuerBand(_pdf: PdfDocument, doc: InvoiceDocument): Band {
  return {
    height: 20,
    framed: false,
    draw(page, top) {
      labelled(page, '开票人：', doc.issuer, LEFT + PAD, top + 6, 200);
    },
  };
}

function body(color: string) {
  return { size: FONT_SIZE, color };
}

/**
 * Caption in the frame colour, value in black, wrapping together within `width`. Returns the
 * height taken (what `measure` gives for the two together).
 */
function labelled(page: PdfPage, label: string, value: string, x: number, y: number, width: number): number {
  return page.paragraph(
    [
      { text: label, color: FRAME_COLOR },
      { text: value, color: TEXT_COLOR },
    ],
    x,
    y,
    { size: FONT_SIZE, width },
  );
}

/** Height `text` takes at the body size wrapped to `width`; empty text still takes a line. */
function measure(pdf: PdfDocument, text: string, width: number): number {
  return pdf.heightOf(text, FONT_SIZE, width);
}

const VERTICAL_STEP = 13;

function verticalHeight(characters: number): number {
  return characters * VERTICAL_STEP;
}

/** The form's narrow side captions, one character under the other, centred in the column. */
function verticalLabel(page: PdfPage, label: string, left: number, top: number, height: number): void {
  const characters = [...label];
  let y = top + (height - verticalHeight(characters.length)) / 2;
  for (const character of characters) {
    const width = page.font.widthOf(character, FONT_SIZE);
    page.text(character, left + (LABEL_COLUMN - width) / 2, y, body(FRAME_COLOR));
    y += VERTICAL_STEP;
  }
}

function rule(page: PdfPage, x1: number, y1: number, x2: number, y2: number): void {
  page.line(x1, y1, x2, y2, FRAME_STROKE);
}
