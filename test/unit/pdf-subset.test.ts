import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checksum, subsetFont, writeSfnt } from '#adapters/pdf/subset';
import { compositeComponents, TrueTypeFont } from '#adapters/pdf/truetype';

const FONT = createRequire(import.meta.url).resolve(
  '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
);
const noto = new TrueTypeFont(readFileSync(FONT));

/** Every table's directory checksum, and the whole file summing to the magic number (OpenType, head). */
function checksumsOf(font: TrueTypeFont) {
  const tables = [...font.tables].map(([tag, record]) => {
    const data = new Uint8Array(font.table(tag)!);
    // head's own checksum is taken with checkSumAdjustment zeroed.
    if (tag === 'head') new DataView(data.buffer).setUint32(8, 0);
    return { tag, stored: record.checksum, computed: checksum(data) };
  });
  return { tables, file: checksum(font.bytes) };
}

// A font made up here: glyph 1 a triangle, glyph 2 a composite of glyph 1 twice (the first
// component scaled), glyph 3 a composite of glyph 2 (a composite of a composite), glyph 4 a
// triangle nothing refers to. 'a' → 3, 'b' → 4, 'x' → 4, 'y' → 3.
function tinyFont(): TrueTypeFont {
  const u16 = (...values: number[]) => values.flatMap((v) => [(v >> 8) & 0xff, v & 0xff]);
  const triangle = Uint8Array.from([
    ...u16(1, 0, 0, 500, 700), // one contour, bounding box
    ...u16(2, 0), // last point index, no instructions
    1,
    1,
    1, // three on-curve points, coordinates as int16 words
    ...u16(0, 250, 250), // x deltas
    ...u16(0, 700, 65536 - 700), // y deltas
  ]);
  const composite = (parts: { glyph: number; scaled: boolean; more: boolean }[]) =>
    Uint8Array.from([
      ...u16(0xffff, 0, 0, 500, 700),
      ...parts.flatMap(({ glyph, scaled, more }) => [
        ...u16(0x0001 | 0x0002 | (scaled ? 0x0008 : 0) | (more ? 0x0020 : 0), glyph, 10, 20),
        ...(scaled ? u16(0x2000) : []),
      ]),
    ]);
  const glyphs = [
    new Uint8Array(0),
    triangle,
    composite([
      { glyph: 1, scaled: true, more: true },
      { glyph: 1, scaled: false, more: false },
    ]),
    composite([{ glyph: 2, scaled: false, more: false }]),
    triangle,
  ];
  const padded = glyphs.map((g) => Uint8Array.from([...g, ...new Array((4 - (g.length % 4)) % 4).fill(0)]));
  const offsets = [0];
  for (const g of padded) offsets.push(offsets.at(-1)! + g.length);
  const u32 = (...values: number[]) => values.flatMap((v) => [...u16(v >>> 16), ...u16(v & 0xffff)]);
  const head = Uint8Array.from([
    ...u32(0x00010000, 0x00010000, 0, 0x5f0f3cf5),
    ...u16(0, 1000),
    ...new Array(16).fill(0),
    ...u16(0, 0, 500, 700, 0, 8, 2, 1, 0),
  ]);
  const hhea = Uint8Array.from([
    ...u32(0x00010000),
    ...u16(800, 65536 - 200, 0),
    ...new Array(24).fill(0),
    ...u16(5),
  ]);
  const maxp = Uint8Array.from([...u32(0x00005000), ...u16(glyphs.length)]);
  const hmtx = Uint8Array.from(u16(500, 0, 600, 0, 700, 0, 800, 0, 900, 0));
  // cmap format 4: 'a'..'b' → 3..4 by delta, 'x'..'y' → 4, 3 through the glyph id array, then the
  // closing 0xffff segment.
  const format4 = u16(
    ...[4, 44, 0, 6, 4, 1, 2], // format, length, language, segCountX2, searchRange, entrySelector, rangeShift
    ...[0x62, 0x79, 0xffff, 0], // end codes, reserved pad
    ...[0x61, 0x78, 0xffff], // start codes
    ...[3 - 0x61 + 65536, 0, 1], // id deltas
    ...[0, 4, 0], // id range offsets: segment 1 reads the array 4 bytes on
    ...[4, 3], // glyph id array
  );
  const cmap = Uint8Array.from([...u16(0, 1, 3, 1), ...u32(12), ...format4]);
  const post = Uint8Array.from([...u32(0x00030000), ...new Array(28).fill(0)]);
  return new TrueTypeFont(
    writeSfnt(
      new Map([
        ['head', head],
        ['hhea', hhea],
        ['maxp', maxp],
        ['hmtx', hmtx],
        ['loca', Uint8Array.from(u32(...offsets))],
        ['glyf', Uint8Array.from(padded.flatMap((g) => [...g]))],
        ['cmap', cmap],
        ['post', post],
      ]),
    ),
  );
}

