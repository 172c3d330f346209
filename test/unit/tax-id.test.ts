import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidTaxpayerId, unifiedSocialCreditCheckCharacter } from '#domain/tax-id';

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const uscChar = fc.constantFrom(...USCC_CHARSET);
const digit = fc.constantFrom(...'0123456789');
// A structurally valid first 17: authority, category, 6-digit division, 9-character subject id.
const first17 = fc
  .tuple(
    fc.constantFrom(...'123456789ABCDEFGNY'),
    uscChar,
    fc.array(digit, { minLength: 6, maxLength: 6 }),
    fc.array(uscChar, { minLength: 9, maxLength: 9 }),
  )
  .map(
    ([authority, category, division, subject]) => authority + category + division.join('') + subject.join(''),
  );

describe('unifiedSocialCreditCheckCharacter', () => {
  it('matches a published code, checked by hand', () => {
    // Prepare: 91350100M000100Y43 is widely quoted as valid. By hand, with code values
    // M = 21 and Y = 30: 9·1 + 1·3 + 3·9 + 5·27 + 1·26 + 21·20 + 1·8 + 30·30 + 4·28 = 1640,
    // 1640 mod 31 = 28, 31 − 28 = 3 → '3'.
    const body = '91350100M000100Y4';

    // Act
    const check = unifiedSocialCreditCheckCharacter(body);

    // Assess
    expect(check).toBe('3');
  });

  it.each([
    ['91110108MA01A2B3C', 'F'],
    ['91310115MA1K4X5Y6', 'H'],
    ['91330106MA2H00006', 'X'],
    ['91330106MA2H0000H', '0'], // 31 − 0 wraps to code value 0
  ])('computes the check character of %s as %s', (body, expected) => {
    // Act
    const check = unifiedSocialCreditCheckCharacter(body);

    // Assess
    expect(check).toBe(expected);
  });

  it.each([
    '9135010M000100Y4', // 16 characters
    '91350100M000100Y43', // 18 characters
    '91350100M000100I4', // I is not in the character set
    '91350100m000100Y4', // lower case
    '',
  ])('rejects "%s" with a RangeError', (body) => {
    // Act / Assess
    expect(() => unifiedSocialCreditCheckCharacter(body)).toThrow(RangeError);
  });
});

describe('isValidTaxpayerId', () => {
  it.each([
    '91350100M000100Y43',
    '91110108MA01A2B3CF',
    '91310115MA1K4X5Y6H',
    '91330106MA2H00006X',
    '91330106MA2H0000H0',
  ])('accepts the unified social credit code %s', (value) => {
    // Act / Assess
    expect(isValidTaxpayerId(value)).toBe(true);
  });

  it.each([
    ['15-character legacy number', '110108123456789'],
    ['17-character legacy number', '11010819900101123'],
    ['20-character legacy number', '110108199001011234AB'],
    ['letters in a legacy number', '33010672345678X'],
  ])('accepts a %s on format alone', (_, value) => {
    // Act / Assess
    expect(isValidTaxpayerId(value)).toBe(true);
  });

  it.each([
    ['a wrong check character', '91350100M000100Y44'],
    ['a wrong check character (letter)', '91110108MA01A2B3CG'],
    ['lower case', '91350100m000100y43'],
    ['lower case legacy number', '33010672345678x'],
    ['14 characters', '11010812345678'],
    ['21 characters', '110108199001011234ABC'],
    ['an empty string', ''],
    ['surrounding spaces', ' 91350100M000100Y43'],
    ['an inner space', '91350100M000 100Y43'],
    ['punctuation', '110108-123456789'],
    ['full-width digits', '１１０１０８１２３４５６７８９'],
    ['I in an 18-character code', '91350100M00I100Y43'],
    ['O in an 18-character code', '91350100MO00100Y43'],
    ['Z in the check position', '91350100M000100Y4Z'],
  ])('rejects %s', (_, value) => {
    // Act
    const valid = isValidTaxpayerId(value);

    // Assess
    expect(valid).toBe(false);
  });

  it.each([
    ['an unknown registration authority', 'H1350100M000100Y4'],
    ['a letter in the administrative division', '913501A0M000100Y4'],
  ])('rejects %s even with a correct check character', (_, body) => {
    // Prepare
    const value = body + unifiedSocialCreditCheckCharacter(body);

    // Act
    const valid = isValidTaxpayerId(value);

    // Assess
    expect(valid).toBe(false);
  });

  it('rejects a non-string at runtime', () => {
    // Prepare
    const value = 110108123456789 as unknown as string;

    // Act / Assess
    expect(isValidTaxpayerId(value)).toBe(false);
  });

  describe('properties', () => {
    it('a body with its computed check character is valid', () => {
      fc.assert(
        fc.property(first17, (body) => {
          // Act
          const code = body + unifiedSocialCreditCheckCharacter(body);

          // Assess
          expect(code).toHaveLength(18);
          expect(isValidTaxpayerId(code)).toBe(true);
        }),
      );
    });

    it('changing any single character of a valid code invalidates it', () => {
      // Every weight is non-zero mod 31 (a prime), so any one substitution changes the sum.
      const substitution = fc
        .tuple(first17, fc.nat({ max: 17 }), uscChar)
        .map(([body, position, replacement]) => ({
          code: body + unifiedSocialCreditCheckCharacter(body),
          position,
          replacement,
        }))
        .filter(({ code, position, replacement }) => code.charAt(position) !== replacement);

      fc.assert(
        fc.property(substitution, ({ code, position, replacement }) => {
          // Prepare
          const altered = code.slice(0, position) + replacement + code.slice(position + 1);

          // Act
          const valid = isValidTaxpayerId(altered);

          // Assess
          expect(valid).toBe(false);
        }),
      );
    });

    it('swapping two adjacent different characters of a valid code invalidates it', () => {
      const transposition = fc
        .tuple(first17, fc.nat({ max: 16 }))
        .map(([body, position]) => ({ code: body + unifiedSocialCreditCheckCharacter(body), position }))
        .filter(({ code, position }) => code.charAt(position) !== code.charAt(position + 1));

      fc.assert(
        fc.property(transposition, ({ code, position }) => {
          // Prepare
          const swapped =
            code.slice(0, position) +
            code.charAt(position + 1) +
            code.charAt(position) +
            code.slice(position + 2);

          // Act / Assess
          expect(isValidTaxpayerId(swapped)).toBe(false);
        }),
      );
    });

    it('exactly one check character completes any body', () => {
      fc.assert(
        fc.property(first17, (body) => {
          // Act
          const completions = [...USCC_CHARSET].filter((check) => isValidTaxpayerId(body + check));

          // Assess
          expect(completions).toEqual([unifiedSocialCreditCheckCharacter(body)]);
        }),
      );
    });

    it('accepts every upper-case alphanumeric string of a non-18 length from 15 to 20', () => {
      const legacy = fc.constantFrom(15, 16, 17, 19, 20).chain((length) =>
        fc.string({
          unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
          minLength: length,
          maxLength: length,
        }),
      );

      fc.assert(
        fc.property(legacy, (value) => {
          // Act / Assess
          expect(isValidTaxpayerId(value)).toBe(true);
        }),
      );
    });
  });
});
