import { ValidationError } from '#domain/errors';
import * as z from '#schemas/zod';

/**
 * List cursors (docs/API.md, paging). A cursor is opaque to clients: base64url of
 * `{"l": <list>, "p": <position>}`, where the list names the endpoint's list and the position
 * is where the page stopped. The partition a list reads always comes from the caller's token,
 * never from the cursor, so a cursor can only move within the caller's own list.
 *
 * Decoding trusts nothing: the text must be bounded base64url of well-formed UTF-8 JSON, name
 * this list, and carry a position its schema accepts (non-empty, bounded key parts of the
 * expected shape). Anything else, forged, truncated or another list's cursor, is a 400
 * VALIDATION_FAILED on `query.cursor`, never a 5xx from the database.
 */
export interface CursorCodec<P> {
  encode(position: P): string;
  decode(cursor: string | undefined): P | undefined;
}

const MAX_CURSOR_LENGTH = 2048;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function cursorCodec<S extends z.ZodMiniType>(list: string, position: S): CursorCodec<z.output<S>> {
  return {
    encode: (p) => Buffer.from(JSON.stringify({ l: list, p }), 'utf8').toString('base64url'),
    decode: (cursor) => {
      if (cursor === undefined) return undefined;
      const parsed = cursor.length <= MAX_CURSOR_LENGTH && BASE64URL.test(cursor) ? parse(cursor) : undefined;
      if (parsed !== undefined && typeof parsed === 'object' && parsed !== null && 'l' in parsed) {
        const { l, p } = parsed as { l: unknown; p: unknown };
        const checked = l === list ? position.safeParse(p) : undefined;
        if (checked?.success) return checked.data as z.output<S>;
      }
      throw new ValidationError('The query does not match the schema.', [
        { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
      ]);
    },
  };
}

function parse(cursor: string): unknown {
  try {
    return JSON.parse(strictUtf8.decode(Buffer.from(cursor, 'base64url')));
  } catch {
    return undefined;
  }
}

/** The `cursor` query parameter of every list: the `nextCursor` of the previous page. */
export const CursorQueryParam = z.meta(
  z.optional(z.string().check(z.minLength(1), z.maxLength(MAX_CURSOR_LENGTH))),
  { description: 'nextCursor of the previous page (opaque)' },
);

/** An id as the service writes them (`app_…`, `inv_…`, record ids from the billing system). */
export const CursorId = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,128}$/));
/** A sort key `<UTC instant>#<id>[#<id>]`, as the time-ordered lists write them. */
export const CursorTimeKey = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T[0-9:.]{8,12}Z(#[A-Za-z0-9._:-]{1,128}){1,2}$/));
/** A table key part written by the service (`INVOICE#…`, `APPLICATION#…`, `TITLE#…`). */
export const CursorKeyPart = z.string().check(z.regex(/^[A-Z_]+(#[A-Za-z0-9._:-]{1,128}){0,3}$/));
