import * as z from '#schemas/zod';

/**
 * The one rule for free text in requests (docs/API.md, "Text fields"): names, addresses,
 * remarks, reasons, notices and the billing system's names. Every such field is built here, so
 * the rule cannot differ from field to field.
 *
 * - Trimmed, then 1 to `max` characters (UTF-16 code units, as JavaScript counts them).
 * - Well-formed Unicode: no lone surrogate (`"\ud800"` in JSON). Invalid UTF-8 never gets this
 *   far: the handler decodes the body strictly (shared/http/handler.ts).
 * - One line, no control characters: no C0 (tab, line feed, NUL…), DEL, C1, and no line or
 *   paragraph separator (U+2028, U+2029). No field is multi-line: the longest, the paper-stock
 *   notice, is quoted inside a sentence of the delivery e-mail.
 * - `printed` fields (the invoice's buyer fields, the delivery address on the parcel) also refuse
 *   the bidirectional formatting characters, which make text display differently from what it
 *   is: embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, and the marks U+200E,
 *   U+200F and U+061C.
 */

export const WELL_FORMED_MESSAGE = 'must be well-formed Unicode (no lone surrogates)';
export const CONTROL_MESSAGE = 'must not contain control characters (line breaks, tabs)';
export const BIDI_MESSAGE =
  'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';

const WELL_FORMED = /^\P{Cs}*$/u;
const NO_CONTROL = /^[^\p{Cc}\u2028\u2029]*$/u;
const NO_BIDI = /^[^\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]*$/u;

/** Whether a string is well-formed UTF-16 (every surrogate in a pair). */
export const isWellFormed = (value: string): boolean => WELL_FORMED.test(value);

export interface TextRule {
  /** The most characters, after trimming. */
  max: number;
  /** Printed on an invoice or a parcel: no bidirectional controls either. */
  printed?: boolean;
  /** The empty string (after trimming) is allowed: the field may be sent blank. */
  blank?: boolean;
}

/** A free-text request field under the one text rule. */
export function text(rule: TextRule) {
  return z
    .string()
    .check(
      z.trim(),
      z.minLength(rule.blank ? 0 : 1),
      z.maxLength(rule.max),
      z.regex(WELL_FORMED, WELL_FORMED_MESSAGE),
      z.regex(NO_CONTROL, CONTROL_MESSAGE),
      ...(rule.printed ? [z.regex(NO_BIDI, BIDI_MESSAGE)] : []),
    );
}