describe('TrueTypeFont', () => {
  it('reads the metrics and character map of the invoice font', () => {
    // Act
    const { head, hhea } = noto;

    // Assess
    expect(noto.numGlyphs).toBeGreaterThan(30_000);
    expect(head.unitsPerEm).toBe(1000);
    expect(hhea.ascender).toBeGreaterThan(0);
    expect(hhea.descender).toBeLessThan(0);
    expect(noto.postscriptName).toBe('NotoSansSC-Regular');
    expect(noto.glyphId('中'.codePointAt(0)!)).toBeGreaterThan(0);
    expect(noto.glyphId('A'.codePointAt(0)!)).not.toBe(noto.glyphId('B'.codePointAt(0)!));
    // Not in the font: .notdef.
    expect(noto.glyphId(0x1f600)).toBe(0);
    expect(noto.advanceWidth(noto.glyphId('中'.codePointAt(0)!))).toBe(1000);
  });

  it('reads format 4 character maps and composite glyphs', () => {
    // Prepare
    const font = tinyFont();

    // Act
    const a = font.glyphId(0x61);

    // Assess
    expect([a, font.glyphId(0x62), font.glyphId(0x63)]).toEqual([3, 4, 0]);
    expect([font.glyphId(0x78), font.glyphId(0x79), font.glyphId(0x7a)]).toEqual([4, 3, 0]);
    expect(compositeComponents(font.glyphData(2)).map((c) => c.glyphId)).toEqual([1, 1]);
    expect(compositeComponents(font.glyphData(1))).toEqual([]);
    expect(font.advanceWidth(4)).toBe(900);
  });
});

describe('subsetFont', () => {
  it('keeps .notdef and the used glyphs, renumbered in order of use', () => {
    // Prepare
    const used = [...'发票A1'].map((c) => noto.glyphId(c.codePointAt(0)!));

    // Act
    const subset = subsetFont(noto, used);
    const parsed = new TrueTypeFont(subset.bytes);

    // Assess
    expect(subset.glyphs).toEqual([0, ...used]);
    expect(parsed.numGlyphs).toBe(used.length + 1);
    expect(parsed.hhea.numberOfHMetrics).toBe(used.length + 1);
    expect(parsed.head.indexToLocFormat).toBe(1);
    // No cmap: a PDF addresses the glyphs by their new ids (CIDToGIDMap Identity).
    expect(parsed.tables.has('cmap')).toBe(false);
    subset.glyphs.forEach((original, id) => {
      // The outline unchanged, padded to a 4-byte boundary.
      const outline = noto.glyphData(original);
      const kept = parsed.glyphData(id);
      expect(kept.byteLength).toBe((outline.byteLength + 3) & ~3);
      expect(Buffer.from(kept.subarray(0, outline.byteLength)).equals(outline)).toBe(true);
      expect(kept.subarray(outline.byteLength).every((byte) => byte === 0)).toBe(true);
      expect(parsed.advanceWidth(id)).toBe(noto.advanceWidth(original));
      expect(parsed.leftSideBearing(id)).toBe(noto.leftSideBearing(original));
    });
    expect(subset.bytes.byteLength).toBeLessThan(20_000);
  });

  it('writes valid table checksums and checkSumAdjustment', () => {
    // Prepare
    const used = [...'价税合计'].map((c) => noto.glyphId(c.codePointAt(0)!));

    // Act
    const parsed = new TrueTypeFont(subsetFont(noto, used).bytes);

    // Assess
    const { tables, file } = checksumsOf(parsed);
    expect(tables.map((t) => t.tag)).toEqual([
      'glyf',
      'head',
      'hhea',
      'hmtx',
      'loca',
      'maxp',
      'post',
      'prep',
    ]);
    for (const table of tables) expect(table, table.tag).toMatchObject({ computed: table.stored });
    expect(file).toBe(0xb1b0afba);
    expect(new DataView(parsed.table('post')!.buffer, parsed.table('post')!.byteOffset).getUint32(0)).toBe(
      0x00030000,
    );
  });

  it('brings in the components of composite glyphs and rewrites their ids', () => {
    // Prepare
    const font = tinyFont();

    // Act: 'a' is glyph 3, a composite of glyph 2, itself made of glyph 1.
    const subset = subsetFont(font, [font.glyphId(0x61)]);
    const parsed = new TrueTypeFont(subset.bytes);

    // Assess
    expect(subset.glyphs).toEqual([0, 3, 2, 1]);
    expect(parsed.numGlyphs).toBe(4);
    expect(compositeComponents(parsed.glyphData(1)).map((c) => c.glyphId)).toEqual([2]);
    expect(compositeComponents(parsed.glyphData(2)).map((c) => c.glyphId)).toEqual([3, 3]);
    expect(compositeComponents(parsed.glyphData(3))).toEqual([]);
    expect([0, 1, 2, 3].map((id) => parsed.advanceWidth(id))).toEqual([500, 800, 700, 600]);
    // The original is untouched.
    expect(compositeComponents(font.glyphData(3)).map((c) => c.glyphId)).toEqual([2]);
    expect(checksum(parsed.bytes)).toBe(0xb1b0afba);
  });
});
