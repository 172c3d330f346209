/**
 * A TrueType (glyf outlines) font read straight from its bytes. Only the table directory is
 * parsed up front; every table is decoded when first asked for, and the character map is
 * searched in place rather than expanded, so opening a 30,000-glyph CJK font costs next to
 * nothing. Reference: the OpenType specification's table chapters (head, hhea, maxp, hmtx,
 * loca, glyf, cmap, OS/2, post, name).
 */

export interface TableRecord {
  offset: number;
  length: number;
  checksum: number;
}

export interface HeadTable {
  unitsPerEm: number;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
  macStyle: number;
  indexToLocFormat: number;
}

export interface HheaTable {
  ascender: number;
  descender: number;
  lineGap: number;
  numberOfHMetrics: number;
}

export interface Os2Table {
  sFamilyClass: number;
  /** Absent before version 2 of the table. */
  sxHeight?: number;
  sCapHeight?: number;
}

export interface PostTable {
  /** Degrees, counter-clockwise from vertical. */
  italicAngle: number;
  isFixedPitch: boolean;
}

/** One component of a composite glyph: the glyph it uses and where its id sits in the glyph data. */
export interface GlyphComponent {
  glyphId: number;
  /** Byte offset of the component's glyphIndex field within the glyph's data. */
  idOffset: number;
}

const TRUETYPE_VERSIONS = new Set([0x00010000, 0x74727565 /* 'true' */]);

// Composite glyph flags.
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

type CharacterMap = (codePoint: number) => number;

