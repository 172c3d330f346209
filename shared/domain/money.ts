/**
 * Money and VAT arithmetic.
 *
 * Amounts are always integer fen (1 yuan = 100 fen) so that sums are exact and a
 * red-letter (credit) invoice can mirror its blue invoice to the fen. Tax rates travel
 * through the API as decimal strings ("0.06") and are held internally as integer basis
 * points (600) for the same reason.
 *
 * Invoice totals: each line's tax is computed from the line's tax-inclusive total with
 * `splitTaxInclusive`, and an invoice's tax is the `sumFen` of its lines' tax (likewise for
 * the amount excluding tax). Never split the invoice total separately: rounding per line
 * and per invoice can differ by a fen, and the lines must always add up to the invoice.
 */

/** An integer number of fen. A plain number so it serialises as-is; `assertFen` guards it. */
export type Fen = number;

/** Basis points in 100% (1 bp = 0.01%). */
const BASIS_POINTS_PER_UNIT = 10_000;

/** Throws a RangeError unless `value` is a safe integer (beyond 2^53 sums silently lose fen). */
export function assertFen(value: number, label = 'amount'): void {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`${label} must be a safe integer number of fen, got ${String(value)}`);
  }
}

// 0 to 1 with at most four decimals: four decimals is exactly basis-point precision, so any
// accepted string maps to an integer without rounding.
const TAX_RATE_PATTERN = /^(?:0(?:\.(\d{1,4}))?|1(?:\.(0{1,4}))?)$/;

/** Parses an API tax rate such as "0.06" into basis points (600). Strict: no "%", signs or spaces. */
export function parseTaxRate(rate: string): number {
  if (typeof rate !== 'string') {
    throw new TypeError(`tax rate must be a string, got ${typeof rate}`);
  }
  const match = TAX_RATE_PATTERN.exec(rate);
  if (!match) {
    throw new RangeError(`tax rate must be a decimal between 0 and 1 with at most 4 decimals, got "${rate}"`);
  }
  if (rate.startsWith('1')) return BASIS_POINTS_PER_UNIT;
  return Number((match[1] ?? '').padEnd(4, '0'));
}

/** Formats basis points as the API's canonical decimal string: 600 → "0.06", 0 → "0", 50 → "0.005". */
export function formatTaxRate(bp: number): string {
  assertBasisPoints(bp);
  if (bp === BASIS_POINTS_PER_UNIT) return '1';
  if (bp === 0) return '0';
  return `0.${String(bp).padStart(4, '0').replace(/0+$/, '')}`;
}

/**
 * Splits a tax-inclusive total into the amount excluding tax and the tax.
 *
 * tax = total × bp / (10000 + bp), rounded half away from zero, computed exactly in BigInt
 * (a float product can land a hair below .5 and round the wrong way). Rounding symmetrically
 * around zero makes split(−x) the exact negation of split(x), so a red-letter credit cancels
 * its blue invoice exactly. The amount excluding tax is the remainder, so the parts always
 * add up to the total.
 */
export function splitTaxInclusive(total: Fen, rateBp: number): { amountExcludingTax: Fen; taxAmount: Fen } {
  assertFen(total, 'total');
  assertBasisPoints(rateBp);
  const magnitude = BigInt(Math.abs(total));
  const numerator = magnitude * BigInt(rateBp);
  const denominator = BigInt(BASIS_POINTS_PER_UNIT + rateBp);
  let tax = numerator / denominator;
  if (2n * (numerator % denominator) >= denominator) tax += 1n;
  const taxAmount = Number(total < 0 ? -tax : tax);
  // `+ 0` turns −0 (from a total of −0) into 0 so results compare equal with Object.is.
  return { amountExcludingTax: total - taxAmount + 0, taxAmount };
}

/** Sums fen exactly; throws a RangeError if an input or the result is not a safe integer. */
export function sumFen(values: readonly Fen[]): Fen {
  let sum = 0n;
  values.forEach((value, index) => {
    assertFen(value, `values[${index}]`);
    sum += BigInt(value);
  });
  const result = Number(sum);
  assertFen(result, 'sum');
  return result;
}

function assertBasisPoints(bp: number): void {
  if (!Number.isInteger(bp) || bp < 0 || bp > BASIS_POINTS_PER_UNIT) {
    throw new RangeError(`tax rate must be an integer number of basis points in 0..10000, got ${String(bp)}`);
  }
}
