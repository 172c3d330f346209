import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundsFromKeys, splitKeyRange } from '#adapters/key-ranges';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-';
const recordKey = fc
  .string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: 20 })
  .map((id) => `RECORD#${id}`);

describe('splitKeyRange', () => {
  it('splits zero-padded numeric ids into even ranges', () => {
    // Prepare
    const ids = Array.from({ length: 50_000 }, (_, i) => `RECORD#rec-${String(i).padStart(6, '0')}`);

    // Act
    const bounds = splitKeyRange(ids[0]!, ids.at(-1)!, 16);

    // Assess
    expect(bounds).toHaveLength(17);
    const sizes = bounds.slice(1).map((hi, i) => ids.filter((id) => id >= bounds[i]! && id <= hi).length);
    for (const size of sizes) expect(size).toBeGreaterThanOrEqual(3_100);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(3_150);
  });

  it('splits other ids by their characters', () => {
    // Act
    const bounds = splitKeyRange('RECORD#a', 'RECORD#z', 5);

    // Assess
    expect(bounds).toHaveLength(6);
    expect(bounds.slice(1, -1).map((b) => b.slice(7, 8))).toEqual(['f', 'k', 'p', 'u']);
  });

  it('takes every n-th key of a read as the next cuts', () => {
    // Prepare
    const keys = Array.from({ length: 100 }, (_, i) => `RECORD#k${String(i).padStart(3, '0')}`);

    // Act
    const bounds = boundsFromKeys(keys, 4);

    // Assess
    expect(bounds).toEqual(['RECORD#k000', 'RECORD#k025', 'RECORD#k050', 'RECORD#k075']);
    expect(boundsFromKeys(['RECORD#a'], 4)).toEqual(['RECORD#a']);
    expect(boundsFromKeys([], 4)).toEqual([]);
  });

  it('covers every key between the first and the last, in strictly increasing bounds (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(recordKey, { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 32 }),
        (keys, parts) => {
          // Prepare
          const sorted = [...keys].sort();
          const first = sorted[0]!;
          const last = sorted.at(-1)!;

          // Act
          const bounds = splitKeyRange(first, last, parts);

          // Assess
          expect(bounds[0]).toBe(first);
          expect(bounds.at(-1)).toBe(last);
          expect(bounds.length).toBeLessThanOrEqual(Math.max(parts, 1) + 1);
          for (let i = 1; i < bounds.length; i++) expect(bounds[i]! > bounds[i - 1]!).toBe(true);
          for (const key of sorted) {
            const inRanges = bounds.slice(1).filter((hi, i) => key >= bounds[i]! && key <= hi);
            expect(inRanges.length, key).toBeGreaterThanOrEqual(bounds.length === 1 ? 0 : 1);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
