import { EmbeddedFont } from '#adapters/pdf/font';
import { wrapLines } from '#adapters/pdf/line-break';
import { date, name, type PdfDict, text } from '#adapters/pdf/objects';
import { FONT_RESOURCE, PdfPage } from '#adapters/pdf/page';
import type { TrueTypeFont } from '#adapters/pdf/truetype';
import { PdfWriter } from '#adapters/pdf/writer';

export interface DocumentInfo {
  title: string;
  subject?: string;
  author?: string;
  creationDate: Date;
  /** BCP 47 language of the text, e.g. zh-CN. */
  lang: string;
}

/**
 * A PDF of pages drawn with one embedded TrueType font. Text is measured before any page
 * exists (layouts size their pages from it). `catalog` and `info` are plain dictionaries
 * that can take further entries before `save`, and `writer` takes further objects and
 * streams (metadata, output intents, attachments) that those entries reference.
 */
export class PdfDocument {
  readonly writer = new PdfWriter();
  readonly font: EmbeddedFont;
  readonly catalog: PdfDict;
  readonly info: PdfDict;
  /** What `info` was built from (metadata such as XMP restates it). */
  readonly documentInfo: DocumentInfo;
  private readonly pages: PdfPage[] = [];

  constructor(font: TrueTypeFont, info: DocumentInfo) {
    this.font = new EmbeddedFont(font);
    this.documentInfo = info;
    this.catalog = {
      Type: name('Catalog'),
      Lang: text(info.lang),
      // Viewers show the title rather than the file name.
      ViewerPreferences: { DisplayDocTitle: true },
    };
    this.info = {
      Title: text(info.title),
      Subject: info.subject === undefined ? undefined : text(info.subject),
      Author: info.author === undefined ? undefined : text(info.author),
      CreationDate: date(info.creationDate),
    };
  }

  /** Width of one line of `value` at `size` points. */
  widthOf(value: string, size: number, characterSpacing = 0): number {
    return this.font.widthOf(value, size, characterSpacing);
  }

  lineHeight(size: number): number {
    return this.font.lineHeight(size);
  }

  /** Height `value` takes wrapped within `width` at `size` points (at least one line). */
  heightOf(value: string, size: number, width: number): number {
    return (
      wrapLines(value, width, (line) => this.font.widthOf(line, size)).length * this.font.lineHeight(size)
    );
  }

  addPage(width: number, height: number): PdfPage {
    const page = new PdfPage(this.font, width, height);
    this.pages.push(page);
    return page;
  }

  save(): Uint8Array {
    const { writer } = this;
    const font = this.font.embed(writer);
    const pagesRef = writer.reserve();
    const kids = this.pages.map((page) =>
      writer.add({
        Type: name('Page'),
        Parent: pagesRef,
        MediaBox: [0, 0, page.width, page.height],
        Resources: { Font: { [FONT_RESOURCE]: font } },
        Contents: writer.addStream({}, page.content),
      }),
    );
    writer.set(pagesRef, { Type: name('Pages'), Kids: kids, Count: kids.length });
    const root = writer.add({ ...this.catalog, Pages: pagesRef });
    const info = writer.add(this.info);
    return writer.finish({ root, info });
  }
}
