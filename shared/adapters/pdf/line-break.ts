/**
 * Where a line may break, simplified from Unicode line breaking (UAX #14) for Chinese
 * documents: after a run of spaces, and between two characters when either is CJK (an
 * ideograph, kana, a full-width form or CJK punctuation), except before closing punctuation
 * and after opening punctuation. A word wider than the line is broken between characters.
 */

/** Never starts a line. */
const CLOSING = new Set([...'，。、；：？！）》」』】〕〉”’％…‥・·,.;:?!)]}%']);
/** Never ends a line. */
const OPENING = new Set([...'（《「『【〔〈“‘([{¥$￥']);

/** A line: the [start, end) range of the text it shows, trailing spaces excluded from `end`. */
export interface LineRange {
  start: number;
  end: number;
}

export function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x2e80 && codePoint <= 0x9fff) || // radicals, CJK punctuation, kana, ideographs
    (codePoint >= 0xac00 && codePoint <= 0xd7af) || // Hangul syllables
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // compatibility ideographs
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) || // CJK compatibility forms
    (codePoint >= 0xff00 && codePoint <= 0xffef) || // full-width forms
    (codePoint >= 0x20000 && codePoint <= 0x3ffff) // supplementary ideographs
  );
}

function isSpace(character: string): boolean {
  return character === ' ' || character === '\t' || character === '\u3000';
}

function breakBetween(before: string, after: string): boolean {
  if (isSpace(after)) return false;
  if (isSpace(before)) return true;
  if (CLOSING.has(after) || OPENING.has(before)) return false;
  return isWide(before.codePointAt(0)!) || isWide(after.codePointAt(0)!);
}

/**
 * Splits `value` into lines no wider than `width` as `measure` counts; a newline always
 * breaks. Every paragraph gives at least one line, so empty text still takes a line.
 */
export function wrapLines(value: string, width: number, measure: (text: string) => number): LineRange[] {
  const lines: LineRange[] = [];
  let paragraphStart = 0;
  for (const paragraph of value.split('\n')) {
    wrapParagraph(paragraph, width, measure, paragraphStart, lines);
    paragraphStart += paragraph.length + 1;
  }
  return lines;
}

function wrapParagraph(
  paragraph: string,
  width: number,
  measure: (text: string) => number,
  offset: number,
  lines: LineRange[],
): void {
  // Unbreakable pieces, each with the spaces that follow it.
  const pieces: string[] = [];
  let piece = '';
  let previous: string | undefined;
  for (const character of paragraph) {
    if (previous !== undefined && breakBetween(previous, character)) {
      pieces.push(piece);
      piece = '';
    }
    piece += character;
    previous = character;
  }
  pieces.push(piece);

  let start = 0;
  let line = '';
  const emit = (text: string) => {
    const shown = text.replace(/[ \t\u3000]+$/, '');
    lines.push({ start: offset + start, end: offset + start + shown.length });
    start += text.length;
  };
  const fits = (text: string) => measure(text.replace(/[ \t\u3000]+$/, '')) <= width + 1e-9;
  for (const next of pieces) {
    if (fits(line + next)) {
      line += next;
      continue;
    }
    if (line !== '') {
      emit(line);
      line = '';
    }
    // A piece wider than the whole line goes character by character.
    for (const character of fits(next) ? [next] : [...next]) {
      if (line !== '' && !fits(line + character)) {
        emit(line);
        line = '';
      }
      line += character;
    }
  }
  emit(line);
}
