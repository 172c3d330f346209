/**
 * Taxpayer identification numbers (纳税人识别号) of buyers.
 *
 * Since 2015 organisations use the 18-character unified social credit code (统一社会信用代码,
 * GB 32100-2015). Older registrations may still carry 15-, 17- or 20-character legacy numbers,
 * so other lengths from 15 to 20 are accepted on format alone.
 */

// GB 32100-2015 code character set; a character's index is its code value. I, O, Z, S and V
// are excluded to avoid confusion with 1, 0, 2, 5 and U.
const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;
const USCC_MODULUS = 31;

// Registration authority (登记管理部门) codes. The standard lists 1, 5, 9 and Y; the others were
// assigned to further authorities later and appear on real codes, so rejecting them would
// refuse genuine buyers.
const REGISTRATION_AUTHORITIES = '123456789ABCDEFGNY';

const TAXPAYER_ID_PATTERN = /^[0-9A-Z]{15,20}$/;
// Position 1 authority, 2 organisation category, 3–8 administrative division (digits),
// 9–17 subject identifier, 18 check character.
const USCC_BODY_PATTERN = /^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{9}$/;

/** Whether `value` is an acceptable buyer taxpayer ID. Case-sensitive: normalise before calling. */
export function isValidTaxpayerId(value: string): boolean {
  if (typeof value !== 'string' || !TAXPAYER_ID_PATTERN.test(value)) return false;
  if (value.length !== 18) return true;
  return isValidUnifiedSocialCreditCode(value);
}

/**
 * The GB 32100-2015 check character for the first 17 characters of a unified social credit
 * code. Throws a RangeError if `first17` is not 17 characters of the code character set.
 */
export function unifiedSocialCreditCheckCharacter(first17: string): string {
  if (typeof first17 !== 'string' || first17.length !== USCC_WEIGHTS.length) {
    throw new RangeError(
      `expected the first 17 characters of a unified social credit code, got "${first17}"`,
    );
  }
  let sum = 0;
  USCC_WEIGHTS.forEach((weight, index) => {
    const codeValue = USCC_CHARSET.indexOf(first17.charAt(index));
    if (codeValue < 0) {
      throw new RangeError(
        `"${first17.charAt(index)}" at position ${index + 1} is not a unified social credit code character`,
      );
    }
    sum += codeValue * weight;
  });
  // 31 − (sum mod 31), with 31 itself mapping to code value 0.
  return USCC_CHARSET.charAt((USCC_MODULUS - (sum % USCC_MODULUS)) % USCC_MODULUS);
}

function isValidUnifiedSocialCreditCode(code: string): boolean {
  if (!REGISTRATION_AUTHORITIES.includes(code.charAt(0))) return false;
  const body = code.slice(0, 17);
  if (!USCC_BODY_PATTERN.test(body)) return false;
  return unifiedSocialCreditCheckCharacter(body) === code.charAt(17);
}
