/**
 * A minimal S3-compatible server for the document store: path-style requests as the AWS SDK v3
 * S3 client sends them to an IP endpoint (http://127.0.0.1:<port>/<bucket>/<key>).
 *
 * It serves what the product calls (shared/adapters/document-store.ts): PutObject (incl.
 * aws-chunked bodies) and GetObject, with NoSuchKey and NoSuchBucket as S3 names them. Anything
 * else answers 501 NotImplemented. The buckets are the template's, created at start.
 *
 * No signature verification: it listens on loopback only and exists for local runs and tests.
 *
 * Storage: `<dataDir>/s3/<bucket>/<sha256(key)>.bin` plus a `.json` sidecar holding the key, its
 * Content-Type and ETag. Hashed names make any key safe as a file name (no path traversal, no
 * "a" vs "a/b" clashes). Without dataDir everything stays in memory.
 */
import { createHash, randomUUID } from 'node:crypto';
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
  /** The template's bucket names. */
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
  /** Quoted MD5 hex, as S3 returns it for single-part uploads. */
  etag: string;
  contentType: string;
}

interface Bucket {
  objects: Map<string, ObjectMeta>;
  /** Bodies when running in memory. */
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
  const buckets = new Map(options.buckets.map((name) => [name, loadBucket(root, name)]));

  const filePath = (bucket: string, key: string, ext: 'bin' | 'json') =>
    join(root!, bucket, `${createHash('sha256').update(key).digest('hex')}.${ext}`);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const [bucketName, key] = splitPath(url.pathname);
    const method = req.method ?? 'GET';
    // The SDK names the operation in `x-id`; any other parameter is a subresource (uploads, acl, …).
    const plain = [...url.searchParams.keys()].every((name) => name === 'x-id');
    if (bucketName === undefined || key === undefined || !plain || (method !== 'PUT' && method !== 'GET'))
      throw notImplemented();
    const bucket = buckets.get(bucketName);
    if (bucket === undefined) throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist.');

    if (method === 'PUT') {
      if (req.headers['x-amz-copy-source'] !== undefined) throw notImplemented();
      const body = decodeBody(req, await readRequest(req, maxObjectBytes));
      const meta: ObjectMeta = {
        key,
        etag: `"${createHash('md5').update(body).digest('hex')}"`,
        contentType: header(req, 'content-type') ?? 'application/octet-stream',
      };
      if (root === undefined) {
        bucket.bodies.set(key, body);
      } else {
        // Write-then-rename so a crash never leaves a half-written object behind.
        await writeAtomically(filePath(bucketName, key, 'bin'), body);
        await writeAtomically(filePath(bucketName, key, 'json'), JSON.stringify(meta));
      }
      bucket.objects.set(key, meta);
      res.writeHead(200, { ETag: meta.etag }).end();
      return;
    }

    const meta = bucket.objects.get(key);
    if (meta === undefined) throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.');
    const body =
      root === undefined ? bucket.bodies.get(key)! : await readFile(filePath(bucketName, key, 'bin'));
    res
      .writeHead(200, { 'Content-Type': meta.contentType, ETag: meta.etag, 'Content-Length': body.length })
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

/** `/bucket/some/key` → ['bucket', 'some/key']; the SDK percent-encodes each key segment. */
function splitPath(pathname: string): [string | undefined, string | undefined] {
  const rest = pathname.replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  if (slash === -1) return [rest === '' ? undefined : decodeURIComponent(rest), undefined];
  const key = decodeURIComponent(rest.slice(slash + 1));
  return [decodeURIComponent(rest.slice(0, slash)), key === '' ? undefined : key];
}

/** A bucket's objects as the sidecars on disk list them (none in memory). */
function loadBucket(root: string | undefined, name: string): Bucket {
  const bucket: Bucket = { objects: new Map(), bodies: new Map() };
  if (root === undefined) return bucket;
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.json')) continue;
    try {
      const meta = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ObjectMeta;
      bucket.objects.set(meta.key, meta);
    } catch {
      // A sidecar torn by a crash: the object is lost, as the rename never happened.
    }
  }
  return bucket;
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
  return new S3Error(501, 'NotImplemented', 'The local S3 server serves PutObject and GetObject only.');
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
