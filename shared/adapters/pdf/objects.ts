/**
 * PDF values (ISO 32000-1, 7.3) and their serialisation. A JS object is a dictionary, an
 * array is an array, a number is a number; names, strings and references have their own
 * classes so that none of them can be confused with another.
 */

export class PdfName {
  constructor(readonly name: string) {}
}

export class PdfString {
  /** `bytes` as they go into the file (already encoded). */
  constructor(readonly bytes: Uint8Array) {}
}

export class PdfRef {
  constructor(readonly id: number) {}
}

/** Pre-serialised PDF syntax, written as it is (e.g. an operator or a date kept verbatim). */
export class PdfRaw {
  constructor(readonly text: string) {}
}

export type PdfValue = null | boolean | number | PdfName | PdfString | PdfRef | PdfRaw | PdfValue[] | PdfDict;
export interface PdfDict {
  [key: string]: PdfValue | undefined;
}

export function name(value: string): PdfName {
  return new PdfName(value);
}

/**
 * A text string (7.9.2.2): PDFDocEncoding where the text is plain ASCII, otherwise UTF-16BE
 * with its byte order mark, so that Chinese metadata reads back unchanged.
 */
export function text(value: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(value)) return new PdfString(Buffer.from(value, 'latin1'));
  const utf16 = Buffer.from(`\ufeff${value}`, 'utf16le');
  utf16.swap16();
  return new PdfString(utf16);
}

export function bytes(value: Uint8Array): PdfString {
  return new PdfString(value);
}

/** A date string (7.9.4) in UTC: D:YYYYMMDDHHmmSSZ. */
export function date(value: Date): PdfString {
  const digits = value.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return text(`D:${digits}Z`);
}

/** Numbers with at most four decimals and never in exponent notation. */
export function number(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`Not a PDF number: ${value}`);
  const rounded = Math.round(value * 10_000) / 10_000;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

const NAME_REGULAR = /^[!-~]$/;
const NAME_DELIMITERS = '()<>[]{}/%#';

export function serialize(value: PdfValue): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return number(value);
  if (value instanceof PdfName) return serializeName(value.name);
  if (value instanceof PdfString) return serializeString(value.bytes);
  if (value instanceof PdfRef) return `${value.id} 0 R`;
  if (value instanceof PdfRaw) return value.text;
  if (Array.isArray(value)) return `[${value.map(serialize).join(' ')}]`;
  const entries = Object.entries(value).filter(
    (entry): entry is [string, PdfValue] => entry[1] !== undefined,
  );
  return `<<${entries.map(([key, entry]) => `${serializeName(key)} ${serialize(entry)}`).join(' ')}>>`;
}

function serializeName(value: string): string {
  let out = '/';
  for (const byte of Buffer.from(value, 'utf8')) {
    const character = String.fromCharCode(byte);
    out +=
      NAME_REGULAR.test(character) && !NAME_DELIMITERS.includes(character)
        ? character
        : `#${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** Literal form for printable ASCII, hexadecimal form for anything else. */
function serializeString(data: Uint8Array): string {
  if (data.every((byte) => byte >= 0x20 && byte <= 0x7e)) {
    return `(${Buffer.from(data)
      .toString('latin1')
      .replace(/[\\()]/g, '\\$&')})`;
  }
  return `<${Buffer.from(data).toString('hex')}>`;
}
