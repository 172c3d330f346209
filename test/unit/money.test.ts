import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertFen, formatTaxRate, parseTaxRate, splitTaxInclusive, sumFen } from '#domain/money';

const MAX_FEN = Number.MAX_SAFE_INTEGER;
const fen = fc.integer({ min: -MAX_FEN, max: MAX_FEN });
const basisPoints = fc.integer({ min: 0, max: 10_000 });
// The rates the service actually issues, weighted in alongside arbitrary ones.
const commonRates = fc.constantFrom(0, 100, 300, 500, 600, 900, 1300);

describe('assertFen', () => {
  it.each([0, 1, -1, 12_345, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])('accepts %d', (value) => {
    // Prepare / Act / Assess
    expect(() => assertFen(value)).not.toThrow();
  });

  it.each([0.5, -0.01, Number.NaN, Number.POSITIVE_INFINITY, Number.MAX_SAFE_INTEGER + 1])(
    'rejects %d with a RangeError',
    (value) => {
      // Act / Assess
      expect(() => assertFen(value)).toThrow(RangeError);
    },
  );

  it('names the label in the error', () => {
    // Prepare
    const label = 'lines[2].total';

    // Act
    const act = () => assertFen(1.5, label);

    // Assess
    expect(act).toThrow(/lines\[2\]\.total/);
  });

  it('rejects a non-number at runtime', () => {
    // Prepare
    const value = '100' as unknown as number;

    // Act / Assess
    expect(() => assertFen(value)).toThrow(RangeError);
  });
});

describe('parseTaxRate', () => {
  it.each([
    ['0', 0],
    ['0.0', 0],
    ['0.01', 100],
    ['0.03', 300],
    ['0.005', 50],
    ['0.06', 600],
    ['0.0600', 600],
    ['0.09', 900],
    ['0.13', 1300],
    ['0.1', 1000],
    ['0.0001', 1],
    ['0.9999', 9999],
    ['1', 10_000],
    ['1.0000', 10_000],
  ])('parses "%s" as %d bp', (rate, expected) => {
    // Act
    const bp = parseTaxRate(rate);

    // Assess
    expect(bp).toBe(expected);
  });

  it.each([
    '6%',
    '0.060001',
    '0.00001',
    '-0.06',
    '+0.06',
    'abc',
    '',
    ' 0.06',
    '0.06 ',
    '.06',
    '0.',
    '00.06',
    '1.01',
    '1.00001',
    '2',
    '0,06',
    '6e-2',
    '０.０６',
  ])('rejects "%s" with a RangeError', (rate) => {
    // Act / Assess
    expect(() => parseTaxRate(rate)).toThrow(RangeError);
  });

  it('rejects a non-string with a TypeError', () => {
    // Prepare
    const rate = 0.06 as unknown as string;

    // Act / Assess
    expect(() => parseTaxRate(rate)).toThrow(TypeError);
  });
});

describe('formatTaxRate', () => {
  it.each([
    [600, '0.06'],
    [1300, '0.13'],
    [900, '0.09'],
    [300, '0.03'],
    [100, '0.01'],
    [0, '0'],
    [50, '0.005'],
    [1, '0.0001'],
    [1000, '0.1'],
    [10_000, '1'],
  ])('formats %d bp as "%s"', (bp, expected) => {
    // Act
    const rate = formatTaxRate(bp);

    // Assess
    expect(rate).toBe(expected);
  });

  it.each([-1, 10_001, 0.5, Number.NaN])('rejects %d with a RangeError', (bp) => {
    // Act / Assess
    expect(() => formatTaxRate(bp)).toThrow(RangeError);
  });

  it('round-trips every basis point value', () => {
    fc.assert(
      fc.property(basisPoints, (bp) => {
        // Act
        const roundTripped = parseTaxRate(formatTaxRate(bp));

        // Assess
        expect(roundTripped).toBe(bp);
      }),
    );
  });

  it('canonicalises any accepted rate string', () => {
    // Prepare: any accepted spelling, e.g. "0.0600" or "1.00"
    const rateString = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 4 })).map(([bp, width]) => {
        const digits = String(bp).padStart(4, '0').replace(/0+$/, '').padEnd(width, '0');
        return digits === '' ? '0' : `0.${digits}`;
      }),
      fc.integer({ min: 0, max: 4 }).map((zeros) => (zeros === 0 ? '1' : `1.${'0'.repeat(zeros)}`)),
    );

    fc.assert(
      fc.property(rateString, (rate) => {
        // Act
        const canonical = formatTaxRate(parseTaxRate(rate));

        // Assess: canonical form parses to the same value and is itself a fixed point
        expect(parseTaxRate(canonical)).toBe(parseTaxRate(rate));
        expect(formatTaxRate(parseTaxRate(canonical))).toBe(canonical);
        expect(canonical).not.toMatch(/\.\d*0$/);
      }),
    );
  });
});

