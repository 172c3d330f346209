import { randomUUID } from 'node:crypto';
import { sendRawEmail } from '#adapters/aws-services';
import { CORRELATION_ID, correlationId, logger } from '#adapters/logger';
import { isSuppressed } from '#adapters/mail-suppression';
import { requireEnv } from '#config/env';
import { encodeTag, itemTag, MAIL_TAGS } from '#domain/mail-feedback';

const from = requireEnv('MAIL_FROM');
const configurationSet = process.env.MAIL_CONFIGURATION_SET || undefined;

export interface Attachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** The HTML alternative of the same message (R30); mail clients show one of the two. */
  html?: string;
  attachments?: Attachment[];
  /**
   * The customer the mail goes to (issue 14): an address on the account's suppression list
   * (a hard bounce or a complaint) gets nothing, and a bounce finds the account by the tag.
   */
  accountId?: string;
  /** The item the mail is about, tagged so a bounce can be marked on it. */
  item?: { pk: string; sk: string };
}

/** What sendMail answers instead of a message id when the address is suppressed. */
export const SUPPRESSED = 'suppressed';

/**
 * Sends one e-mail as raw MIME so attachments (invoice PDFs) travel with it, unless the address
 * is on the account's suppression list (then SUPPRESSED, and nothing is sent).
 */
export async function sendMail(mail: Mail): Promise<string> {
  if (mail.accountId && (await isSuppressed(mail.accountId, mail.to))) {
    logger.warn('mail suppressed', { item: mail.item?.pk });
    return SUPPRESSED;
  }
  const tagged: [string, string | undefined][] = [
    [MAIL_TAGS.account, mail.accountId && encodeTag(mail.accountId)],
    [MAIL_TAGS.item, mail.item && encodeTag(itemTag(mail.item))],
  ];
  return sendRawEmail({
    from,
    to: [mail.to],
    configurationSet,
    raw: Buffer.from(buildMime(mail)),
    tags: tagged.flatMap(([Name, Value]) => (Value ? [{ Name, Value }] : [])),
  });
}

export function buildMime(mail: Mail): string {
  const mixed = `=_${randomUUID()}`;
  const alternative = `=_${randomUUID()}`;
  // What the mail is about, for support: the correlation id it was sent under (issue 16).
  const correlation = correlationId();
  const lines = [
    `From: ${from}`,
    `To: ${mail.to}`,
    `Subject: ${encodeHeader(mail.subject)}`,
    ...(correlation && CORRELATION_ID.test(correlation) ? [`X-Correlation-Id: ${correlation}`] : []),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
  ];
  if (mail.html === undefined) lines.push(...textPart('text/plain', mail.text));
  else
    lines.push(
      `Content-Type: multipart/alternative; boundary="${alternative}"`,
      '',
      `--${alternative}`,
      ...textPart('text/plain', mail.text),
      `--${alternative}`,
      ...textPart('text/html', mail.html),
      `--${alternative}--`,
      '',
    );
  for (const attachment of mail.attachments ?? []) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${attachment.contentType}; name="${attachment.filename}"`,
      `Content-Disposition: attachment; filename="${attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      wrap(Buffer.from(attachment.content).toString('base64')),
    );
  }
  lines.push(`--${mixed}--`, '');
  return lines.join('\r\n');
}

function textPart(type: 'text/plain' | 'text/html', content: string): string[] {
  return [
    `Content-Type: ${type}; charset=UTF-8`,
    'Content-Transfer-Encoding: base64',
    '',
    wrap(Buffer.from(content, 'utf8').toString('base64')),
  ];
}

/** RFC 2047 so Chinese subjects survive every mail client. */
function encodeHeader(value: string): string {
  return /^[\x20-\x7e]*$/.test(value)
    ? value
    : `=?UTF-8?B?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function wrap(base64: string): string {
  return base64.replace(/.{1,76}/g, '$&\r\n').trimEnd();
}
