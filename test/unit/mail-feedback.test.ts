import { describe, expect, it } from 'vitest';
import { decodeTag, encodeTag, feedbackOf } from '#domain/mail-feedback';
import { sesEvent } from '../support/ses-events.ts';

describe('mail feedback (issue 14): SES bounce and complaint events', () => {
  it('tags survive SES’s character rules both ways', () => {
    const value = 'APPLICATION#app_1.x:y\nAPPLICATION';
    const tag = encodeTag(value)!;
    expect(tag).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTag(tag)).toBe(value);
    expect(encodeTag('x'.repeat(300))).toBeUndefined();
    expect(decodeTag('not base64url!')).toBeUndefined();
  });

  it('a hard bounce: every recipient, normalised, to be suppressed, with the account and item tagged', () => {
    const item = { pk: 'APPLICATION#app_1', sk: 'APPLICATION' };
    expect(feedbackOf(sesEvent('Bounce', ['Buyer@Example.com '], { accountId: 'acct_1', item }))).toEqual({
      accountId: 'acct_1',
      item,
      messageId: 'msg-1',
      addresses: [
        {
          kind: 'bounce',
          type: 'Permanent',
          subType: 'General',
          address: 'buyer@example.com',
          at: '2026-12-05T01:00:05.000Z',
          suppress: true,
        },
      ],
    });
  });

  it('a soft bounce is marked but not suppressed; a complaint is suppressed', () => {
    const soft = feedbackOf(sesEvent('Bounce', ['a@example.com'], { bounceType: 'Transient' }));
    expect(soft?.addresses[0]).toMatchObject({ kind: 'bounce', type: 'Transient', suppress: false });
    expect(soft?.accountId).toBeUndefined();
    const complaint = feedbackOf(
      sesEvent('Complaint', ['a@example.com', 'b@example.com'], { accountId: 'a' }),
    );
    expect(complaint?.addresses.map((a) => [a.kind, a.address, a.suppress])).toEqual([
      ['complaint', 'a@example.com', true],
      ['complaint', 'b@example.com', true],
    ]);
  });

  it('other events are not feedback', () => {
    expect(feedbackOf({ detail: { eventType: 'Delivery', mail: {} } })).toBeUndefined();
    expect(feedbackOf(null)).toBeUndefined();
  });
});
