/**
 * Amounts as printed on a VAT invoice. All inputs are integer fen (1 yuan = 100 fen) so no
 * floating-point rounding can creep into what the buyer sees.
 */

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
// Position units inside a four-digit group, from the thousands down.
const GROUP_UNITS = ['仟', '佰', '拾', ''] as const;
const NEGATIVE_PREFIX = '（负数）';

/**
 * 价税合计（大写）, following 会计基础工作规范 第五十二条:
 * - a gap of one or more zeros inside the number is written as a single 零;
 * - when the yuan digit is 0 but 角 is not, the 零 there is optional — we omit it
 *   (100.50 → 壹佰圆伍角整), and always write it before a lone 分 (10.05 → 壹拾圆零伍分);
 * - 整 follows an amount ending in 圆 or 角, never one ending in 分. The rule says an amount
 *   ending in 角 "应当写整", so we print 伍角整 rather than the also-common bare 伍角;
 * - 拾 at the head of a number keeps its 壹 (壹拾圆), as financial writing requires.
 * Negative amounts (red-letter invoices) get the prefix （负数）.
 */
export function toChineseCapital(fen: number): string {
  assertSafeInteger(fen);
  if (fen < 0) {
    return NEGATIVE_PREFIX + toChineseCapital(-fen);
  }
  const yuan = Math.floor(fen / 100);
  const jiao = Math.floor(fen / 10) % 10;
  const fenDigit = fen % 10;

  if (yuan === 0 && jiao === 0 && fenDigit === 0) {
    return '零圆整';
  }

  let text = yuan > 0 ? `${integerToCapital(yuan)}圆` : '';
  if (jiao > 0) {
    text += `${DIGITS.charAt(jiao)}角`;
  } else if (fenDigit > 0 && yuan > 0) {
    text += '零';
  }
  text += fenDigit > 0 ? `${DIGITS.charAt(fenDigit)}分` : '整';
  return text;
}

/** "106.00" for 10600 fen; a minus sign for negatives; no thousands separators, as on fapiao. */
export function formatYuan(fen: number): string {
  assertSafeInteger(fen);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function assertSafeInteger(fen: number): void {
  if (!Number.isSafeInteger(fen)) {
    throw new RangeError(`Amount must be a safe integer number of fen, got ${fen}`);
  }
}

/** n ≥ 1. Splits at 亿 recursively so amounts past 万亿 still read correctly (壹万亿圆). */
function integerToCapital(n: number): string {
  if (n >= 1e8) {
    const high = Math.floor(n / 1e8);
    const low = n % 1e8;
    return `${integerToCapital(high)}亿${low === 0 ? '' : (low < 1e7 ? '零' : '') + belowYi(low)}`;
  }
  return belowYi(n);
}

/** 1 ≤ n < 1e8. A leading 零 for gaps before n is the caller's job. */
function belowYi(n: number): string {
  const high = Math.floor(n / 1e4);
  const low = n % 1e4;
  if (high === 0) {
    return group(low);
  }
  return `${group(high)}万${low === 0 ? '' : (low < 1000 ? '零' : '') + group(low)}`;
}

/** 1 ≤ n < 1e4, without leading zeros; inner runs of zeros collapse to one 零. */
function group(n: number): string {
  let text = '';
  let pendingZero = false;
  GROUP_UNITS.forEach((unit, i) => {
    const digit = Math.floor(n / 10 ** (3 - i)) % 10;
    if (digit === 0) {
      pendingZero = text !== '';
      return;
    }
    if (pendingZero) {
      text += '零';
      pendingZero = false;
    }
    text += DIGITS.charAt(digit) + unit;
  });
  return text;
}
