import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalS3, startS3Server } from '../../scripts/local/s3.ts';

// Presigned GET URLs are not exercised here: @aws-sdk/s3-request-presigner is not installed.
// The server ignores X-Amz-* query parameters, which a plain fetch with them checks below.

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

  it('stores and returns an object with its content type, length and metadata', async () => {
    const pdf = Buffer.from('%PDF-1.7 binary \u0000\u00ff');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'invoices/cn-bj-01/发票 1.pdf',
        Body: pdf,
        ContentType: 'application/pdf',
        Metadata: { 'invoice-id': 'inv-1' },
      }),
    );
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await s3.send(
      new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'invoices/cn-bj-01/发票 1.pdf' }),
    );
    expect(got.ContentType).toBe('application/pdf');
    expect(got.ContentLength).toBe(pdf.length);
    expect(got.ETag).toBe(put.ETag);
    expect(got.Metadata).toEqual({ 'invoice-id': 'inv-1' });
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(pdf);

    const head = await s3.send(
      new HeadObjectCommand({ Bucket: 'invoice-documents', Key: 'invoices/cn-bj-01/发票 1.pdf' }),
    );
    expect(head.ContentLength).toBe(pdf.length);
    expect(head.ContentType).toBe('application/pdf');
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

  it('lists by prefix, with delimiter and pagination', async () => {
    for (const key of ['list/a/1', 'list/a/2', 'list/b/1', 'list/c', 'other']) {
      await s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: key, Body: key }));
    }
    const all = await s3.send(new ListObjectsV2Command({ Bucket: 'invoice-documents', Prefix: 'list/' }));
    expect(all.Contents?.map((c) => c.Key)).toEqual(['list/a/1', 'list/a/2', 'list/b/1', 'list/c']);
    expect(all.KeyCount).toBe(4);
    expect(all.Contents?.[0]?.Size).toBe(8);

    const folders = await s3.send(
      new ListObjectsV2Command({ Bucket: 'invoice-documents', Prefix: 'list/', Delimiter: '/' }),
    );
    expect(folders.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/a/', 'list/b/']);
    expect(folders.Contents?.map((c) => c.Key)).toEqual(['list/c']);

    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: 'invoice-documents',
          Prefix: 'list/',
          MaxKeys: 3,
          ContinuationToken: token,
        }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token !== undefined);
    expect(keys).toEqual(['list/a/1', 'list/a/2', 'list/b/1', 'list/c']);
  });

  it('raises NoSuchKey, NotFound (HEAD) and NoSuchBucket as named errors', async () => {
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
    await expect(
      s3.send(new HeadObjectCommand({ Bucket: 'invoice-documents', Key: 'missing' })),
    ).rejects.toMatchObject({
      name: 'NotFound',
    });
    await expect(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' }))).rejects.toMatchObject(
      {
        name: 'NoSuchBucket',
      },
    );
    await expect(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' }))).rejects.toMatchObject({
      name: 'NotFound',
    });
  });

  it('deletes objects (idempotently)', async () => {
    await s3.send(new PutObjectCommand({ Bucket: 'invoice-documents', Key: 'to-delete', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'invoice-documents', Key: 'to-delete' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'invoice-documents', Key: 'to-delete' }));
    await expect(
      s3.send(new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'to-delete' })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('creates buckets and copies objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'second-bucket' }));
    await s3.send(new HeadBucketCommand({ Bucket: 'second-bucket' }));
    await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'src',
        Body: 'copy me',
        ContentType: 'text/plain',
      }),
    );
    await s3.send(
      new CopyObjectCommand({ Bucket: 'second-bucket', Key: 'dst', CopySource: 'invoice-documents/src' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'second-bucket', Key: 'dst' }));
    expect(got.ContentType).toBe('text/plain');
    expect(await got.Body!.transformToString()).toBe('copy me');
  });

  it('serves GETs with query-string auth parameters (presigned URL shape) and ranges', async () => {
    await s3.send(
      new PutObjectCommand({
        Bucket: 'invoice-documents',
        Key: 'p/doc.pdf',
        Body: 'abcdef',
        ContentType: 'application/pdf',
      }),
    );
    const url =
      `${server.endpoint}/invoice-documents/p/doc.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256` +
      '&X-Amz-Credential=local%2F20260101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20260101T000000Z' +
      '&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=00&x-id=GetObject';
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-length')).toBe('6');
    expect(await response.text()).toBe('abcdef');

    const ranged = await s3.send(
      new GetObjectCommand({ Bucket: 'invoice-documents', Key: 'p/doc.pdf', Range: 'bytes=1-2' }),
    );
    expect(await ranged.Body!.transformToString()).toBe('bc');
    expect(ranged.ContentRange).toBe('bytes 1-2/6');
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
