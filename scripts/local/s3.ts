/**
 * A minimal S3-compatible server for the document store: path-style requests as the AWS SDK v3
 * S3 client sends them to an IP endpoint (http://127.0.0.1:<port>/<bucket>/<key>).
 *
 * Covered: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation, ListObjectsV2,
 * PutObject (incl. aws-chunked bodies), CopyObject, GetObject (incl. one Range and the
 * response-* overrides), HeadObject, DeleteObject. Anything else answers 501 NotImplemented.
 *
 * No signature verification, header or query-string (presigned URLs work because the auth
 * parameters are ignored): it listens on loopback only and exists for local runs and tests.
 *
 * Storage: `<dataDir>/s3/<bucket>/<sha256(key)>.bin` plus a `.json` sidecar holding the key, its
 * Content-Type, user metadata and ETag. Hashed names make any key safe as a file name (no path
 * traversal, no "a" vs "a/b" clashes). Without dataDir everything stays in memory. The object
 * index is kept in memory (loaded from the sidecars at start) so listings need no disk scan.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export interface StartS3Options {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Root of the local stack's data; objects live under `<dataDir>/s3`. Undefined = in memory. */
  dataDir?: string;
  /** Bucket names to create at start (the template's buckets). */
  buckets: string[];
  /** Largest accepted object body; S3 allows 5 GB per PUT, this server buffers in memory. */
  maxObjectBytes?: number;
}

export interface LocalS3 {
  /** For the S3 client (AWS_ENDPOINT_URL_S3); an IP endpoint makes the SDK use path style. */
  endpoint: string;
  close(): Promise<void>;
}

interface ObjectMeta {
  key: string;
  size: number;
  /** Quoted MD5 hex, as S3 returns it for single-part uploads. */
  etag: string;
  lastModified: string;
  contentType: string;
  /** Other representation headers given at PUT (Content-Disposition, Cache-Control, ...). */
  headers: Record<string, string>;
  /** User metadata without the `x-amz-meta-` prefix. */
  metadata: Record<string, string>;
}

interface Bucket {
  name: string;
  createdAt: string;
  objects: Map<string, ObjectMeta>;
  /** Bodies when running in memory. */
  bodies: Map<string, Buffer>;
}

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const STORED_HEADERS = [
  'content-disposition',
  'content-encoding',
  'content-language',
  'cache-control',
  'expires',
];
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
  }
}

