import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chinaDate, chinaTime, fenFromYuan, taxRate, yuan } from '../../web/src/format.ts';

describe('the console’s formatting (web/src/format.ts)', () => {
  it('shows fen as yuan with two decimals and thousands separators, negatives too', () => {
    expect(yuan(0)).toBe('¥0.00');
    expect(yuan(5)).toBe('¥0.05');
    expect(yuan(10_600)).toBe('¥106.00');
    expect(yuan(123_456_789)).toBe('¥1,234,567.89');
    expect(yuan(-11_300)).toBe('-¥113.00');
  });

  it('reads back every amount it shows, to the fen (no floating point on the way)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999_999_999_999_999 }), (fen) => {
        expect(fenFromYuan(yuan(fen))).toBe(fen);
      }),
    );
  });

  it('takes what people type and refuses what is not an amount', () => {
    expect(fenFromYuan('50')).toBe(5_000);
    expect(fenFromYuan('12.5')).toBe(1_250);
    expect(fenFromYuan('0.07')).toBe(7);
    expect(fenFromYuan(' 1,200.00 ')).toBe(120_000);
    for (const bad of ['', '.5', '1.234', '-3', 'abc', '1e3', '12..0'])
      expect(fenFromYuan(bad)).toBeUndefined();
  });

  it('shows instants in China time whatever the offset they come with', () => {
    expect(chinaTime('2026-12-04T16:30:05Z')).toBe('2026-12-05 00:30');
    expect(chinaTime('2026-12-05T00:30:05+08:00', true)).toBe('2026-12-05 00:30:05');
    expect(chinaTime('2026-12-04T11:30:05-05:00')).toBe('2026-12-05 00:30');
    expect(chinaTime(undefined)).toBe('—');
    expect(chinaDate(new Date('2026-12-04T16:00:00Z'))).toBe('2026-12-05');
    expect(chinaDate(new Date('2026-12-04T15:59:59Z'))).toBe('2026-12-04');
  });

  it('shows tax rates as percentages', () => {
    expect(taxRate('0.06')).toBe('6%');
    expect(taxRate('0.13')).toBe('13%');
    expect(taxRate('0')).toBe('0%');
  });
});
