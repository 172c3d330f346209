import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatYuan, toChineseCapital } from '#domain/chinese-numerals';

const DIGIT_VALUES = new Map([...'零壹贰叁肆伍陆柒捌玖'].map((char, value) => [char, value]));
const SMALL_UNITS = new Map([
  ['拾', 10],
  ['佰', 100],
  ['仟', 1000],
]);

/** Reads the capital form back into fen, so the property test can check it is lossless. */
function parseCapital(text: string): number {
  const negative = text.startsWith('（负数）');
  const body = text.replace('（负数）', '').replace(/整$/, '');
  const [integerText, decimalText] = body.includes('圆') ? body.split('圆') : ['', body];
  let total = 0;
  let section = 0;
  let digit = 0;
  for (const char of integerText ?? '') {
    if (DIGIT_VALUES.has(char)) {
      digit = DIGIT_VALUES.get(char)!;
    } else if (SMALL_UNITS.has(char)) {
      section += digit * SMALL_UNITS.get(char)!;
      digit = 0;
    } else if (char === '万') {
      section = (section + digit) * 1e4;
      digit = 0;
    } else if (char === '亿') {
      total = (total + section + digit) * 1e8;
      section = 0;
      digit = 0;
    } else {
      throw new Error(`Unexpected ${char} in ${text}`);
    }
  }
  const yuan = total + section + digit;
  const jiao = /(.)角/.exec(decimalText ?? '')?.[1];
  const fen = /(.)分/.exec(decimalText ?? '')?.[1];
  const value = yuan * 100 + (jiao ? DIGIT_VALUES.get(jiao)! * 10 : 0) + (fen ? DIGIT_VALUES.get(fen)! : 0);
  return negative ? -value : value;
}

// Amounts with many zeros are where the 零 rules go wrong, so bias towards them.
const zeroHeavyFen = fc
  .array(fc.constantFrom(0, 0, 0, 1, 5, 9), { minLength: 1, maxLength: 15 })
  .map((digits) => Number(digits.join('')));

describe('toChineseCapital', () => {
  it.each([
    // Whole yuan get 整.
    [0, '零圆整'],
    [100, '壹圆整'],
    [1000, '壹拾圆整'],
    [10600, '壹佰零陆圆整'],
    [1100, '壹拾壹圆整'],
    [2000000, '贰万圆整'],
    [10000000000, '壹亿圆整'],
    [100000000000, '壹拾亿圆整'],
    // 角 and 分; 整 after a trailing 角, never after 分.
    [10050, '壹佰圆伍角整'],
    [1050, '壹拾圆伍角整'],
    [1234567, '壹万贰仟叁佰肆拾伍圆陆角柒分'],
    [99999, '玖佰玖拾玖圆玖角玖分'],
    // Below one yuan there is no 圆 and no leading 零.
    [1, '壹分'],
    [5, '伍分'],
    [50, '伍角整'],
    [56, '伍角陆分'],
    // 零 before a lone 分.
    [1005, '壹拾圆零伍分'],
    [10001, '壹佰圆零壹分'],
    [100000001, '壹佰万圆零壹分'],
    // Zeros in the middle collapse to a single 零.
    [100100, '壹仟零壹圆整'],
    [101000, '壹仟零壹拾圆整'],
    [1000100, '壹万零壹圆整'],
    [1001000, '壹万零壹拾圆整'],
    [10010000, '壹拾万零壹佰圆整'],
    [1000010000, '壹仟万零壹佰圆整'],
    [10000000100, '壹亿零壹圆整'],
    [10000100000, '壹亿零壹仟圆整'],
    [10100000000, '壹亿零壹佰万圆整'],
    [11000000000, '壹亿壹仟万圆整'],
    [10001000000, '壹亿零壹万圆整'],
    [100001000000, '壹拾亿零壹万圆整'],
    [1010101, '壹万零壹佰零壹圆零壹分'],
    // Beyond 万亿.
    [100000000000000, '壹万亿圆整'],
    [100000001000000, '壹万亿零壹万圆整'],
    [123456789012345, '壹万贰仟叁佰肆拾伍亿陆仟柒佰捌拾玖万零壹佰贰拾叁圆肆角伍分'],
    [Number.MAX_SAFE_INTEGER, '玖拾万零柒佰壹拾玖亿玖仟贰佰伍拾肆万柒仟肆佰零玖圆玖角壹分'],
  ])('writes %i fen as %s', (fen, expected) => {
    // Prepare: the table row.

    // Act
    const text = toChineseCapital(fen);

    // Assess
    expect(text).toBe(expected);
  });

  it('is lossless and never writes 零 twice or next to a unit', () => {
    // Prepare
    const amounts = fc.oneof(zeroHeavyFen, fc.maxSafeNat(), fc.maxSafeInteger());

    fc.assert(
      fc.property(amounts, (fen) => {
        // Act
        const text = toChineseCapital(fen);

        // Assess
        expect(parseCapital(text)).toBe(fen);
        expect(text.endsWith('整')).toBe(fen % 10 === 0);
        if (fen !== 0) {
          expect(text).not.toMatch(/零零|零[圆万亿整]|^(（负数）)?零/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('prefixes negative amounts of red-letter invoices with （负数）', () => {
    // Prepare
    const fen = -10600;

    // Act
    const text = toChineseCapital(fen);

    // Assess
    expect(text).toBe('（负数）壹佰零陆圆整');
  });

  it('treats negative zero as zero', () => {
    // Prepare
    const fen = -0;

    // Act
    const text = toChineseCapital(fen);

    // Assess
    expect(text).toBe('零圆整');
  });

  it.each([0.5, 1.005, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'rejects %s with a RangeError',
    (fen) => {
      // Prepare: the table row.

      // Act
      const act = () => toChineseCapital(fen);

      // Assess
      expect(act).toThrow(RangeError);
    },
  );
});

describe('formatYuan', () => {
  it.each([
    [0, '0.00'],
    [1, '0.01'],
    [50, '0.50'],
    [10600, '106.00'],
    [1234567, '12345.67'],
    [-10600, '-106.00'],
    [-5, '-0.05'],
  ])('prints %i fen as %s', (fen, expected) => {
    // Prepare: the table row.

    // Act
    const text = formatYuan(fen);

    // Assess
    expect(text).toBe(expected);
  });

  it('rejects fractional fen', () => {
    // Prepare
    const fen = 10.5;

    // Act
    const act = () => formatYuan(fen);

    // Assess
    expect(act).toThrow(RangeError);
  });
});
