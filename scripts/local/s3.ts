/**
 * A minimal S3-compatible server for the document store: path-style requests as the AWS SDK v3
 * S3 client sends them to an IP endpoint (http://127.0.0.1:<port>/<bucket>/<key>).
 *
 * It serves what the product calls (shared/adapters/document-store.ts, audit-anchors.ts):
 * PutObject (incl. aws-chunked bodies; `If-None-Match: *` answers 412 PreconditionFailed on an
 * existing key; Object Lock headers) and GetObject (also of an earlier `versionId`), with
 * NoSuchKey and NoSuchBucket as S3 names them. Anything else (DeleteObject too) answers 501
 * NotImplemented. The buckets are the template's, created at start, with its versioning and
 * Object Lock default retention: in a versioned bucket a PUT over a key adds a version and
 * keeps the one before (S3 never replaces a locked version), and nothing can be deleted.
 *
 * Header-signed requests are not verified: it listens on loopback only and exists for local runs
 * and tests. Pre-signed GETs (query authentication, the invoice download links of
 * shared/adapters/document-store.ts) are checked as S3 does: an expired one answers 403
 * AccessDenied "Request has expired", and with `credentials` given the SigV4 signature is
 * recomputed (403 SignatureDoesNotMatch); `response-content-disposition` names the download.
 *
 * Storage: `<dataDir>/s3/<bucket>/<sha256(key)>.bin` plus a `.json` sidecar holding the key, its
 * Content-Type, ETag, version and retention; earlier versions as `<sha256(key)>.<versionId>.*`. Hashed names make any key safe as a file name (no path traversal, no
 * "a" vs "a/b" clashes). Without dataDir everything stays in memory.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';

export interface StartS3Options {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Root of the local stack's data; objects live under `<dataDir>/s3`. Undefined = in memory. */
  dataDir?: string;
  /** The template's buckets: names, or names with their versioning and Object Lock. */
  buckets: (string | LocalBucketSpec)[];
  /** Largest accepted object body; S3 allows 5 GB per PUT, this server buffers in memory. */
  maxObjectBytes?: number;
  /** The key pre-signed URLs must be signed with; without it only their expiry is checked. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface LocalBucketSpec {
  name: string;
  versioned?: boolean;
  /** Object Lock's default retention (the bucket must be versioned, as S3 requires). */
  objectLock?: { mode: LockMode; days: number };
}

type LockMode = 'COMPLIANCE' | 'GOVERNANCE';

export interface LocalS3 {
  /** For the S3 client (AWS_ENDPOINT_URL_S3); an IP endpoint makes the SDK use path style. */
  endpoint: string;
  close(): Promise<void>;
}

interface ObjectMeta {
  key: string;
  /** Quoted MD5 hex, as S3 returns it for single-part uploads. */
  etag: string;
  contentType: string;
  /** Versioned buckets only. */
  versionId?: string;
  lockMode?: LockMode;
  /** ISO instant until which the version cannot be deleted or replaced. */
  retainUntil?: string;
  /** When it was put (versioned buckets: orders earlier versions). */
  putAt?: string;
}

interface Bucket {
  spec: LocalBucketSpec;
  /** The current version of each key. */
  objects: Map<string, ObjectMeta>;
  /** Earlier versions (versioned buckets), oldest first. */
  versions: Map<string, ObjectMeta[]>;
  /** Bodies when running in memory, by key (current) or `key\0versionId` (earlier). */
  bodies: Map<string, Buffer>;
}

class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startS3Server(options: StartS3Options): Promise<LocalS3> {
  const host = options.host ?? '127.0.0.1';
  const root = options.dataDir === undefined ? undefined : resolve(options.dataDir, 's3');
  const maxObjectBytes = options.maxObjectBytes ?? 100 * 1024 * 1024;
  const specs = options.buckets.map((b) => (typeof b === 'string' ? { name: b } : b));
  for (const spec of specs) {
    if (spec.objectLock && !spec.versioned)
      throw new Error(`S3: bucket ${spec.name} has Object Lock but no versioning`);
  }
  const buckets = new Map(specs.map((spec) => [spec.name, loadBucket(root, spec)]));

  const filePath = (bucket: string, key: string, ext: 'bin' | 'json', versionId?: string) =>
    join(
      root!,
      bucket,
      `${createHash('sha256').update(key).digest('hex')}${versionId ? `.${versionId}` : ''}.${ext}`,
    );

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const [bucketName, key] = splitPath(url.pathname);
    const method = req.method ?? 'GET';
    const presigned = url.searchParams.has('X-Amz-Signature');
    if (presigned) {
      if (method !== 'GET') throw notImplemented();
      checkPresigned(req, url, options.credentials);
    }
    // The SDK names the operation in `x-id`; any other parameter is a subresource (uploads, acl, …).
    const plain = [...url.searchParams.keys()].every(
      (name) =>
        name === 'x-id' ||
        (method === 'GET' && (name === 'versionId' || name === 'response-content-disposition')) ||
        (presigned && QUERY_AUTH.has(name)),
    );
    if (bucketName === undefined || key === undefined || !plain || (method !== 'PUT' && method !== 'GET'))
      throw notImplemented();
    const bucket = buckets.get(bucketName);
    if (bucket === undefined) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.');

