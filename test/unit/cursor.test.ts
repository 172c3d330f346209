import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '#domain/errors';
import { CursorId, CursorKeyPart, CursorTimeKey, cursorCodec } from '#schemas/cursor';
import * as z from '#schemas/zod';

const invoices = cursorCodec('invoices', z.object({ invoiceId: CursorId, at: CursorTimeKey }));
const queue = cursorCodec('queue', z.object({ pk: CursorKeyPart, sk: CursorKeyPart }));
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('the cursor was accepted');
}

describe('list cursors (docs/API.md, paging)', () => {
  it('gives back the position it encoded, and nothing when there is no cursor', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
        fc.date({ min: new Date('2020-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (id, at) => {
          const position = { invoiceId: id, at: `${at.toISOString()}#${id}` };
          expect(invoices.decode(invoices.encode(position))).toEqual(position);
        },
      ),
    );
    expect(invoices.decode(undefined)).toBeUndefined();
  });

  it.each([
    [
      'a crafted position with an empty sort key',
      b64(JSON.stringify({ l: 'invoices', p: { invoiceId: 'x', at: '' } })),
    ],
    ['the crafted cursor of the old format', b64(JSON.stringify({ id: 'INVOICE#x', at: '' }))],
    ['another list’s cursor', queue.encode({ pk: 'ACCOUNT#a', sk: 'TITLE#t' })],
    ['plain text, not base64url', 'not a cursor!'],
    ['base64url of something that is not JSON', b64('not-a-cursor')],
    ['invalid UTF-8 inside', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString('base64url')],
    ['JSON null', b64('null')],
    [
      'a cursor cut short',
      invoices.encode({ invoiceId: 'inv_1', at: '2026-11-01T00:00:00.000Z#inv_1' }).slice(0, 20),
    ],
    [
      'a position with an extra key part',
      b64(JSON.stringify({ l: 'queue', p: { pk: 'ACCOUNT#a#b#c#d', sk: 'X' } })),
    ],
    [
      'a key part with characters no key has',
      b64(JSON.stringify({ l: 'queue', p: { pk: 'ACCOUNT#a b', sk: 'X' } })),
    ],
    ['a very long cursor', 'A'.repeat(5_000)],
  ])('refuses %s at query.cursor', (_, cursor) => {
    // Act
    const error = refusal(() => (cursor.includes('"l":"queue"') ? queue : invoices).decode(cursor));

    // Assess
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.errors).toEqual([
      { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
    ]);
  });

  it('refuses any random text that is not a cursor it gave out (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const cursor = Buffer.from(text, 'utf8').toString('base64url');
        expect(() => invoices.decode(cursor)).toThrow(ValidationError);
      }),
    );
  });
});