export async function startS3Server(options: StartS3Options): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  const root = options.dataDir === undefined ? undefined : resolve(options.dataDir, 's3');
  const maxObjectBytes = options.maxObjectBytes ?? 100 * 1024 * 1024;
  const buckets = root === undefined ? new Map<string, Bucket>() : loadBuckets(root);
  for (const name of options.buckets) createBucket(name);

  function createBucket(name: string): Bucket {
    if (!BUCKET_NAME.test(name))
      throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.');
    let bucket = buckets.get(name);
    if (bucket === undefined) {
      bucket = { name, createdAt: new Date().toISOString(), objects: new Map(), bodies: new Map() };
      buckets.set(name, bucket);
      if (root !== undefined) mkdirSync(join(root, name), { recursive: true });
    }
    return bucket;
  }

  function bucketOf(name: string): Bucket {
    const bucket = buckets.get(name);
    if (bucket === undefined) {
      throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.', { BucketName: name });
    }
    return bucket;
  }

  function objectOf(bucket: Bucket, key: string): ObjectMeta {
    const meta = bucket.objects.get(key);
    if (meta === undefined)
      throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    return meta;
  }

  const filePath = (bucket: string, key: string, ext: 'bin' | 'json') =>
    join(root!, bucket, `${createHash('sha256').update(key).digest('hex')}.${ext}`);

  async function readBody(bucket: Bucket, key: string): Promise<Buffer> {
    if (root === undefined) return bucket.bodies.get(key) ?? Buffer.alloc(0);
    return readFile(filePath(bucket.name, key, 'bin'));
  }

  async function storeObject(bucket: Bucket, meta: ObjectMeta, body: Buffer): Promise<void> {
    if (root === undefined) {
      bucket.bodies.set(meta.key, body);
    } else {
      // Write-then-rename so a crash never leaves a half-written object behind.
      await writeAtomically(filePath(bucket.name, meta.key, 'bin'), body);
      await writeAtomically(filePath(bucket.name, meta.key, 'json'), JSON.stringify(meta));
    }
    bucket.objects.set(meta.key, meta);
  }

  async function deleteObject(bucket: Bucket, key: string): Promise<void> {
    bucket.objects.delete(key);
    bucket.bodies.delete(key);
    if (root !== undefined) {
      await rm(filePath(bucket.name, key, 'json'), { force: true });
      await rm(filePath(bucket.name, key, 'bin'), { force: true });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const [bucketName, key] = splitPath(url.pathname);
    const query = url.searchParams;

    if (bucketName === undefined) {
      if (method === 'GET') return sendXml(res, 200, listBucketsXml([...buckets.values()]));
      throw notImplemented();
    }

    if (key === undefined) {
      switch (method) {
        case 'PUT':
          createBucket(bucketName);
          res.writeHead(200, { Location: `/${bucketName}` }).end();
          return;
        case 'HEAD':
          bucketOf(bucketName);
          res.writeHead(200, { 'x-amz-bucket-region': 'us-east-1' }).end();
          return;
        case 'DELETE': {
          const bucket = bucketOf(bucketName);
          if (bucket.objects.size > 0) {
            throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty.');
          }
          buckets.delete(bucketName);
          if (root !== undefined) await rm(join(root, bucketName), { recursive: true, force: true });
          res.writeHead(204).end();
          return;
        }
        case 'GET': {
          const bucket = bucketOf(bucketName);
          if (query.has('location')) {
            return sendXml(res, 200, `<LocationConstraint xmlns="${XMLNS}"></LocationConstraint>`);
          }
          if (query.get('list-type') === '2') return sendXml(res, 200, listObjectsV2(bucket, query));
          throw notImplemented();
        }
        default:
          throw notImplemented();
      }
    }

    const bucket = bucketOf(bucketName);
    switch (method) {
      case 'PUT': {
        if (query.has('uploadId') || query.has('partNumber') || query.has('tagging') || query.has('acl')) {
          throw notImplemented();
        }
        const copySource = header(req, 'x-amz-copy-source');
        if (copySource !== undefined) {
          const meta = await copyObject(bucket, key, copySource, req);
          return sendXml(
            res,
            200,
            `<CopyObjectResult xmlns="${XMLNS}"><LastModified>${meta.lastModified}</LastModified>` +
              `<ETag>${xml(meta.etag)}</ETag></CopyObjectResult>`,
          );
        }
        const body = decodeBody(req, await readRequest(req, maxObjectBytes));
        const meta: ObjectMeta = {
          key,
          size: body.length,
          etag: `"${createHash('md5').update(body).digest('hex')}"`,
          lastModified: new Date().toISOString(),
          contentType: header(req, 'content-type') ?? 'application/octet-stream',
          headers: representationHeaders(req),
          metadata: userMetadata(req),
        };
        await storeObject(bucket, meta, body);
        res.writeHead(200, { ETag: meta.etag }).end();
        return;
      }
      case 'GET':
      case 'HEAD': {
        const meta = objectOf(bucket, key);
        const headers = objectHeaders(meta, query);
        const range = parseRange(header(req, 'range'), meta.size);
        if (method === 'HEAD') {
          res.writeHead(200, { ...headers, 'Content-Length': meta.size }).end();
          return;
        }
        const body = await readBody(bucket, key);
        if (range === undefined) {
          res.writeHead(200, { ...headers, 'Content-Length': body.length }).end(body);
        } else {
          const slice = body.subarray(range.start, range.end + 1);
          res
            .writeHead(206, {
              ...headers,
              'Content-Length': slice.length,
              'Content-Range': `bytes ${range.start}-${range.end}/${body.length}`,
            })
            .end(slice);
        }
        return;
      }
      case 'DELETE':
        if (query.has('uploadId') || query.has('tagging')) throw notImplemented();
        await deleteObject(bucket, key);
        res.writeHead(204).end();
        return;
      default:
        throw notImplemented();
    }
  }

  async function copyObject(
    target: Bucket,
    key: string,
    copySource: string,
    req: IncomingMessage,
  ): Promise<ObjectMeta> {
    const [sourceBucketName, sourceKey] = splitPath(`/${decodeURIComponent(copySource.split('?')[0] ?? '')}`);
    if (sourceBucketName === undefined || sourceKey === undefined) {
      throw new S3Error(400, 'InvalidArgument', 'Copy Source must mention the source bucket and key.');
    }
    const sourceBucket = bucketOf(sourceBucketName);
    const source = objectOf(sourceBucket, sourceKey);
    const body = await readBody(sourceBucket, sourceKey);
    const replace = header(req, 'x-amz-metadata-directive') === 'REPLACE';
    const meta: ObjectMeta = {
      ...source,
      key,
      lastModified: new Date().toISOString(),
      ...(replace
        ? {
            contentType: header(req, 'content-type') ?? 'application/octet-stream',
            headers: representationHeaders(req),
            metadata: userMetadata(req),
          }
        : {}),
    };
    await storeObject(target, meta, body);
    return meta;
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amz-request-id', requestId);
    handle(req, res).catch((error: unknown) => {
      const s3Error =
        error instanceof S3Error
          ? error
          : new S3Error(500, 'InternalError', error instanceof Error ? error.message : String(error));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // HEAD responses carry no body; the SDK then names the error after the status (NotFound).
      if (req.method === 'HEAD') {
        res.writeHead(s3Error.status).end();
        return;
      }
      const extra = Object.entries(s3Error.extra)
        .map(([name, value]) => `<${name}>${xml(value)}</${name}>`)
        .join('');
      sendXml(
        res,
        s3Error.status,
        `<Error><Code>${s3Error.code}</Code><Message>${xml(s3Error.message)}</Message>${extra}` +
          `<RequestId>${requestId}</RequestId></Error>`,
      );
      // A rejected upload may still be streaming; drop the rest instead of buffering it.
      req.resume();
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(`S3: port ${options.port} on ${host} is already in use`)
          : error,
      ),
    );
    server.listen(options.port, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** `/bucket/some/key` → ['bucket', 'some/key']; the SDK percent-encodes each key segment. */
function splitPath(pathname: string): [string | undefined, string | undefined] {
  const rest = pathname.replace(/^\/+/, '');
  if (rest === '') return [undefined, undefined];
  const slash = rest.indexOf('/');
  if (slash === -1) return [decodeURIComponent(rest), undefined];
  const key = decodeURIComponent(rest.slice(slash + 1));
  return [decodeURIComponent(rest.slice(0, slash)), key === '' ? undefined : key];
}

function loadBuckets(root: string): Map<string, Bucket> {
  mkdirSync(root, { recursive: true });
  const buckets = new Map<string, Bucket>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory() || !BUCKET_NAME.test(entry.name)) continue;
    const bucket: Bucket = {
      name: entry.name,
      createdAt: new Date().toISOString(),
      objects: new Map(),
      bodies: new Map(),
    };
    for (const file of readdirSync(join(root, entry.name))) {
      if (!file.endsWith('.json')) continue;
      try {
        const meta = JSON.parse(readFileSync(join(root, entry.name, file), 'utf8')) as ObjectMeta;
        bucket.objects.set(meta.key, meta);
      } catch {
        // A sidecar torn by a crash: the object is lost, as the rename never happened.
      }
    }
    buckets.set(entry.name, bucket);
  }
  return buckets;
}

async function writeAtomically(path: string, data: Buffer | string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

function readRequest(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(
          new S3Error(
            400,
            'EntityTooLarge',
            `Your proposed upload exceeds the local limit of ${limit} bytes.`,
          ),
        );
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolveBody(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Undoes the SDK's `aws-chunked` content encoding (streaming bodies with trailing checksums):
 * `<hex size>[;chunk-signature=…]\r\n<data>\r\n` … `0\r\n<trailers>\r\n\r\n`.
 */
function decodeBody(req: IncomingMessage, raw: Buffer): Buffer {
  const encoding = header(req, 'content-encoding') ?? '';
  const sha = header(req, 'x-amz-content-sha256') ?? '';
  if (!encoding.includes('aws-chunked') && !sha.startsWith('STREAMING-')) return raw;
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', offset);
    if (lineEnd === -1) throw new S3Error(400, 'IncompleteBody', 'Malformed aws-chunked body.');
    const size = Number.parseInt(raw.subarray(offset, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new S3Error(400, 'IncompleteBody', 'Malformed aws-chunked body.');
    if (size === 0) break;
    parts.push(raw.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

function representationHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    let value = header(req, name);
    // aws-chunked is a transfer detail of this upload, not a property of the object.
    if (name === 'content-encoding' && value !== undefined) {
      value = value
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '' && v !== 'aws-chunked')
        .join(', ');
      if (value === '') value = undefined;
    }
    if (value !== undefined) headers[name] = value;
  }
  return headers;
}

function userMetadata(req: IncomingMessage): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) {
      metadata[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  return metadata;
}

function objectHeaders(meta: ObjectMeta, query: URLSearchParams): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Type': meta.contentType,
    ETag: meta.etag,
    'Last-Modified': new Date(meta.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...meta.headers,
  };
  for (const [name, value] of Object.entries(meta.metadata)) headers[`x-amz-meta-${name}`] = value;
  // Presigned URLs may override these (ResponseContentType, ResponseContentDisposition, ...).
  const overrides: Record<string, string> = {
    'response-content-type': 'Content-Type',
    'response-content-disposition': 'content-disposition',
    'response-content-encoding': 'content-encoding',
    'response-content-language': 'content-language',
    'response-cache-control': 'cache-control',
    'response-expires': 'expires',
  };
  for (const [param, name] of Object.entries(overrides)) {
    const value = query.get(param);
    if (value !== null) headers[name] = value;
  }
  return headers;
}

function parseRange(value: string | undefined, size: number): { start: number; end: number } | undefined {
  const match = value?.match(/^bytes=(\d*)-(\d*)$/);
  if (match === undefined || match === null || size === 0) return undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const length = Math.min(Number(to), size);
    return { start: size - length, end: size - 1 };
  }
  const start = Number(from);
  if (start >= size) {
    throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
      RangeRequested: value ?? '',
    });
  }
  return { start, end: to === '' ? size - 1 : Math.min(Number(to), size - 1) };
}

function listObjectsV2(bucket: Bucket, query: URLSearchParams): string {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = Math.max(0, Math.min(1000, Number(query.get('max-keys') ?? '1000') || 0));
  const token = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const urlEncode = query.get('encoding-type') === 'url';
  const marker = token === null ? startAfter : Buffer.from(token, 'base64url').toString('utf8');
  const enc = (s: string) => xml(urlEncode ? encodeURIComponent(s).replace(/%2F/g, '/') : s);

  // S3 orders keys by their UTF-8 bytes, which differs from JS (UTF-16) order for some characters.
  const keys = [...bucket.objects.keys()]
    .filter((k) => k.startsWith(prefix))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

  const contents: ObjectMeta[] = [];
  const commonPrefixes: string[] = [];
  let last: string | undefined;
  let truncated = false;
  for (const key of keys) {
    if (marker !== '' && Buffer.compare(Buffer.from(key), Buffer.from(marker)) <= 0) continue;
    // A marker that is a common prefix stands for every key under it.
    if (delimiter !== '' && marker.endsWith(delimiter) && key.startsWith(marker)) continue;
    let entry: string = key;
    let isPrefix = false;
    if (delimiter !== '') {
      const at = key.indexOf(delimiter, prefix.length);
      if (at !== -1) {
        entry = key.slice(0, at + delimiter.length);
        isPrefix = true;
      }
    }
    if (isPrefix && commonPrefixes.at(-1) === entry) continue;
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (isPrefix) commonPrefixes.push(entry);
    else contents.push(bucket.objects.get(key)!);
    last = entry;
  }

  const parts = [
    `<ListBucketResult xmlns="${XMLNS}">`,
    `<Name>${xml(bucket.name)}</Name>`,
    `<Prefix>${enc(prefix)}</Prefix>`,
    `<KeyCount>${contents.length + commonPrefixes.length}</KeyCount>`,
    `<MaxKeys>${maxKeys}</MaxKeys>`,
    delimiter === '' ? '' : `<Delimiter>${enc(delimiter)}</Delimiter>`,
    urlEncode ? '<EncodingType>url</EncodingType>' : '',
    `<IsTruncated>${truncated}</IsTruncated>`,
    token === null ? '' : `<ContinuationToken>${xml(token)}</ContinuationToken>`,
    truncated && last !== undefined
      ? `<NextContinuationToken>${Buffer.from(last).toString('base64url')}</NextContinuationToken>`
      : '',
    startAfter === '' ? '' : `<StartAfter>${enc(startAfter)}</StartAfter>`,
    ...contents.map(
      (m) =>
        `<Contents><Key>${enc(m.key)}</Key><LastModified>${m.lastModified}</LastModified>` +
        `<ETag>${xml(m.etag)}</ETag><Size>${m.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    ),
    ...commonPrefixes.map((p) => `<CommonPrefixes><Prefix>${enc(p)}</Prefix></CommonPrefixes>`),
    '</ListBucketResult>',
  ];
  return parts.join('');
}

function listBucketsXml(buckets: Bucket[]): string {
  const items = buckets
    .map((b) => `<Bucket><Name>${xml(b.name)}</Name><CreationDate>${b.createdAt}</CreationDate></Bucket>`)
    .join('');
  return (
    `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>local</ID><DisplayName>local</DisplayName></Owner>` +
    `<Buckets>${items}</Buckets></ListAllMyBucketsResult>`
  );
}

function sendXml(res: ServerResponse, status: number, body: string): void {
  const payload = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  res
    .writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(payload) })
    .end(payload);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function notImplemented(): S3Error {
  return new S3Error(501, 'NotImplemented', 'This operation is not implemented by the local S3 server.');
}

function xml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
