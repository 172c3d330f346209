/**
 * Local API Gateway (REST API, Lambda proxy integration, payload 1.0): routes the template's
 * methods and paths to the bundled handlers, checks the bearer token first as the Cognito
 * user-pool authorizer would, and maps the proxy result back to HTTP.
 *
 * Deviations from the deployed gateway, on purpose: unknown paths answer 404 and known paths
 * with another method 405 (API Gateway says 403 "Missing Authentication Token" for both), all
 * as problem+json; the token is an HS256 JWT signed with the local secret instead of a Cognito
 * RS256 one; `GET /openapi.json` serves the generated OpenAPI document.
 *
 * Request bodies follow the template's BinaryMediaTypes as API Gateway does: a body whose
 * Content-Type (parameters aside) matches one of them reaches the handler base64-encoded, byte
 * for byte; any other body is handed over as text, decoded from UTF-8.
 *
 * The template's AWS WAF rate-based rules keyed on a header (the per-caller limit on writes) are
 * enforced in front of everything, as the firewall sits in front of the stage, answering their
 * block response. Counting is exact over a sliding window; AWS WAF aggregates with a short delay,
 * so deployed a few more requests may pass before the block starts.
 */
import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { jwtVerify } from 'jose';
import { consoleContentSecurityPolicy, HSTS_SECONDS } from '../../infra/console-policy.ts';
import { LOCAL_ISSUER, signLocalToken } from './jwt.ts';
import type { LambdaRuntime, LocalRateLimit, LocalRoute } from './types.ts';

export interface StartApiGatewayOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  routes: LocalRoute[];
  /** The REST API's BinaryMediaTypes (`*` wildcards allowed, as in `image/*`). */
  binaryMediaTypes?: string[];
  lambda: LambdaRuntime;
  jwtSecret: Uint8Array;
  /** Served at `GET /openapi.json` (read on every request, so a regenerated file shows up). */
  openApiFile?: string;
  /** No per-request log lines. */
  quiet?: boolean;
  /** API Gateway's payload limit is 10 MB. */
  maxBodyBytes?: number;
  /** API Gateway's integration timeout is 29 s; the Lambda may run on, as it would deployed. */
  integrationTimeoutMs?: number;
  /** The template's header-keyed WAF rate-based rules (template.rateLimits). */
  rateLimits?: LocalRateLimit[];
  /**
   * The built console (web/dist): served at `/` with the same security headers as CloudFront,
   * every path outside /v1 falling back to index.html, as the single-page app routes itself.
   */
  consoleDir?: string;
  /**
   * `POST /local/sign-in` `{accountId, groups}` → `{idToken}`: the console's sign-in locally.
   * It exists only here; the deployed template has no such route (test/infra proves it).
   */
  localSignIn?: boolean;
}

export interface LocalApiGateway {
  url: string;
  close(): Promise<void>;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
}

const problem = (status: number, title: string, detail: string, code: string): Problem => ({
  type: 'about:blank',
  title,
  status,
  detail,
  code,
});

/** What the gateway answers, before any Lambda runs, for a missing, expired or bad token. */
export const UNAUTHENTICATED_PROBLEM: Problem = problem(
  401,
  'Unauthorized',
  'A valid bearer token is required.',
  'UNAUTHENTICATED',
);
/** An unhandled Lambda error or a malformed proxy result: API Gateway's "Internal server error". */
export const INTERNAL_PROBLEM: Problem = problem(502, 'Bad Gateway', 'Internal server error', 'INTERNAL');

const DEFAULT_MAX_BODY = 10 * 1024 * 1024;
/** Past this, a too-large upload is cut off instead of drained. */
const MAX_DRAIN = 64 * 1024 * 1024;

