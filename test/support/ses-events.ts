import { encodeTag, itemTag, MAIL_TAGS } from '#domain/mail-feedback';

/** An SES event as EventBridge delivers it (SES v2 event publishing). */
export function sesEvent(
  kind: 'Bounce' | 'Complaint',
  recipients: string[],
  options: { bounceType?: string; accountId?: string; item?: { pk: string; sk: string } } = {},
) {
  const tags: Record<string, string[]> = { 'ses:configuration-set': ['cs'] };
  if (options.accountId) tags[MAIL_TAGS.account] = [encodeTag(options.accountId)!];
  if (options.item) tags[MAIL_TAGS.item] = [encodeTag(itemTag(options.item))!];
  return {
    version: '0',
    source: 'aws.ses',
    'detail-type': kind === 'Bounce' ? 'Email Bounced' : 'Email Complaint',
    detail: {
      eventType: kind,
      mail: {
        timestamp: '2026-12-05T01:00:00.000Z',
        source: 'invoices@example.com',
        messageId: 'msg-1',
        destination: recipients,
        tags,
      },
      ...(kind === 'Bounce'
        ? {
            bounce: {
              bounceType: options.bounceType ?? 'Permanent',
              bounceSubType: 'General',
              bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress, status: '5.1.1' })),
              timestamp: '2026-12-05T01:00:05.000Z',
              feedbackId: 'fb-1',
            },
          }
        : {
            complaint: {
              complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
              complaintFeedbackType: 'abuse',
              timestamp: '2026-12-05T02:00:00.000Z',
              feedbackId: 'fb-2',
            },
          }),
    },
  };
}