    if (method === 'PUT') {
      if (req.headers['x-amz-copy-source'] !== undefined) throw notImplemented();
      const ifNoneMatch = header(req, 'if-none-match');
      if (ifNoneMatch !== undefined && ifNoneMatch !== '*') throw notImplemented();
      const lock = lockOf(req, bucket.spec);
      const body = decodeBody(req, await readRequest(req, maxObjectBytes));
      // Checked after the body, as S3 does, and before anything is written.
      const previous = bucket.objects.get(key);
      if (ifNoneMatch === '*' && previous !== undefined)
        throw new S3Error(
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      const meta: ObjectMeta = {
        key,
        etag: `"${createHash('md5').update(body).digest('hex')}"`,
        contentType: header(req, 'content-type') ?? 'application/octet-stream',
        ...(bucket.spec.versioned ? { versionId: randomUUID().replaceAll('-', '') } : {}),
        ...lock,
      };
      // A versioned bucket keeps the version before (locked or not); others replace it.
      const keep = bucket.spec.versioned && previous !== undefined ? previous : undefined;
      if (root === undefined) {
        if (keep) bucket.bodies.set(`${key}\0${keep.versionId}`, bucket.bodies.get(key)!);
        bucket.bodies.set(key, body);
      } else {
        if (keep) {
          await rename(filePath(bucketName, key, 'bin'), filePath(bucketName, key, 'bin', keep.versionId));
          await rename(filePath(bucketName, key, 'json'), filePath(bucketName, key, 'json', keep.versionId));
        }
        // Write-then-rename so a crash never leaves a half-written object behind.
        await writeAtomically(filePath(bucketName, key, 'bin'), body);
        await writeAtomically(filePath(bucketName, key, 'json'), JSON.stringify(meta));
      }
      if (keep) bucket.versions.set(key, [...(bucket.versions.get(key) ?? []), keep]);
      bucket.objects.set(key, meta);
      res.writeHead(200, { ETag: meta.etag, ...versionHeaders(meta) }).end();
      return;
    }

    const versionId = url.searchParams.get('versionId') ?? undefined;
    const current = bucket.objects.get(key);
    const meta =
      versionId === undefined || current?.versionId === versionId
        ? current
        : bucket.versions.get(key)?.find((v) => v.versionId === versionId);
    if (meta === undefined) {
      if (versionId !== undefined)
        throw new S3Error(404, 'NoSuchVersion', 'The specified version does not exist.');
      throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    }
    const earlier = meta !== current ? meta.versionId : undefined;
    const body =
      root === undefined
        ? bucket.bodies.get(earlier ? `${key}\0${earlier}` : key)!
        : await readFile(filePath(bucketName, key, 'bin', earlier));
    const disposition = url.searchParams.get('response-content-disposition');
    res
      .writeHead(200, {
        ...(disposition ? { 'Content-Disposition': disposition } : {}),
        'Content-Type': meta.contentType,
        ETag: meta.etag,
        'Content-Length': body.length,
        ...versionHeaders(meta),
      })
      .end(body);
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
      const payload =
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        `<Error><Code>${s3Error.code}</Code><Message>${s3Error.message}</Message>` +
        `<RequestId>${requestId}</RequestId></Error>`;
      res
        .writeHead(s3Error.status, {
          'Content-Type': 'application/xml',
          'Content-Length': Buffer.byteLength(payload),
        })
        .end(payload);
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

/** The query parameters of SigV4 query authentication (a pre-signed URL). */
const QUERY_AUTH = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  // Headers the signer hoisted into the query: the payload hash, the SDK's checksum mode.
  'X-Amz-Content-Sha256',
  'x-amz-checksum-mode',
]);

/**
 * A pre-signed request as S3 checks it: well-formed, not expired (X-Amz-Date + X-Amz-Expires,
 * at most 7 days), and, with the credentials known, signed with them: the SigV4 signature of
 * the canonical request (payload UNSIGNED-PAYLOAD), recomputed here independently of the SDK.
 */
