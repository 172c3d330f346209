import { createHash, createHmac } from 'node:crypto';
import { requireEnv } from '#config/env';
import type { MailContent } from '#domain/mail';
import { encodeTag, MAIL_TAGS } from '#domain/mail-feedback';

/**
 * One e-mail notice through SES v2's SendEmail (simple content: subject, text and HTML), signed
 * with Signature Version 4 here rather than through the SES client: the webhooks function sends
 * only this one kind of mail, and the client with its REST protocol would take its bundle over
 * the 300 KB budget (docs/DESIGN.md). Credentials come from the environment, as Lambda gives
 * them; AWS_ENDPOINT_URL_SESV2 points it at the local SES. The caller checks the account's
 * suppression list first, as the mailer does.
 */
export async function sendNotice(to: string, content: MailContent, accountId: string): Promise<void> {
  const region = requireEnv('AWS_REGION');
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_SESV2 || `https://email.${region}.amazonaws.com`);
  const path = `${endpoint.pathname.replace(/\/+$/, '')}/v2/email/outbound-emails`;
  const text = (data: string) => ({ Data: data, Charset: 'UTF-8' });
  const body = JSON.stringify({
    FromEmailAddress: requireEnv('MAIL_FROM'),
    Destination: { ToAddresses: [to] },
    ConfigurationSetName: process.env.MAIL_CONFIGURATION_SET || undefined,
    Content: {
      Simple: {
        Subject: text(content.subject),
        Body: { Text: text(content.text), Html: text(content.html) },
      },
    },
    // As the mailer tags customer mail: a bounce of this notice finds its account.
    EmailTags: [{ Name: MAIL_TAGS.account, Value: encodeTag(accountId) }].filter((t) => t.Value),
  });
  const headers = signV4({
    method: 'POST',
    host: endpoint.host,
    path,
    headers: { 'content-type': 'application/json' },
    body,
    service: 'ses',
    region,
    credentials: {
      accessKeyId: requireEnv('AWS_ACCESS_KEY_ID'),
      secretAccessKey: requireEnv('AWS_SECRET_ACCESS_KEY'),
      sessionToken: process.env.AWS_SESSION_TOKEN || undefined,
    },
    now: new Date(),
  });
  const response = await fetch(`${endpoint.protocol}//${endpoint.host}${path}`, {
    method: 'POST',
    headers,
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok)
    throw new Error(`SES SendEmail answered ${response.status}: ${(await response.text()).slice(0, 200)}`);
}

export interface SignInput {
  method: string;
  host: string;
  /** Already URI-encoded, without a query. */
  path: string;
  headers: Record<string, string>;
  body: string;
  service: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  now: Date;
}

const sha256 = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** The request's headers with `x-amz-date`, the session token and `authorization` (AWS Signature Version 4). */
export function signV4(input: SignInput): Record<string, string> {
  const amzDate = input.now.toISOString().replace(/[-:]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(input.headers).map(([k, v]) => [k.toLowerCase(), v.trim()])),
    host: input.host,
    'x-amz-date': amzDate,
    ...(input.credentials.sessionToken ? { 'x-amz-security-token': input.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = [
    input.method,
    input.path,
    '',
    ...names.map((name) => `${name}:${headers[name]}`),
    '',
    signedHeaders,
    sha256(input.body),
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), input.service),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
