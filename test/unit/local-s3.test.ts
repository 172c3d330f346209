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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3Server } from '../../scripts/local/s3.ts';

// The server serves what the document store calls (shared/adapters/document-store.ts):
// PutObject and GetObject, with S3's error names.

const client = (endpoint: string) =>
  new S3Client({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe.each([
  ['in memory', false],
  ['on disk', true],
])('local S3 server (%s)', (_label, onDisk) => {
  let server: LocalS3;
  let s3: S3Client;
  let dataDir: string | undefined;

  beforeAll(async () => {
    dataDir = onDisk ? mkdtempSync(join(tmpdir(), 'local-s3-')) : undefined;
    server = await startS3Server({ port: 0, dataDir, buckets: ['invoice-documents'] });
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
    server = await startS3Server({ port: 0, dataDir, buckets: ['invoice-documents'] });
    s3 = client(server.endpoint);
    const get = s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'durable' }));
    if (!onDisk) {
      await expect(get).rejects.toMatchObject({ name: 'NoSuchKey' });
      return;
    }
    const got = await get;
    expect(got.ContentType).toBe('text/plain');
    expect(await got.Body!.transformToString()).toBe('kept');
  });
});
