import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { PdfDocument } from '#adapters/pdf/document';
import { name, serialize, text } from '#adapters/pdf/objects';
import { TrueTypeFont } from '#adapters/pdf/truetype';
import { PdfWriter } from '#adapters/pdf/writer';

// poppler-utils reads the files the way a viewer would.
const workDir = mkdtempSync(join(tmpdir(), 'pdf-writer-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const font = new TrueTypeFont(
  readFileSync(
    createRequire(import.meta.url).resolve(
      '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
    ),
  ),
);

function poppler(tool: 'pdftotext' | 'pdfinfo' | 'pdffonts', pdf: Uint8Array, ...args: string[]): string {
  const file = join(workDir, `${tool}-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
}

/** The cross-reference table's offsets by object number, and where startxref points. */
function crossReferences(pdf: Uint8Array) {
  const file = Buffer.from(pdf).toString('latin1');
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(file)![1]);
  const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(file.slice(startxref))!;
  const entries = file
    .slice(startxref)
    .split('\n')
    .slice(2, 2 + Number(count));
  return { file, startxref, first: Number(first), entries };
}

function sampleDocument(value: string): PdfDocument {
  const doc = new PdfDocument(font, {
    title: 'Sample',
    subject: '样张',
    author: '测试',
    creationDate: new Date('2026-10-31T17:30:00Z'),
    lang: 'zh-CN',
  });
  doc.addPage(600, 100).text(value, 10, 10, { size: 10, color: '#000000' });
  return doc;
}

describe('PdfWriter', () => {
  it('writes a cross-reference table whose every offset points at its object', () => {
    // Prepare: a reference used before its object is written, and both kinds of stream.
    const writer = new PdfWriter();
    const later = writer.reserve();
    const data = writer.addStream({ Type: name('Test') }, 'compressed data');
    const plain = writer.addStream({}, 'plain data', { compress: false });
    const root = writer.add({ Type: name('Catalog'), Later: later, Data: data, Plain: plain });
    writer.set(later, [1, 2.5, null, true, text('x')]);

    // Act
    const pdf = writer.finish({ root });

    // Assess
    const { file, startxref, first, entries } = crossReferences(pdf);
    expect(file.startsWith('%PDF-1.7\n')).toBe(true);
    expect(first).toBe(0);
    expect(entries[0]).toBe('0000000000 65535 f ');
    expect(entries).toHaveLength(5);
    entries.slice(1).forEach((entry, i) => {
      expect(entry).toMatch(/^\d{10} 00000 n $/);
      const offset = Number(entry.slice(0, 10));
      expect(file.slice(offset, offset + 20)).toMatch(new RegExp(`^${i + 1} 0 obj\n`));
    });
    expect(file.slice(startxref, startxref + 5)).toBe('xref\n');
    expect(file).toMatch(/trailer\n<<\/Size 5 \/Root 4 0 R \/ID \[<([0-9a-f]{32})> <\1>\]>>/);
    expect(file).toContain('1 0 obj\n[1 2.5 null true (x)]\nendobj\n');
    expect(file).toContain('stream\nplain data\nendstream');
    const compressed = /<<\/Type \/Test \/Length (\d+) \/Filter \/FlateDecode>>\nstream\n/.exec(file)!;
    const start = compressed.index + compressed[0].length;
    const body = Buffer.from(pdf.subarray(start, start + Number(compressed[1])));
    expect(inflateSync(body).toString()).toBe('compressed data');
  });

  it('refuses to finish while a reserved object is missing', () => {
    // Prepare
    const writer = new PdfWriter();
    const missing = writer.reserve();
    const root = writer.add({ Type: name('Catalog'), Missing: missing });

    // Act & Assess
    expect(() => writer.finish({ root })).toThrow('PDF object 1 was reserved but never written');
  });

  it('serialises names, strings and numbers the way PDF reads them', () => {
    expect(serialize(name('A B#(c)'))).toBe('/A#20B#23#28c#29');
    expect(serialize(text('a (b) \\ c'))).toBe('(a \\(b\\) \\\\ c)');
    // UTF-16BE with a byte order mark once the text is not plain ASCII.
    expect(serialize(text('发票'))).toBe('<feff53d17968>');
    expect(serialize([0.1 + 0.2, 1e-9, -0, 1 / 3, 123456789])).toBe('[0.3 0 0 0.3333 123456789]');
  });
});

describe('PdfDocument', () => {
  it('draws Chinese, Latin and digits that text extraction returns unchanged', () => {
    // Prepare
    const value = '发票号码 Invoice No. 26332000000123456789，¥-106.00（负数）';

    // Act
    const pdf = sampleDocument(value).save();

    // Assess
    expect(poppler('pdftotext', pdf).trim()).toBe(value);
    const info = poppler('pdfinfo', pdf);
    expect(info).toMatch(/^Title:\s+Sample$/m);
    expect(info).toMatch(/^Subject:\s+样张$/m);
    expect(info).toMatch(/^Pages:\s+1$/m);
    expect(info).toMatch(/^Page size:\s+600 x 100 pts$/m);
    const { file } = crossReferences(pdf);
    expect(file).toContain('/Lang (zh-CN)');
    expect(file).toContain('/ViewerPreferences <</DisplayDocTitle true>>');
  });

  it('embeds the font as a subset named by its glyphs', () => {
    // Act
    const first = poppler('pdffonts', sampleDocument('发票').save());
    const same = poppler('pdffonts', sampleDocument('票发').save());
    const other = poppler('pdffonts', sampleDocument('红字').save());

    // Assess: name, type, encoding, embedded, subset, ToUnicode.
    const row = /^([A-Z]{6})\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/m;
    expect(first).toMatch(row);
    const tag = (fonts: string) => row.exec(fonts)![1];
    expect(tag(same)).toBe(tag(first));
    expect(tag(other)).not.toBe(tag(first));
  });

  it('is byte-for-byte reproducible', () => {
    // Act
    const first = sampleDocument('价税合计 ¥106.00').save();
    const second = sampleDocument('价税合计 ¥106.00').save();

    // Assess
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(true);
  });

  it('takes further catalog entries and objects, such as a metadata stream', () => {
    // Prepare
    const doc = sampleDocument('发票');
    const xmp = '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/>';

    // Act
    doc.catalog.Metadata = doc.writer.addStream(
      { Type: name('Metadata'), Subtype: name('XML') },
      Buffer.from(xmp),
      { compress: false },
    );
    const pdf = doc.save();

    // Assess
    expect(poppler('pdfinfo', pdf)).toMatch(/^Metadata Stream:\s+yes$/m);
    expect(poppler('pdfinfo', pdf, '-meta')).toContain('adobe:ns:meta/');
  });
});
