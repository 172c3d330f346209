import { createHash } from 'node:crypto';
import { name, type PdfRef, text } from '#adapters/pdf/objects';
import { subsetFont } from '#adapters/pdf/subset';
import type { TrueTypeFont } from '#adapters/pdf/truetype';
import type { PdfWriter } from '#adapters/pdf/writer';

/**
 * A TrueType font embedded as a Type0 font with Identity-H encoding (ISO 32000-1, 9.7): each
 * glyph is written as its 2-byte id in the subset, the subset's glyph ids are the CIDs
 * (CIDToGIDMap Identity), and a ToUnicode map gives text extraction the characters back.
 * Glyphs get their subset ids in the order they are first used, so a document drawn the
 * same way embeds the same bytes. Characters are mapped one to one through the font's cmap
 * (no shaping): right for CJK, Latin letters, digits and punctuation.
 */
export class EmbeddedFont {
  /** Metrics in thousandths of the font size, as PDF font dictionaries give them. */
  readonly ascender: number;
  readonly descender: number;
  readonly lineGap: number;
  private readonly scale: number;
  /** Original glyph id → subset glyph id; glyph 0 (.notdef) stays 0. */
  private readonly subsetIds = new Map<number, number>([[0, 0]]);
  private readonly used: number[] = [];
  /** Subset glyph id → the text it stands for (first character drawn with it). */
  private readonly unicode = new Map<number, string>();
  private readonly glyphCache = new Map<number, number>();

  constructor(private readonly font: TrueTypeFont) {
    this.scale = 1000 / font.head.unitsPerEm;
    this.ascender = font.hhea.ascender * this.scale;
    this.descender = font.hhea.descender * this.scale;
    this.lineGap = font.hhea.lineGap * this.scale;
  }

  /** Distance from one baseline to the next at `size` points. */
  lineHeight(size: number): number {
    return ((this.ascender - this.descender + this.lineGap) / 1000) * size;
  }

  /** Advance width of `value` at `size` points, plus `characterSpacing` between characters. */
  widthOf(value: string, size: number, characterSpacing = 0): number {
    let width = 0;
    let characters = 0;
    for (const character of value) {
      width += this.font.advanceWidth(this.glyphOf(character.codePointAt(0)!)) * this.scale;
      characters++;
    }
    return (width / 1000) * size + characterSpacing * Math.max(0, characters - 1);
  }

  /** `value` as the hex string of an Identity-H show-text operand; records the glyphs used. */
  encode(value: string): string {
    let hex = '';
    for (const character of value) {
      const glyph = this.glyphOf(character.codePointAt(0)!);
      let id = this.subsetIds.get(glyph);
      if (id === undefined) {
        id = this.used.length + 1;
        this.subsetIds.set(glyph, id);
        this.used.push(glyph);
      }
      if (id !== 0 && !this.unicode.has(id)) this.unicode.set(id, character);
      hex += id.toString(16).padStart(4, '0');
    }
    return hex;
  }

  /** Writes the subset and its dictionaries; returns the Type0 font to put in resources. */
  embed(writer: PdfWriter): PdfRef {
    const subset = subsetFont(this.font, this.used);
    const baseName = `${this.subsetTag()}+${this.font.postscriptName}`;
    const { head, os2, post } = this.font;
    const fontFile = writer.addStream({ Length1: subset.bytes.byteLength }, subset.bytes);
    const descriptor = writer.add({
      Type: name('FontDescriptor'),
      FontName: name(baseName),
      Flags: this.flags(),
      FontBBox: [head.xMin, head.yMin, head.xMax, head.yMax].map((v) => v * this.scale),
      ItalicAngle: post.italicAngle,
      Ascent: this.ascender,
      Descent: this.descender,
      CapHeight: (os2?.sCapHeight ?? this.font.hhea.ascender) * this.scale,
      XHeight: os2?.sxHeight !== undefined ? os2.sxHeight * this.scale : undefined,
      StemV: 0,
      FontFile2: fontFile,
    });
    const widths = subset.glyphs.map((glyph) => this.font.advanceWidth(glyph) * this.scale);
    const descendant = writer.add({
      Type: name('Font'),
      Subtype: name('CIDFontType2'),
      BaseFont: name(baseName),
      CIDSystemInfo: { Registry: text('Adobe'), Ordering: text('Identity'), Supplement: 0 },
      FontDescriptor: descriptor,
      W: [0, widths],
      CIDToGIDMap: name('Identity'),
    });
    const toUnicode = writer.addStream({}, this.toUnicodeCMap());
    return writer.add({
      Type: name('Font'),
      Subtype: name('Type0'),
      BaseFont: name(baseName),
      Encoding: name('Identity-H'),
      DescendantFonts: [descendant],
      ToUnicode: toUnicode,
    });
  }

  /**
   * PDF/A forbids showing .notdef (ISO 19005-3, 6.2.11.8), so a character the font lacks (an
   * emoji, say) is drawn as □, the usual stand-in; the ToUnicode map still gives the character
   * back when it is the first drawn with that glyph.
   */
  private glyphOf(codePoint: number): number {
    let glyph = this.glyphCache.get(codePoint);
    if (glyph === undefined) {
      glyph = this.font.glyphId(codePoint) || this.font.glyphId(MISSING_GLYPH_STAND_IN);
      this.glyphCache.set(codePoint, glyph);
    }
    return glyph;
  }

  /** Six capitals derived from the glyph set (9.6.4), so a given subset always has the same name. */
  private subsetTag(): string {
    const ids = [...this.used].sort((a, b) => a - b);
    const digest = createHash('sha256').update(Uint32Array.from(ids)).digest();
    return Array.from(digest.subarray(0, 6), (byte) => String.fromCharCode(65 + (byte % 26))).join('');
  }

  /** Font descriptor flags (9.8.2); a CJK font is always symbolic to PDF. */
  private flags(): number {
    const familyClass = (this.font.os2?.sFamilyClass ?? 0) >> 8;
    let flags = 1 << 2;
    if (this.font.post.isFixedPitch) flags |= 1 << 0;
    if (familyClass >= 1 && familyClass <= 7) flags |= 1 << 1;
    if (familyClass === 10) flags |= 1 << 3;
    if (this.font.head.macStyle & 0b10) flags |= 1 << 6;
    return flags;
  }

  private toUnicodeCMap(): string {
    const entries = [...this.unicode].sort(([a], [b]) => a - b);
    const blocks: string[] = [];
    // At most 100 mappings per bfchar block (Adobe technical note 5411).
    for (let i = 0; i < entries.length; i += 100) {
      const block = entries.slice(i, i + 100);
      blocks.push(
        `${block.length} beginbfchar\n${block.map(([id, value]) => `<${hex4(id)}> <${utf16Hex(value)}>`).join('\n')}\nendbfchar`,
      );
    }
    return [
      '/CIDInit /ProcSet findresource begin',
      '12 dict begin',
      'begincmap',
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
      '/CMapName /Adobe-Identity-UCS def',
      '/CMapType 2 def',
      '1 begincodespacerange',
      '<0000> <ffff>',
      'endcodespacerange',
      ...blocks,
      'endcmap',
      'CMapName currentdict /CMap defineresource pop',
      'end',
      'end',
      '',
    ].join('\n');
  }
}

/** □ WHITE SQUARE. */
const MISSING_GLYPH_STAND_IN = 0x25a1;

function hex4(value: number): string {
  return value.toString(16).padStart(4, '0');
}

function utf16Hex(value: string): string {
  let hex = '';
  for (let i = 0; i < value.length; i++) hex += hex4(value.charCodeAt(i));
  return hex;
}