describe('splitTaxInclusive', () => {
  it.each([
    // [total, bp, amountExcludingTax, taxAmount]
    [10_600, 600, 10_000, 600],
    [106, 600, 100, 6],
    [11_300, 1300, 10_000, 1300],
    [10_000, 1300, 8850, 1150], // 1150.44… rounds down
    [10_000, 600, 9434, 566], // 566.03…
    [100, 600, 94, 6], // 5.66… rounds up
    [10_300, 300, 10_000, 300],
    [1, 600, 1, 0],
    [9, 600, 8, 1], // 0.509… rounds up
    [0, 1300, 0, 0],
    [12_345, 0, 12_345, 0],
  ])('splits %d fen at %d bp into %d + %d', (total, bp, amountExcludingTax, taxAmount) => {
    // Act
    const split = splitTaxInclusive(total, bp);

    // Assess
    expect(split).toEqual({ amountExcludingTax, taxAmount });
  });

  it('rounds an exact half away from zero in both directions', () => {
    // Prepare: at 20% tax is total / 6, so 3 fen carries exactly 0.5 fen of tax
    const total = 3;

    // Act
    const blue = splitTaxInclusive(total, 2000);
    const red = splitTaxInclusive(-total, 2000);

    // Assess
    expect(blue).toEqual({ amountExcludingTax: 2, taxAmount: 1 });
    expect(red).toEqual({ amountExcludingTax: -2, taxAmount: -1 });
  });

  it('is exact at the largest safe amounts, where float arithmetic misrounds', () => {
    // Prepare: exact tax is 9007199254740984 × 1300 / 11300 = 1036226462934803 + 5300/11300;
    // Math.round(total * 1300 / 11300) gives …804
    const total = 9_007_199_254_740_984;

    // Act
    const split = splitTaxInclusive(total, 1300);

    // Assess
    expect(split).toEqual({ amountExcludingTax: 7_970_972_791_806_181, taxAmount: 1_036_226_462_934_803 });
  });

  it('never returns negative zero', () => {
    // Act
    const fromNegativeZero = splitTaxInclusive(-0, 600);
    const fromTinyCredit = splitTaxInclusive(-1, 600);

    // Assess
    expect(Object.is(fromNegativeZero.amountExcludingTax, 0)).toBe(true);
    expect(Object.is(fromNegativeZero.taxAmount, 0)).toBe(true);
    expect(Object.is(fromTinyCredit.taxAmount, 0)).toBe(true);
  });

  it.each([
    [1.5, 600],
    [Number.NaN, 600],
    [Number.MAX_SAFE_INTEGER + 1, 600],
    [100, -1],
    [100, 10_001],
    [100, 6.5],
  ])('rejects total %d at %d bp with a RangeError', (total, bp) => {
    // Act / Assess
    expect(() => splitTaxInclusive(total, bp)).toThrow(RangeError);
  });

  describe('properties', () => {
    const rate = fc.oneof(commonRates, basisPoints);

    it('parts are integers that add up to the total', () => {
      fc.assert(
        fc.property(fen, rate, (total, bp) => {
          // Act
          const { amountExcludingTax, taxAmount } = splitTaxInclusive(total, bp);

          // Assess
          expect(Number.isSafeInteger(amountExcludingTax)).toBe(true);
          expect(Number.isSafeInteger(taxAmount)).toBe(true);
          expect(BigInt(amountExcludingTax) + BigInt(taxAmount)).toBe(BigInt(total));
        }),
      );
    });

    it('a credit is the exact negation of its invoice', () => {
      fc.assert(
        fc.property(fen, rate, (total, bp) => {
          // Act
          const blue = splitTaxInclusive(total, bp);
          const red = splitTaxInclusive(-total, bp);

          // Assess: `0 - x` rather than `-x` so that 0 stays +0
          expect(red).toEqual({
            amountExcludingTax: 0 - blue.amountExcludingTax,
            taxAmount: 0 - blue.taxAmount,
          });
        }),
      );
    });

    it('tax is within half a fen of the exact rational value', () => {
      fc.assert(
        fc.property(fen, rate, (total, bp) => {
          // Act
          const { taxAmount } = splitTaxInclusive(total, bp);

          // Assess: |tax − total·bp/(10000+bp)| ≤ ½  ⇔  2·|tax·(10000+bp) − total·bp| ≤ 10000+bp
          const denominator = BigInt(10_000 + bp);
          const error = BigInt(taxAmount) * denominator - BigInt(total) * BigInt(bp);
          const absError = error < 0n ? -error : error;
          expect(2n * absError <= denominator).toBe(true);
        }),
      );
    });

    it('tax has the sign of the total and never exceeds half of it', () => {
      fc.assert(
        fc.property(fen, rate, (total, bp) => {
          // Act
          const { taxAmount } = splitTaxInclusive(total, bp);

          // Assess: at most 100% tax, i.e. half of a tax-inclusive total (rounded up)
          expect(Math.sign(taxAmount) === Math.sign(total) || taxAmount === 0).toBe(true);
          expect(Math.abs(taxAmount)).toBeLessThanOrEqual(Math.ceil(Math.abs(total) / 2));
        }),
      );
    });

    it('a zero rate carries no tax', () => {
      fc.assert(
        fc.property(fen, (total) => {
          // Act
          const split = splitTaxInclusive(total, 0);

          // Assess
          expect(split).toEqual({ amountExcludingTax: total, taxAmount: 0 });
        }),
      );
    });

    it('tax does not decrease as the total grows', () => {
      fc.assert(
        fc.property(fc.integer({ min: -1e12, max: 1e12 }), fc.nat({ max: 1e6 }), rate, (total, step, bp) => {
          // Act
          const lower = splitTaxInclusive(total, bp).taxAmount;
          const higher = splitTaxInclusive(total + step, bp).taxAmount;

          // Assess
          expect(higher).toBeGreaterThanOrEqual(lower);
        }),
      );
    });

    it('invoice totals built from line splits add up', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: -1e10, max: 1e10 }), { maxLength: 50 }),
          rate,
          (totals, bp) => {
            // Prepare
            const lines = totals.map((total) => splitTaxInclusive(total, bp));

            // Act
            const invoiceTax = sumFen(lines.map((line) => line.taxAmount));
            const invoiceAmount = sumFen(lines.map((line) => line.amountExcludingTax));

            // Assess
            expect(invoiceAmount + invoiceTax).toBe(sumFen(totals));
          },
        ),
      );
    });
  });
});

describe('sumFen', () => {
  it('sums integers', () => {
    // Prepare
    const values = [100, 250, -50, 0];

    // Act
    const total = sumFen(values);

    // Assess
    expect(total).toBe(300);
  });

  it('is 0 for no values', () => {
    // Act / Assess
    expect(sumFen([])).toBe(0);
  });

  it('allows intermediate sums beyond the safe range when the result is safe', () => {
    // Prepare
    const values = [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];

    // Act
    const total = sumFen(values);

    // Assess
    expect(total).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('rejects a result beyond the safe range', () => {
    // Prepare
    const values = [Number.MAX_SAFE_INTEGER, 1];

    // Act / Assess
    expect(() => sumFen(values)).toThrow(RangeError);
  });

  it('rejects a non-integer input, naming its index', () => {
    // Prepare
    const values = [100, 0.5];

    // Act / Assess
    expect(() => sumFen(values)).toThrow(/values\[1\]/);
  });

  it('matches exact BigInt addition', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1e13, max: 1e13 }), { maxLength: 100 }), (values) => {
        // Act
        const total = sumFen(values);

        // Assess
        expect(BigInt(total)).toBe(values.reduce((sum, value) => sum + BigInt(value), 0n));
      }),
    );
  });
});
