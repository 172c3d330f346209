import { compositeComponents, type TrueTypeFont } from '#adapters/pdf/truetype';

export interface FontSubset {
  /** A complete sfnt holding only the kept glyphs. */
  bytes: Uint8Array;
  /** The original glyph id of each glyph of the subset, by new id. */
  glyphs: number[];
}

/** Tables copied unchanged: the hinting program and its data apply to any glyph set. */
const HINTING_TABLES = ['cvt ', 'fpgm', 'prep'];
const CHECKSUM_MAGIC = 0xb1b0afba;

/**
 * A TrueType font reduced to `glyphs` (original ids, in the order they get their new ids)
 * plus glyph 0 and every glyph a kept composite glyph is built from. Glyphs are renumbered
 * densely; composite glyphs have their component ids rewritten. The result carries what a
 * PDF CIDFontType2 needs (no cmap: the PDF maps codes to glyphs itself): glyf, loca (long),
 * head, hhea, maxp, hmtx, the hinting tables if present and a post table of format 3.
 */
export function subsetFont(font: TrueTypeFont, glyphs: readonly number[]): FontSubset {
  const order: number[] = [];
  const newId = new Map<number, number>();
  const keep = (glyph: number) => {
    if (!newId.has(glyph)) {
      newId.set(glyph, order.length);
      order.push(glyph);
    }
  };
  keep(0);
  for (const glyph of glyphs) keep(glyph);
  // Components may themselves be composite; `order` grows while it is walked.
  for (let i = 0; i < order.length; i++) {
    for (const component of compositeComponents(font.glyphData(order[i]!))) keep(component.glyphId);
  }

  const outlines = order.map((glyph) => {
    const data = font.glyphData(glyph);
    const components = compositeComponents(data);
    if (components.length === 0) return data;
    const copy = new Uint8Array(data);
    const view = new DataView(copy.buffer);
    for (const component of components) view.setUint16(component.idOffset, newId.get(component.glyphId)!);
    return copy;
  });

  const glyfLength = outlines.reduce((sum, data) => sum + pad4(data.byteLength), 0);
  const glyf = new Uint8Array(glyfLength);
  const loca = new DataView(new ArrayBuffer(4 * (order.length + 1)));
  let offset = 0;
  outlines.forEach((data, i) => {
    loca.setUint32(4 * i, offset);
    glyf.set(data, offset);
    offset += pad4(data.byteLength);
  });
  loca.setUint32(4 * order.length, offset);

  const hmtx = new DataView(new ArrayBuffer(4 * order.length));
  order.forEach((glyph, i) => {
    hmtx.setUint16(4 * i, font.advanceWidth(glyph));
    hmtx.setInt16(4 * i + 2, font.leftSideBearing(glyph));
  });

  const head = copyOf(font, 'head');
  const headView = new DataView(head.buffer);
  headView.setUint32(8, 0); // checkSumAdjustment, set once the file is complete
  headView.setInt16(50, 1); // indexToLocFormat: long offsets

  const hhea = copyOf(font, 'hhea');
  new DataView(hhea.buffer).setUint16(34, order.length); // numberOfHMetrics

  const maxp = copyOf(font, 'maxp');
  new DataView(maxp.buffer).setUint16(4, order.length); // numGlyphs

  // Format 3: no glyph names. italicAngle, underline metrics and isFixedPitch are kept.
  const post = new Uint8Array(32);
  const original = font.table('post');
  if (original) post.set(original.subarray(0, Math.min(32, original.byteLength)));
  new DataView(post.buffer).setUint32(0, 0x00030000);
  post.fill(0, 16); // memory usage hints no longer apply

  const tables = new Map<string, Uint8Array>([
    ['glyf', glyf],
    ['head', head],
    ['hhea', hhea],
    ['hmtx', new Uint8Array(hmtx.buffer)],
    ['loca', new Uint8Array(loca.buffer)],
    ['maxp', maxp],
    ['post', post],
  ]);
  for (const tag of HINTING_TABLES) {
    const table = font.table(tag);
    if (table) tables.set(tag, table);
  }
  return { bytes: writeSfnt(tables), glyphs: order };
}

/** Serialises tables into an sfnt with its directory, table checksums and checkSumAdjustment. */
export function writeSfnt(tables: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort();
  const headerLength = 12 + 16 * tags.length;
  const length = tags.reduce((sum, tag) => sum + pad4(tables.get(tag)!.byteLength), headerLength);
  const bytes = new Uint8Array(length);
  const view = new DataView(bytes.buffer);
  const power = 2 ** Math.floor(Math.log2(tags.length));
  view.setUint32(0, 0x00010000);
  view.setUint16(4, tags.length);
  view.setUint16(6, power * 16); // searchRange
  view.setUint16(8, Math.log2(power)); // entrySelector
  view.setUint16(10, tags.length * 16 - power * 16); // rangeShift
  let offset = headerLength;
  let headOffset = -1;
  tags.forEach((tag, i) => {
    const table = tables.get(tag)!;
    const record = 12 + 16 * i;
    for (let j = 0; j < 4; j++) view.setUint8(record + j, tag.charCodeAt(j));
    bytes.set(table, offset);
    view.setUint32(record + 4, checksum(bytes.subarray(offset, offset + pad4(table.byteLength))));
    view.setUint32(record + 8, offset);
    view.setUint32(record + 12, table.byteLength);
    if (tag === 'head') headOffset = offset;
    offset += pad4(table.byteLength);
  });
  if (headOffset >= 0) view.setUint32(headOffset + 8, (CHECKSUM_MAGIC - checksum(bytes)) >>> 0);
  return bytes;
}

/** Sum of big-endian uint32 words, modulo 2^32; `data` is zero-padded to a multiple of 4. */
export function checksum(data: Uint8Array): number {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let sum = 0;
  const whole = data.byteLength & ~3;
  for (let i = 0; i < whole; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  if (whole < data.byteLength) {
    let last = 0;
    for (let i = whole; i < whole + 4; i++) last = (last << 8) | (i < data.byteLength ? data[i]! : 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

function pad4(length: number): number {
  return (length + 3) & ~3;
}

function copyOf(font: TrueTypeFont, tag: string): Uint8Array {
  const table = font.table(tag);
  if (!table) throw new Error(`Font lacks the ${tag} table`);
  return new Uint8Array(table);
}