export class TrueTypeFont {
  readonly bytes: Uint8Array;
  readonly tables: ReadonlyMap<string, TableRecord>;
  private readonly view: DataView;
  private cache: {
    head?: HeadTable;
    hhea?: HheaTable;
    numGlyphs?: number;
    os2?: Os2Table | null;
    post?: PostTable;
    postscriptName?: string;
    cmap?: CharacterMap;
  } = {};

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.byteLength < 12 || !TRUETYPE_VERSIONS.has(this.view.getUint32(0))) {
      throw new Error('Not a TrueType font (glyf outlines)');
    }
    const numTables = this.view.getUint16(4);
    const tables = new Map<string, TableRecord>();
    for (let i = 0; i < numTables; i++) {
      const record = 12 + 16 * i;
      const tag = String.fromCharCode(...bytes.subarray(record, record + 4));
      const offset = this.view.getUint32(record + 8);
      const length = this.view.getUint32(record + 12);
      if (offset + length > bytes.byteLength) throw new Error(`Font table ${tag} runs past the file`);
      tables.set(tag, { checksum: this.view.getUint32(record + 4), offset, length });
    }
    for (const tag of ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf']) {
      if (!tables.has(tag)) throw new Error(`Font lacks the ${tag} table`);
    }
    this.tables = tables;
  }

  /** The raw bytes of a table (a view, not a copy). */
  table(tag: string): Uint8Array | undefined {
    const record = this.tables.get(tag);
    return record && this.bytes.subarray(record.offset, record.offset + record.length);
  }

  get head(): HeadTable {
    this.cache.head ??= (() => {
      const at = this.offsetOf('head');
      return {
        unitsPerEm: this.view.getUint16(at + 18),
        xMin: this.view.getInt16(at + 36),
        yMin: this.view.getInt16(at + 38),
        xMax: this.view.getInt16(at + 40),
        yMax: this.view.getInt16(at + 42),
        macStyle: this.view.getUint16(at + 44),
        indexToLocFormat: this.view.getInt16(at + 50),
      };
    })();
    return this.cache.head;
  }

  get hhea(): HheaTable {
    this.cache.hhea ??= (() => {
      const at = this.offsetOf('hhea');
      return {
        ascender: this.view.getInt16(at + 4),
        descender: this.view.getInt16(at + 6),
        lineGap: this.view.getInt16(at + 8),
        numberOfHMetrics: this.view.getUint16(at + 34),
      };
    })();
    return this.cache.hhea;
  }

  get numGlyphs(): number {
    this.cache.numGlyphs ??= this.view.getUint16(this.offsetOf('maxp') + 4);
    return this.cache.numGlyphs;
  }

  get os2(): Os2Table | undefined {
    if (this.cache.os2 === undefined) {
      const record = this.tables.get('OS/2');
      if (!record) {
        this.cache.os2 = null;
      } else {
        const at = record.offset;
        const version = this.view.getUint16(at);
        this.cache.os2 = {
          sFamilyClass: this.view.getInt16(at + 30),
          ...(version >= 2 && record.length >= 90
            ? { sxHeight: this.view.getInt16(at + 86), sCapHeight: this.view.getInt16(at + 88) }
            : {}),
        };
      }
    }
    return this.cache.os2 ?? undefined;
  }

  get post(): PostTable {
    this.cache.post ??= (() => {
      const record = this.tables.get('post');
      if (!record) return { italicAngle: 0, isFixedPitch: false };
      return {
        italicAngle: this.view.getInt32(record.offset + 4) / 65536,
        isFixedPitch: this.view.getUint32(record.offset + 12) !== 0,
      };
    })();
    return this.cache.post;
  }

  /** The PostScript name (name ID 6), or a neutral one when the font has none. */
  get postscriptName(): string {
    this.cache.postscriptName ??= this.readPostscriptName() ?? 'Font';
    return this.cache.postscriptName;
  }

  advanceWidth(glyphId: number): number {
    const { numberOfHMetrics } = this.hhea;
    const index = Math.min(glyphId, numberOfHMetrics - 1);
    return this.view.getUint16(this.offsetOf('hmtx') + 4 * index);
  }

  leftSideBearing(glyphId: number): number {
    const { numberOfHMetrics } = this.hhea;
    const at = this.offsetOf('hmtx');
    return glyphId < numberOfHMetrics
      ? this.view.getInt16(at + 4 * glyphId + 2)
      : this.view.getInt16(at + 4 * numberOfHMetrics + 2 * (glyphId - numberOfHMetrics));
  }

  /** The glyph's outline data from glyf; empty for a glyph without outline (a space). */
  glyphData(glyphId: number): Uint8Array {
    if (glyphId < 0 || glyphId >= this.numGlyphs) throw new RangeError(`No glyph ${glyphId}`);
    const loca = this.offsetOf('loca');
    const [start, end] =
      this.head.indexToLocFormat === 0
        ? [this.view.getUint16(loca + 2 * glyphId) * 2, this.view.getUint16(loca + 2 * glyphId + 2) * 2]
        : [this.view.getUint32(loca + 4 * glyphId), this.view.getUint32(loca + 4 * glyphId + 4)];
    const glyf = this.tables.get('glyf')!;
    if (end < start || end > glyf.length) throw new Error(`Glyph ${glyphId} lies outside glyf`);
    return this.bytes.subarray(glyf.offset + start, glyf.offset + end);
  }

  /** The glyph for a Unicode code point; 0 (.notdef) when the font has none. */
  glyphId(codePoint: number): number {
    this.cache.cmap ??= this.readCharacterMap();
    return this.cache.cmap(codePoint);
  }

  private offsetOf(tag: string): number {
    const record = this.tables.get(tag);
    if (!record) throw new Error(`Font lacks the ${tag} table`);
    return record.offset;
  }

  private readPostscriptName(): string | undefined {
    const record = this.tables.get('name');
    if (!record) return undefined;
    const at = record.offset;
    const count = this.view.getUint16(at + 2);
    const strings = at + this.view.getUint16(at + 4);
    for (let i = 0; i < count; i++) {
      const entry = at + 6 + 12 * i;
      const platformId = this.view.getUint16(entry);
      const nameId = this.view.getUint16(entry + 6);
      if (nameId !== 6 || (platformId !== 3 && platformId !== 1)) continue;
      const length = this.view.getUint16(entry + 8);
      const start = strings + this.view.getUint16(entry + 10);
      let name = '';
      if (platformId === 3) {
        for (let j = 0; j + 1 < length; j += 2) name += String.fromCharCode(this.view.getUint16(start + j));
      } else {
        name = String.fromCharCode(...this.bytes.subarray(start, start + length));
      }
      // A PostScript name is printable ASCII without spaces or PDF delimiters.
      return name.replace(/[^\x21-\x7e]|[()<>[\]{}/%#]/g, '');
    }
    return undefined;
  }

  /** Picks the Unicode subtable: full repertoire (format 12) first, then the BMP (format 4). */
  private readCharacterMap(): CharacterMap {
    const record = this.tables.get('cmap');
    if (!record) return () => 0;
    const at = record.offset;
    const count = this.view.getUint16(at + 2);
    const candidates: { rank: number; offset: number }[] = [];
    for (let i = 0; i < count; i++) {
      const entry = at + 4 + 8 * i;
      const platformId = this.view.getUint16(entry);
      const encodingId = this.view.getUint16(entry + 2);
      const offset = at + this.view.getUint32(entry + 4);
      const format = this.view.getUint16(offset);
      const unicode = platformId === 0 || (platformId === 3 && (encodingId === 1 || encodingId === 10));
      if (!unicode) continue;
      if (format === 12) candidates.push({ rank: 0, offset });
      else if (format === 4) candidates.push({ rank: 1, offset });
    }
    candidates.sort((a, b) => a.rank - b.rank);
    const best = candidates[0];
    if (!best) return () => 0;
    return best.rank === 0 ? this.format12(best.offset) : this.format4(best.offset);
  }

  private format12(at: number): CharacterMap {
    const groups = this.view.getUint32(at + 12);
    const first = at + 16;
    return (codePoint) => {
      let low = 0;
      let high = groups - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const group = first + 12 * middle;
        const start = this.view.getUint32(group);
        const end = this.view.getUint32(group + 4);
        if (codePoint < start) high = middle - 1;
        else if (codePoint > end) low = middle + 1;
        else return this.view.getUint32(group + 8) + (codePoint - start);
      }
      return 0;
    };
  }

  private format4(at: number): CharacterMap {
    const segments = this.view.getUint16(at + 6) / 2;
    const endCodes = at + 14;
    const startCodes = endCodes + 2 * segments + 2;
    const idDeltas = startCodes + 2 * segments;
    const idRangeOffsets = idDeltas + 2 * segments;
    return (codePoint) => {
      if (codePoint > 0xffff) return 0;
      let low = 0;
      let high = segments - 1;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (this.view.getUint16(endCodes + 2 * middle) < codePoint) low = middle + 1;
        else high = middle;
      }
      const start = this.view.getUint16(startCodes + 2 * low);
      if (codePoint < start || codePoint > this.view.getUint16(endCodes + 2 * low)) return 0;
      const delta = this.view.getUint16(idDeltas + 2 * low);
      const rangeOffset = this.view.getUint16(idRangeOffsets + 2 * low);
      if (rangeOffset === 0) return (codePoint + delta) & 0xffff;
      const glyph = this.view.getUint16(idRangeOffsets + 2 * low + rangeOffset + 2 * (codePoint - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    };
  }
}

/** The components of a composite glyph; empty for a simple (or empty) glyph. */
export function compositeComponents(glyph: Uint8Array): GlyphComponent[] {
  if (glyph.byteLength < 10) return [];
  const view = new DataView(glyph.buffer, glyph.byteOffset, glyph.byteLength);
  if (view.getInt16(0) >= 0) return [];
  const components: GlyphComponent[] = [];
  let at = 10;
  for (;;) {
    const flags = view.getUint16(at);
    components.push({ glyphId: view.getUint16(at + 2), idOffset: at + 2 });
    at += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) at += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) at += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) at += 8;
    if (!(flags & MORE_COMPONENTS)) return components;
  }
}