export async function startApiGateway(options: StartApiGatewayOptions): Promise<LocalApiGateway> {
  const host = options.host ?? '127.0.0.1';
  const router = createRouter(options.routes);
  // Importing the key once keeps token checks cheap under load.
  const key = createSecretKey(options.jwtSecret);
  const verified = new Map<string, { claims: Record<string, string>; expiresAt: number }>();
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const binaryMediaTypes = options.binaryMediaTypes ?? [];
  const rateLimited = createRateLimiter(options.rateLimits ?? []);
  const log = options.quiet ? () => {} : (line: string) => process.stdout.write(`[api] ${line}\n`);

  const server = createServer((req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    res.once('finish', () => {
      log(`${req.method} ${req.url} ${res.statusCode} ${Math.round(performance.now() - started)}ms`);
    });
    handle(req, res, requestId).catch((error: unknown) => {
      log(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendProblem(res, INTERNAL_PROBLEM);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);

    const blockedBy = rateLimited(method, req.headers);
    if (blockedBy !== undefined) {
      // The firewall answers before the request reaches the API: drain the body, send the rule's response.
      req.resume();
      const { status, headers, contentType, body } = blockedBy.response;
      res.writeHead(status, {
        ...headers,
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }

    if (path === '/openapi.json' && method === 'GET') return serveOpenApi(res, options.openApiFile);
    if (path === LOCAL_SIGN_IN_PATH && options.localSignIn) {
      return localSignIn(req, res, method, options.jwtSecret);
    }
    if (options.consoleDir !== undefined && !path.startsWith('/v1/') && path !== '/v1') {
      if (path === '/console-config.json' && method === 'GET') {
        return sendJson(res, 200, { signIn: 'local' }, CONSOLE_HEADERS);
      }
      if (method === 'GET' || method === 'HEAD') return serveConsole(res, options.consoleDir, path, method);
    }

    const match = router(path);
    if (match === undefined) {
      return sendProblem(res, problem(404, 'Not Found', `No resource at ${path}.`, 'NOT_FOUND'));
    }
    const route =
      match.routes.find((r) => r.method === method) ?? match.routes.find((r) => r.method === 'ANY');
    if (route === undefined) {
      res.setHeader('Allow', match.routes.map((r) => r.method).join(', '));
      return sendProblem(
        res,
        problem(405, 'Method Not Allowed', `${method} is not allowed on ${match.resource}.`, 'NOT_FOUND'),
      );
    }

    let claims: Record<string, string> | undefined;
    if (route.requiresAuth) {
      claims = await verifyToken(req.headers.authorization, key, verified);
      if (claims === undefined) return sendProblem(res, UNAUTHENTICATED_PROBLEM);
    }

    const body = await readBody(req, maxBody);
    if (body === 'too-large') {
      res.setHeader('Connection', 'close');
      return sendProblem(
        res,
        problem(413, 'Payload Too Large', `The request body exceeds ${maxBody} bytes.`, 'VALIDATION_FAILED'),
      );
    }

    const event = buildEvent({
      req,
      method,
      path,
      rawQuery,
      route,
      pathParameters: match.params,
      body,
      binary: isBinaryMediaType(req.headers['content-type'], binaryMediaTypes),
      claims,
      requestId,
    });
    let result: unknown;
    try {
      result = await withTimeout(
        options.lambda.invoke(route.functionLogicalId, event),
        options.integrationTimeoutMs ?? 29_000,
      );
    } catch (error) {
      if (error instanceof IntegrationTimeout) {
        return sendProblem(res, problem(504, 'Gateway Timeout', 'Endpoint request timed out', 'INTERNAL'));
      }
      // Logged for the developer; the caller gets no internals, as from API Gateway.
      const name = error instanceof Error ? error.name : 'Error';
      const message = error instanceof Error ? error.message : String(error);
      log(`${route.functionLogicalId} failed: ${name}: ${message}`);
      return sendProblem(res, INTERNAL_PROBLEM);
    }
    sendProxyResult(res, result, (reason) => log(`${route.functionLogicalId} returned ${reason}`));
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `API: port ${options.port} on ${host} is already in use (set PORT or stop the other server)`,
            )
          : error,
      ),
    );
    server.listen(options.port, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    close() {
      closing ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Firewall rate limits

/**
 * Counts each request against the rules in order, per key (the key headers' values), over a
 * sliding window, and returns the first rule the request exceeds. A blocked request is not
 * counted, so a caller gets `limit` requests through in any window.
 */
export function createRateLimiter(
  rules: LocalRateLimit[],
  now: () => number = Date.now,
): (method: string, headers: IncomingMessage['headers']) => LocalRateLimit | undefined {
  const seen = rules.map(() => new Map<string, number[]>());
  let checks = 0;
  return (method, headers) => {
    const at = now();
    if (++checks % 10_000 === 0) {
      // Forget callers that have been quiet for a whole window.
      rules.forEach((rule, i) => {
        for (const [key, times] of seen[i]!) {
          if ((times.at(-1) ?? 0) <= at - rule.windowSeconds * 1000) seen[i]!.delete(key);
        }
      });
    }
    for (const [i, rule] of rules.entries()) {
      if (rule.methods !== undefined && !rule.methods.includes(method)) continue;
      const values = rule.keyHeaders.map((name) => headers[name]);
      if (values.some((value) => value === undefined)) continue;
      const key = JSON.stringify(values);
      const since = at - rule.windowSeconds * 1000;
      const times = (seen[i]!.get(key) ?? []).filter((time) => time > since);
      if (times.length >= rule.limit) {
        seen[i]!.set(key, times);
        return rule;
      }
      times.push(at);
      seen[i]!.set(key, times);
    }
    return undefined;
  };
}

// ---------------------------------------------------------------------------------------------
// Routing

interface Match {
  /** The template path, e.g. /v1/invoices/{invoiceId} */
  resource: string;
  routes: LocalRoute[];
  params: Record<string, string> | null;
}

interface Resource {
  path: string;
  segments: { kind: 'literal' | 'param' | 'greedy'; value: string }[];
  routes: LocalRoute[];
}

/**
 * Most specific resource first: segment by segment, a literal beats `{param}`, which beats
 * `{proxy+}`. A resource is matched on its path alone; its methods are checked afterwards.
 */
export function createRouter(routes: LocalRoute[]): (path: string) => Match | undefined {
  const byPath = new Map<string, Resource>();
  for (const route of routes) {
    let resource = byPath.get(route.path);
    if (resource === undefined) {
      resource = { path: route.path, segments: splitSegments(route.path).map(parseSegment), routes: [] };
      byPath.set(route.path, resource);
    }
    resource.routes.push({ ...route, method: route.method.toUpperCase() });
  }
  const rank = { literal: 0, param: 1, greedy: 2 } as const;
  const resources = [...byPath.values()].sort((a, b) => {
    for (let i = 0; i < Math.max(a.segments.length, b.segments.length); i++) {
      const x = a.segments[i];
      const y = b.segments[i];
      if (x === undefined || y === undefined) return x === undefined ? 1 : -1;
      if (rank[x.kind] !== rank[y.kind]) return rank[x.kind] - rank[y.kind];
    }
    return 0;
  });

  return (path) => {
    const segments = splitSegments(path);
    if (segments.some((s) => s === '')) return undefined;
    for (const resource of resources) {
      const params = matchSegments(resource, segments);
      if (params !== undefined) {
        return {
          resource: resource.path,
          routes: resource.routes,
          params: Object.keys(params).length ? params : null,
        };
      }
    }
    return undefined;
  };
}

function matchSegments(resource: Resource, segments: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < resource.segments.length; i++) {
    const pattern = resource.segments[i]!;
    if (pattern.kind === 'greedy') {
      if (i >= segments.length) return undefined;
      params[pattern.value] = segments.slice(i).map(decode).join('/');
      return params;
    }
    const segment = segments[i];
    if (segment === undefined) return undefined;
    if (pattern.kind === 'literal') {
      if (decode(segment) !== pattern.value) return undefined;
    } else {
      params[pattern.value] = decode(segment);
    }
  }
  return segments.length === resource.segments.length ? params : undefined;
}

/** '/v1/a/b/' → ['v1', 'a', 'b']; the root is no segments. */
function splitSegments(path: string): string[] {
  const trimmed = path.replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function parseSegment(segment: string): Resource['segments'][number] {
  const greedy = segment.match(/^\{(.+)\+\}$/);
  if (greedy) return { kind: 'greedy', value: greedy[1]! };
  const param = segment.match(/^\{(.+)\}$/);
  if (param) return { kind: 'param', value: param[1]! };
  return { kind: 'literal', value: segment };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// ---------------------------------------------------------------------------------------------
// Auth

/**
 * The claims as the Cognito authorizer passes them on: every value a string, arrays
 * (`cognito:groups`) comma-joined. Undefined when the token is missing or does not verify.
 * A bare token without "Bearer " is accepted too, as the Cognito authorizer does.
 */
async function verifyToken(
  authorization: string | undefined,
  key: KeyObject,
  verified: Map<string, { claims: Record<string, string>; expiresAt: number }>,
): Promise<Record<string, string> | undefined> {
  const token = authorization?.replace(/^Bearer\s+/i, '').trim();
  if (token === undefined || token === '') return undefined;
  const known = verified.get(token);
  if (known !== undefined) {
    if (known.expiresAt > Date.now()) return known.claims;
    verified.delete(token);
  }
  try {
    const { payload } = await jwtVerify(token, key, { issuer: LOCAL_ISSUER, algorithms: ['HS256'] });
    if (typeof payload.exp !== 'number') return undefined;
    const claims = claimsAsStrings(payload);
    // The oldest entry goes first: a Map iterates in insertion order.
    if (verified.size >= VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string);
    verified.set(token, { claims, expiresAt: Math.min(payload.exp * 1000, Date.now() + VERIFIED_FOR_MS) });
    return claims;
  } catch {
    return undefined;
  }
}

/**
 * Verified tokens are remembered (as API Gateway caches an authorizer's result for a token),
 * so a client that sends the same token again costs no signature check: at most this many,
 * each until it expires or for five minutes, whichever comes first.
 */
const VERIFIED_TOKENS = 10_000;
const VERIFIED_FOR_MS = 300_000;

export function claimsAsStrings(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) claims[name] = value.map(String).join(',');
    else if (typeof value === 'object') claims[name] = JSON.stringify(value);
    else claims[name] = String(value);
  }
  return claims;
}

// ---------------------------------------------------------------------------------------------
// Proxy event and result

function buildEvent(input: {
  req: IncomingMessage;
  method: string;
  path: string;
  rawQuery: string;
  route: LocalRoute;
  pathParameters: Record<string, string> | null;
  body: Buffer;
  /** The content type is one of the API's binary media types. */
  binary: boolean;
  claims: Record<string, string> | undefined;
  requestId: string;
}) {
  const { req, method, path, route, body } = input;
  // rawHeaders keeps the case the client sent, as API Gateway does; the last value wins in
  // `headers`, all values are in `multiValueHeaders`.
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const value = req.rawHeaders[i + 1]!;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  // Query values arrive decoded (REST APIs decode them); the path stays percent-encoded.
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(input.rawQuery)) {
    query[name] = value;
    multiQuery[name] = [...(multiQuery[name] ?? []), value];
  }
  const hasQuery = Object.keys(query).length > 0;
  const isBase64Encoded = body.length > 0 && input.binary;
  const now = new Date();
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const userAgent = req.headers['user-agent'] ?? null;

  return {
    resource: route.path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: input.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      resourceId: 'local',
      resourcePath: route.path,
      httpMethod: method,
      path: `/local${path}`,
      stage: 'local',
      protocol: `HTTP/${req.httpVersion}`,
      requestId: input.requestId,
      extendedRequestId: input.requestId,
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      domainName: req.headers.host ?? '127.0.0.1',
      identity: {
        sourceIp,
        userAgent,
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
      ...(input.claims === undefined ? {} : { authorizer: { claims: input.claims } }),
    },
    body: body.length === 0 ? null : body.toString(isBase64Encoded ? 'base64' : 'utf8'),
    isBase64Encoded,
  };
}

/**
 * Whether API Gateway treats a body of this Content-Type as binary: its media type, parameters
 * aside and case ignored, matches one of the API's binary media types, where `*` stands for
 * any type or subtype. A body without a Content-Type is text.
 */
export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: string[]): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === '') return false;
  const [main, sub] = type.split('/');
  return binaryMediaTypes.some((pattern) => {
    const [patternMain, patternSub] = pattern.trim().toLowerCase().split('/');
    return (patternMain === '*' || patternMain === main) && (patternSub === '*' || patternSub === sub);
  });
}

function sendProxyResult(res: ServerResponse, result: unknown, warn: (reason: string) => void): void {
  if (
    typeof result !== 'object' ||
    result === null ||
    typeof (result as { statusCode?: unknown }).statusCode !== 'number'
  ) {
    warn('a malformed proxy result (no numeric statusCode)');
    sendProblem(res, INTERNAL_PROBLEM);
    return;
  }
  const r = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    multiValueHeaders?: Record<string, (string | number | boolean)[]>;
    body?: unknown;
    isBase64Encoded?: boolean;
  };
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') {
    warn('a malformed proxy result (body is not a string)');
    sendProblem(res, INTERNAL_PROBLEM);
    return;
  }
  // API Gateway merges both maps; for a name in both, multiValueHeaders wins.
  const headers = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    headers.set(name.toLowerCase(), { name, values: [String(value)] });
  }
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    headers.set(name.toLowerCase(), { name, values: (values ?? []).map(String) });
  }
  const body = r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  for (const { name, values } of headers.values()) {
    if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
    res.setHeader(name, values.length === 1 ? values[0]! : values);
  }
  if (!headers.has('content-type')) res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', body.length);
  res.writeHead(r.statusCode).end(body);
}