function checkPresigned(req: IncomingMessage, url: URL, credentials: StartS3Options['credentials']): void {
  const param = (name: string) => url.searchParams.get(name) ?? '';
  const date = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(param('X-Amz-Date'));
  const expires = Number(param('X-Amz-Expires'));
  const [accessKeyId, day, region, service, terminator] = param('X-Amz-Credential').split('/');
  if (
    param('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' ||
    !date ||
    !Number.isInteger(expires) ||
    expires < 1 ||
    expires > 604_800 ||
    terminator !== 'aws4_request' ||
    day !== param('X-Amz-Date').slice(0, 8)
  )
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  const signedAt = Date.UTC(+date[1]!, +date[2]! - 1, +date[3]!, +date[4]!, +date[5]!, +date[6]!);
  if (Date.now() > signedAt + expires * 1000) throw new S3Error(403, 'AccessDenied', 'Request has expired');
  if (credentials === undefined) return;
  if (accessKeyId !== credentials.accessKeyId)
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
    );
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const path = url.pathname
    .split('/')
    .map((segment) => encode(decodeURIComponent(segment)))
    .join('/');
  const query = [...url.searchParams]
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const signedHeaders = param('X-Amz-SignedHeaders');
  const headers = signedHeaders
    .split(';')
    .map((name) => `${name}:${(header(req, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const payload = url.searchParams.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD';
  const canonical = ['GET', path, query, headers, signedHeaders, payload].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    param('X-Amz-Date'),
    scope,
    createHash('sha256').update(canonical).digest('hex'),
  ].join('\n');
  let key: Buffer = Buffer.from(`AWS4${credentials.secretAccessKey}`);
  for (const part of [day!, region!, service!, 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  const expected = createHmac('sha256', key).update(stringToSign).digest();
  const given = Buffer.from(param('X-Amz-Signature'), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new S3Error(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
}

/** `/bucket/some/key` → ['bucket', 'some/key']; the SDK percent-encodes each key segment. */
function splitPath(pathname: string): [string | undefined, string | undefined] {
  const rest = pathname.replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash === -1) return [rest === '' ? undefined : decodeURIComponent(rest), undefined];
  const key = decodeURIComponent(rest.slice(slash + 1));
  return [decodeURIComponent(rest.slice(0, slash)), key === '' ? undefined : key];
}

/** A bucket's objects as the sidecars on disk list them (none in memory). */
function loadBucket(root: string | undefined, spec: LocalBucketSpec): Bucket {
  const bucket: Bucket = { spec, objects: new Map(), versions: new Map(), bodies: new Map() };
  if (root === undefined) return bucket;
  const dir = join(root, spec.name);
  mkdirSync(dir, { recursive: true });
  const earlier: ObjectMeta[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ObjectMeta;
      if (file.split('.').length === 2) bucket.objects.set(meta.key, meta);
      else earlier.push(meta);
    } catch {
      // A sidecar torn by a crash: the object is lost, as the rename never happened.
    }
  }
  // Earlier versions in the order they were replaced (their lock runs from when they were put).
  for (const meta of earlier.sort((a, b) => (a.putAt ?? '').localeCompare(b.putAt ?? ''))) {
    bucket.versions.set(meta.key, [...(bucket.versions.get(meta.key) ?? []), meta]);
  }
  return bucket;
}

/**
 * The retention a PUT sets: its Object Lock headers (both, a known mode, a future date; only in a
 * bucket with Object Lock, as S3 answers) or the bucket's default retention.
 */
function lockOf(
  req: IncomingMessage,
  spec: LocalBucketSpec,
): Pick<ObjectMeta, 'lockMode' | 'retainUntil' | 'putAt'> {
  const now = new Date();
  const mode = header(req, 'x-amz-object-lock-mode');
  const until = header(req, 'x-amz-object-lock-retain-until-date');
  if (mode !== undefined || until !== undefined) {
    if (!spec.objectLock)
      throw new S3Error(400, 'InvalidRequest', 'Bucket is missing Object Lock Configuration');
    const time = until === undefined ? Number.NaN : Date.parse(until);
    if ((mode !== 'COMPLIANCE' && mode !== 'GOVERNANCE') || Number.isNaN(time) || time <= now.getTime())
      throw new S3Error(
        400,
        'InvalidArgument',
        'x-amz-object-lock-mode and x-amz-object-lock-retain-until-date must both be given, the date in the future',
      );
    return { lockMode: mode, retainUntil: new Date(time).toISOString(), putAt: now.toISOString() };
  }
  if (!spec.objectLock) return spec.versioned ? { putAt: now.toISOString() } : {};
  const retainUntil = new Date(now.getTime() + spec.objectLock.days * 86_400_000).toISOString();
  return { lockMode: spec.objectLock.mode, retainUntil, putAt: now.toISOString() };
}

function versionHeaders(meta: ObjectMeta): Record<string, string> {
  return {
    ...(meta.versionId ? { 'x-amz-version-id': meta.versionId } : {}),
    ...(meta.lockMode ? { 'x-amz-object-lock-mode': meta.lockMode } : {}),
    ...(meta.retainUntil ? { 'x-amz-object-lock-retain-until-date': meta.retainUntil } : {}),
  };
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

function notImplemented(): S3Error {
  return new S3Error(
    501,
    'NotImplemented',
    'The local S3 server serves PutObject and GetObject (also pre-signed) only.',
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
