import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3Server } from '../../scripts/local/s3.ts';

// The server serves what the document store and the audit anchors call
// (shared/adapters/document-store.ts, audit-anchors.ts): PutObject (conditional, with Object
// Lock) and GetObject (of a version too), with S3's error names.

const BUCKETS = [
  'invoice-documents',
  { name: 'locked', versioned: true, objectLock: { mode: 'COMPLIANCE' as const, days: 3650 } },
];
const DAY = 86_400_000;

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const client = (endpoint: string, credentials = CREDENTIALS) =>
  new S3Client({ endpoint, region: 'us-east-1', credentials });

describe.each([
  ['in memory', false],
  ['on disk', true],
])('local S3 server (%s)', (_label, onDisk) => {
  let server: LocalS3;
  let s3: S3Client;
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = onDisk ? mkdtempSync(join(tmpdir(), 'local-s3-')) : undefined;
    server = await startS3Server({ port: 0, dataDir, buckets: BUCKETS, credentials: CREDENTIALS });
    s3 = client(server.endpoint);
  });

  afterAll(async () => {
    s3.destroy();
    await server.close();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores and returns an object with its content type and length', async () => {
    const pdf = Buffer.from('%PDF-1.7 binary \u0000\u00ff');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'invoices/cn-bj-01/发票 1.pdf',
        Body: pdf,
        ContentType: 'application/pdf',
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'invoices/cn-bj-01/发票 1.pdf' }),
    );
    expect(got.ContentType).toBe('application/pdf');
    expect(got.ContentLength).toBe(pdf.length);
    expect(got.ETag).toBe(put.ETag);
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(pdf);
  });

  it('replaces an object put again under the same key', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: 'again', Body: 'first' }));
    await s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: 'again', Body: 'second' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'again' }));
    expect(await got.Body!.transformToString()).toBe('second');
  });

  it('refuses a PUT with If-None-Match: * over an existing key with 412, and keeps the object', async () => {
    const put = (Body: string) =>
      s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: 'once.pdf', Body, IfNoneMatch: '*' }));
    await put('first');
    await expect(put('second')).rejects.toMatchObject({
      name: 'PreconditionFailed',
      $metadata: { httpStatusCode: 412 },
    });
    const got = await s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'once.pdf' }));
    expect(await got.Body!.transformToString()).toBe('first');
  });

  it('locks what is put in an Object Lock bucket for its default retention, in its mode', async () => {
    const before = Date.now();
    const put = await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'a.pdf', Body: 'a' }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'a.pdf' }));
    expect(put.VersionId).toMatch(/^[0-9a-f]{32}$/);
    expect(got.VersionId).toBe(put.VersionId);
    expect(got.ObjectLockMode).toBe('COMPLIANCE');
    const until = got.ObjectLockRetainUntilDate!.getTime();
    expect(until).toBeGreaterThanOrEqual(before + 3650 * DAY - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 3650 * DAY);
  });

  it('keeps a locked version when the key is put again (a new version), and deletes nothing', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'b.pdf', Body: 'one' }));
    const second = await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'b.pdf', Body: 'two' }));
    for (const command of [
      new DeleteObjectCommand({ Bucket: 'locked', Key: 'b.pdf' }),
      new DeleteObjectCommand({ Bucket: 'locked', Key: 'b.pdf', VersionId: first.VersionId }),
    ]) {
      await expect(s3.send(command)).rejects.toMatchObject({ $metadata: { httpStatusCode: 501 } });
    }
    const current = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'b.pdf' }));
    const earlier = await s3.send(
      new GetObjectCommand({ Bucket: 'locked', Key: 'b.pdf', VersionId: first.VersionId }),
    );
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await current.Body!.transformToString()).toBe('two');
    expect(await earlier.Body!.transformToString()).toBe('one');
    expect(earlier.ObjectLockMode).toBe('COMPLIANCE');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'b.pdf', VersionId: 'f'.repeat(32) })),
    ).rejects.toMatchObject({ name: 'NoSuchVersion', $metadata: { httpStatusCode: 404 } });
  });

  it('takes Object Lock headers only where Object Lock is on, both of them, until a future date', async () => {
    const inYear = new Date(Date.now() + 365 * DAY);
    const explicit = await s3.send(
      new PutObjectCommand({
        Bucket: 'locked',
        Key: 'c.pdf',
        Body: 'c',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: inYear,
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'c.pdf' }));
    expect(explicit.VersionId).toBeDefined();
    expect(Math.abs(got.ObjectLockRetainUntilDate!.getTime() - inYear.getTime())).toBeLessThan(1000);
    const lockedPut = (Bucket: string, Key: string, until: Date) =>
      s3.send(
        new PutObjectCommand({
          Bucket,
          Key,
          Body: 'x',
          ObjectLockMode: 'COMPLIANCE',
          ObjectLockRetainUntilDate: until,
        }),
      );
    await expect(lockedPut('invoice-documents', 'd.pdf', inYear)).rejects.toMatchObject({
      name: 'InvalidRequest',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(lockedPut('locked', 'd.pdf', new Date(Date.now() - DAY))).rejects.toMatchObject({
      name: 'InvalidArgument',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'd.pdf' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('accepts streamed bodies (aws-chunked with trailing checksum)', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'streamed.txt',
        Body: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
        ContentLength: 11,
        ContentType: 'text/plain',
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'streamed.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello world');
    expect(got.ContentEncoding).toBeUndefined();
  });

  it('raises NoSuchKey and NoSuchBucket as named errors', async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))).rejects.toMatchObject(
      {
        name: 'NoSuchBucket',
      },
    );
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'no-such-bucket', Key: 'x', Body: 'x' })),
    ).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('serves a pre-signed GET (the e-mailed download links) until it expires, and checks its signature', async () => {
    // Prepare: signed by the SDK's own presigner, not by the product's adapter
    const key = 'invoices/acc-1/发票 (1).pdf';
    await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: key,
        Body: '%PDF-1.7',
        ContentType: 'application/pdf',
      }),
    );
    const get = new GetObjectCommand({
      Bucket: 'invoice-documents',
      Key: key,
      ResponseContentDisposition: 'attachment; filename="1.pdf"',
    });
    const valid = await getSignedUrl(s3, get, { expiresIn: 600 });
    const expired = await getSignedUrl(s3, get, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3_600_000),
    });
    const foreign = client(server.endpoint, { accessKeyId: 'local', secretAccessKey: 'other' });
    const wrongKey = await getSignedUrl(foreign, get, { expiresIn: 600 });
    foreign.destroy();

    // Act
    const served = await fetch(valid);
    const late = await fetch(expired);
    const forged = await fetch(wrongKey);
    const unsignedPut = await fetch(valid, { method: 'PUT', body: 'x' });

    // Assess
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(served.headers.get('content-disposition')).toBe('attachment; filename="1.pdf"');
    expect(await served.text()).toBe('%PDF-1.7');
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('<Code>AccessDenied</Code><Message>Request has expired</Message>');
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(unsignedPut.status).toBe(501);
  });

  it('answers NotImplemented to what the product does not call', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: 'kept', Body: 'x' }));
    for (const command of [
      new ListObjectsV2Command({ Bucket: 'invoice-documents' }),
      new DeleteObjectCommand({ Bucket: 'invoice-documents', Key: 'kept' }),
      new CopyObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'copy',
        CopySource: 'invoice-documents/kept',
      }),
    ]) {
      await expect(s3.send(command as never)).rejects.toMatchObject({
        name: 'NotImplemented',
        $metadata: { httpStatusCode: 501 },
      });
    }
    const still = await s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'kept' }));
    expect(await still.Body!.transformToString()).toBe('x');
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'copy' })),
    ).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it(onDisk ? 'keeps objects across restarts' : 'forgets objects on restart when in memory', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'v', Body: 'one' }));
    await s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'v', Body: 'two' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'durable',
        Body: 'kept',
        ContentType: 'text/plain',
      }),
    );
    await server.close();
    s3.destroy();
    server = await startS3Server({ port: 0, dataDir, buckets: BUCKETS });
    s3 = client(server.endpoint);
    const get = s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'durable' }));
    if (!onDisk) {
      await expect(get).rejects.toMatchObject({ name: 'NoSuchKey' });
      return;
    }
    const got = await get;
    expect(got.ContentType).toBe('text/plain');
    expect(await got.Body!.transformToString()).toBe('kept');
    const current = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: 'v' }));
    const earlier = await s3.send(
      new GetObjectCommand({ Bucket: 'locked', Key: 'v', VersionId: first.VersionId }),
    );
    expect(await current.Body!.transformToString()).toBe('two');
    expect(await earlier.Body!.transformToString()).toBe('one');
    expect(earlier.ObjectLockMode).toBe('COMPLIANCE');
    await expect(
      s3.send(new PutObjectCommand({ Bucket: 'locked', Key: 'v', Body: 'three', IfNoneMatch: '*' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
  });
});

describe('the document store over the local S3 server', () => {
  let server: LocalS3;

  beforeAll(async () => {
    server = await startS3Server({ port: 0, buckets: BUCKETS });
    // The adapter reads its configuration when first imported, as in a Lambda.
    Object.assign(process.env, {
      DOCUMENTS_BUCKET: 'locked',
      AWS_ENDPOINT_URL_S3: server.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
  });

  afterAll(() => server.close());

  it('stores an issued PDF once and never writes over it (a retried task keeps the first)', async () => {
    const store = await import('#adapters/document-store');
    const key = store.invoicePdfKey('acct-1', 'inv-1');
    const first = await store.putPdf(key, Buffer.from('%PDF first'));
    const again = await store.putPdf(key, Buffer.from('%PDF second'));
    expect([first, again]).toEqual([true, false]);
    expect(Buffer.from((await store.getPdf(key))!).toString()).toBe('%PDF first');
    const s3 = client(server.endpoint);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'locked', Key: key }));
    expect(stored.ObjectLockMode).toBe('COMPLIANCE');
    s3.destroy();
  });
});
