import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiMinute } from '#domain/notifications';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * R27: when the PDFs would not fit in one SES message, the e-mail carries download links
 * instead: time-limited pre-signed S3 URLs, which a mail client opens without signing in. Real
 * invoices are far below the 7 MiB limit, so this stack of its own lowers the limit
 * (MAIL_ATTACHMENT_LIMIT_BYTES, a deployment setting) below one PDF.
 */
const LINK_SECONDS = 3600;
let own: OwnStack;

beforeAll(async () => {
  own = await startOwnStack({
    functionEnv: { MAIL_ATTACHMENT_LIMIT_BYTES: '1000', DOWNLOAD_LINK_SECONDS: String(LINK_SECONDS) },
  });
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

describe('R27 electronic delivery of large PDFs', () => {
  it('R27 R30 sends pre-signed download links instead of attachments when the PDFs exceed the limit, and each link serves the PDF until it expires', async () => {
    // Prepare
    const accountId = ownId('large');
    const email = `${accountId}@example.com`;
    await own.givenAccount(accountId, [
      order(ownId('o')),
      order(ownId('o'), { entity: 'cn-sh-01', taxRate: '0.13', cashAmount: 11_300 }),
    ]);
    const customer = { accountId };
    const titleId = await own.givenTitle(accountId);

    // Act
    const created = await own.request('POST', '/v1/applications', customer, {
      mode: 'amount',
      amount: 21_900,
      titleId,
      delivery: { medium: 'electronic', email },
    });
    const arn = `${own.stack.template.stateMachines[0]!.arn.replace(':stateMachine:', ':execution:')}:${created.body.applicationId}`;
    const execution = await own.stack.stepFunctions.waitForExecution(arn, 45_000);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect((await own.sfn.send(new DescribeExecutionCommand({ executionArn: arn }))).status).toBe(
      'SUCCEEDED',
    );
    const application = (await own.request('GET', `/v1/applications/${created.body.applicationId}`, customer))
      .body;
    expect(application.status).toBe('delivered');
    const mails = await own.mailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.attachments).toHaveLength(0);
    expect(mails[0]!.body.text).toContain('PDF 文件过大无法作为附件发送，请通过以下链接下载（最迟有效至 ');
    const links = [...mails[0]!.body.text!.matchAll(/(\d{20})：(\S+)/g)].map((m) => ({
      number: m[1],
      url: new URL(m[2]!),
    }));
    expect(links).toHaveLength(2);
    // The e-mail says until when the links work: when they were signed plus their validity.
    const signed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(
      links[0]!.url.searchParams.get('X-Amz-Date')!,
    )!;
    const signedAt = Date.UTC(
      +signed[1]!,
      +signed[2]! - 1,
      +signed[3]!,
      +signed[4]!,
      +signed[5]!,
      +signed[6]!,
    );
    expect(mails[0]!.body.text).toContain(
      `（最迟有效至 ${shanghaiMinute(new Date(signedAt + LINK_SECONDS * 1000).toISOString())}，之后可在发票管理页面下载）`,
    );
    for (const link of links) {
      // The local S3 at its bucket and key, signed for this long; no API route, no token.
      expect(`${link.url.origin}/`).toBe(new URL(own.stack.s3Endpoint).href);
      expect(link.url.pathname).toMatch(new RegExp(`^/[\\w.-]+/invoices/${accountId}/inv_[\\w-]+\\.pdf$`));
      expect(link.url.searchParams.get('X-Amz-Expires')).toBe(String(LINK_SECONDS));
      const pdf = await fetch(link.url);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="${link.number}.pdf"`);
      const bytes = new Uint8Array(await pdf.arrayBuffer());
      expect(bytes.byteLength).toBeGreaterThan(1000);
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    }

    // The same link signed a day earlier has expired; one whose expiry was altered is refused.
    const [first] = links;
    const expired = await signedLink(
      first!.url.pathname,
      `${first!.number}.pdf`,
      new Date(Date.now() - 86_400_000),
    );
    const refused = await fetch(expired);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    const altered = new URL(first!.url);
    altered.searchParams.set('X-Amz-Expires', String(LINK_SECONDS * 2));
    const tampered = await fetch(altered);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

/**
 * The link the delivery function would have signed at `signedAt` (same adapter, same
 * credentials and bucket as the local stack gives the function).
 */
async function signedLink(pathname: string, filename: string, signedAt: Date): Promise<string> {
  const [, bucket, ...key] = pathname.split('/');
  Object.assign(process.env, {
    DOCUMENTS_BUCKET: decodeURIComponent(bucket!),
    AWS_ENDPOINT_URL_S3: own.stack.s3Endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const { pdfDownloadUrl } = await import('#adapters/document-store');
  return pdfDownloadUrl(key.map(decodeURIComponent).join('/'), filename, LINK_SECONDS, signedAt);
}
