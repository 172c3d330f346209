/**
 * Bounces and complaints (issue 14): what SES tells the service, through its configuration
 * set's event destination on the default EventBridge bus, about mail it sent. Pure: no I/O,
 * no clock.
 *
 * The mailer tags every customer mail with the account and the item the mail is about (SES
 * message tags, returned in each event as `mail.tags`), so a bounce finds both. Tag values may
 * hold only letters, digits, `_` and `-`: values are base64url.
 */

/** The message tags the mailer sets (docs/events.md, bounces and complaints). */
export const MAIL_TAGS = { account: 'invoice-account', item: 'invoice-item' } as const;
/** SES tag values are at most 256 characters. */
const MAX_TAG_VALUE = 256;

export const encodeTag = (value: string): string | undefined => {
  const encoded = Buffer.from(value, 'utf8').toString('base64url');
  return encoded.length <= MAX_TAG_VALUE ? encoded : undefined;
};
export const decodeTag = (value: string | undefined): string | undefined =>
  value === undefined || !/^[A-Za-z0-9_-]+$/.test(value)
    ? undefined
    : Buffer.from(value, 'base64url').toString('utf8');

/** An item's key as tagged: `<pk>\n<sk>`. */
export const itemTag = (key: { pk: string; sk: string }) => `${key.pk}\n${key.sk}`;

/** What a bounce or complaint means for an address. */
export interface AddressFeedback {
  kind: 'bounce' | 'complaint';
  /** Bounces: `Permanent` (hard), `Transient` (soft) or `Undetermined`; complaints: the feedback type when given. */
  type: string;
  subType?: string;
  address: string;
  /** ISO-8601 instant SES reported. */
  at: string;
  /** Hard bounces and complaints: no more mail goes there until the customer changes it. */
  suppress: boolean;
}

export interface MailFeedback {
  accountId?: string;
  item?: { pk: string; sk: string };
  messageId?: string;
  addresses: AddressFeedback[];
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const string = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The address as the service compares and stores it: trimmed, lower-case. */
export const normalAddress = (address: string) => address.trim().toLowerCase();

/**
 * Reads an SES event as EventBridge delivers it (`detail-type` "Email Bounced" or "Email
 * Complaint", `detail` the SES event record); undefined for anything else.
 */
export function feedbackOf(event: unknown): MailFeedback | undefined {
  const detail = object(object(event).detail);
  const mail = object(detail.mail);
  const tags = object(mail.tags);
  const tag = (name: string) => {
    const values = tags[name];
    return decodeTag(Array.isArray(values) ? string(values[0]) : string(values));
  };
  const accountId = tag(MAIL_TAGS.account);
  const itemText = tag(MAIL_TAGS.item);
  const [pk, sk] = itemText?.split('\n') ?? [];
  const base = {
    ...(accountId ? { accountId } : {}),
    ...(pk && sk ? { item: { pk, sk } } : {}),
    ...(string(mail.messageId) ? { messageId: string(mail.messageId) } : {}),
  };
  const eventType = string(detail.eventType) ?? string(detail.notificationType);
  if (eventType === 'Bounce') {
    const bounce = object(detail.bounce);
    const type = string(bounce.bounceType) ?? 'Undetermined';
    const subType = string(bounce.bounceSubType);
    const at = string(bounce.timestamp) ?? string(mail.timestamp) ?? '';
    const recipients = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : [];
    return {
      ...base,
      addresses: recipients.flatMap((r) => {
        const address = string(object(r).emailAddress);
        return address
          ? [
              {
                kind: 'bounce' as const,
                type,
                ...(subType ? { subType } : {}),
                address: normalAddress(address),
                at,
                suppress: type === 'Permanent',
              },
            ]
          : [];
      }),
    };
  }
  if (eventType === 'Complaint') {
    const complaint = object(detail.complaint);
    const type = string(complaint.complaintFeedbackType) ?? 'abuse';
    const at = string(complaint.timestamp) ?? string(mail.timestamp) ?? '';
    const recipients = Array.isArray(complaint.complainedRecipients) ? complaint.complainedRecipients : [];
    return {
      ...base,
      addresses: recipients.flatMap((r) => {
        const address = string(object(r).emailAddress);
        return address
          ? [{ kind: 'complaint' as const, type, address: normalAddress(address), at, suppress: true }]
          : [];
      }),
    };
  }
  return undefined;
}

/** The mark an application or title carries for its bounced address (shown in the API). */
export interface AddressBounce {
  address: string;
  kind: 'bounce' | 'complaint';
  type: string;
  at: string;
  /** No further mail goes to the address until the customer changes it. */
  suppressed: boolean;
}

export const bounceMark = (feedback: AddressFeedback): AddressBounce => ({
  address: feedback.address,
  kind: feedback.kind,
  type: feedback.type,
  at: feedback.at,
  suppressed: feedback.suppress,
});