/** A problem of the gateway's own, with the request id as its instance (as the template's gateway responses). */
function sendProblem(res: ServerResponse, body: Problem): void {
  const requestId = res.getHeader('x-amzn-RequestId');
  const payload = JSON.stringify(
    typeof requestId === 'string'
      ? { ...body, instance: `urn:invoice-service:correlation:${requestId}` }
      : body,
  );
  res
    .writeHead(body.status, {
      'Content-Type': 'application/problem+json',
      'Content-Length': Buffer.byteLength(payload),
    })
    .end(payload);
}

async function serveOpenApi(res: ServerResponse, file: string | undefined): Promise<void> {
  const document = file === undefined ? undefined : await readFile(file).catch(() => undefined);
  if (document === undefined) {
    return sendProblem(
      res,
      problem(404, 'Not Found', 'No OpenAPI document has been generated.', 'NOT_FOUND'),
    );
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': document.length }).end(document);
}

// ---------------------------------------------------------------------------------------------
// The console and its local sign-in

export const LOCAL_SIGN_IN_PATH = '/local/sign-in';
const SIGN_IN_GROUPS = new Set(['finance', 'org-admin', 'billing-system']);
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** What CloudFront's response headers policy adds (infra/constructs/console.ts). */
const CONSOLE_HEADERS = {
  'Content-Security-Policy': consoleContentSecurityPolicy(),
  'Strict-Transport-Security': `max-age=${HSTS_SECONDS}; includeSubDomains`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

async function serveConsole(res: ServerResponse, dir: string, path: string, method: string): Promise<void> {
  let relative: string;
  try {
    relative = normalize(decodeURIComponent(path)).replace(/^[/\\]+/, '');
  } catch {
    relative = '';
  }
  let file =
    relative === '' || relative.startsWith('..') || relative.includes(`..${sep}`) ? '' : join(dir, relative);
  const isFile =
    file !== '' &&
    (await stat(file).then(
      (s) => s.isFile(),
      () => false,
    ));
  // A missing asset is a 404; any other path is a page of the single-page app.
  if (!isFile) {
    if (path.startsWith('/assets/')) {
      return sendProblem(res, problem(404, 'Not Found', `No resource at ${path}.`, 'NOT_FOUND'));
    }
    file = join(dir, 'index.html');
  }
  const body = await readFile(file).catch(() => undefined);
  if (body === undefined) {
    return sendProblem(
      res,
      problem(404, 'Not Found', 'The console has not been built (npm run console:build).', 'NOT_FOUND'),
    );
  }
  res.writeHead(200, {
    ...CONSOLE_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': body.length,
    // Hashed asset names never change content; the page itself is always revalidated.
    'Cache-Control': file.includes(`${sep}assets${sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

async function localSignIn(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  secret: Uint8Array,
): Promise<void> {
  if (method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return sendProblem(res, problem(405, 'Method Not Allowed', `${method} is not allowed.`, 'NOT_FOUND'));
  }
  const body = await readBody(req, 4096);
  let input: { accountId?: unknown; groups?: unknown } = {};
  try {
    if (body !== 'too-large') input = JSON.parse(body.toString('utf8')) as typeof input;
  } catch {
    input = {};
  }
  const groups = Array.isArray(input.groups) ? input.groups : [];
  const errors = [
    ...(typeof input.accountId === 'string' && ID_PATTERN.test(input.accountId)
      ? []
      : [{ path: 'body.accountId', message: 'must be 1–128 letters, digits or . _ : -' }]),
    ...(groups.every((g) => typeof g === 'string' && SIGN_IN_GROUPS.has(g))
      ? []
      : [{ path: 'body.groups', message: `each must be one of ${[...SIGN_IN_GROUPS].join(', ')}` }]),
  ];
  if (errors.length > 0) {
    return sendJson(res, 400, {
      ...problem(400, 'The request is not valid', 'The body does not match the schema.', 'VALIDATION_FAILED'),
      errors,
    });
  }
  const idToken = await signLocalToken(secret, {
    accountId: input.accountId as string,
    groups: groups as string[],
  });
  return sendJson(res, 200, { idToken }, { 'Cache-Control': 'no-store' });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res
    .writeHead(status, {
      ...headers,
      'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
      'Content-Length': Buffer.byteLength(payload),
    })
    .end(payload);
}

/** The body, or 'too-large' once it passes the limit (the rest is drained so the client sees the 413). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit && declared <= limit) chunks.push(chunk);
      else if (size > MAX_DRAIN) req.destroy();
    });
    req.once('end', () =>
      resolveBody(size > limit || declared > limit ? 'too-large' : Buffer.concat(chunks)),
    );
    req.once('close', () => {
      if (!req.complete) resolveBody('too-large');
    });
    req.once('error', reject);
  });
}

class IntegrationTimeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new IntegrationTimeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestTime` format: 21/Nov/2026:08:11:03 +0000 */
function formatRequestTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}
