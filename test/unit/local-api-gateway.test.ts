import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createRateLimiter,
  isBinaryMediaType,
  type LocalApiGateway,
  startApiGateway,
  UNAUTHENTICATED_PROBLEM,
} from '../../scripts/local/api-gateway.ts';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import {
  LambdaInvocationError,
  type LambdaRuntime,
  type LocalRateLimit,
  type LocalRoute,
} from '../../scripts/local/types.ts';

const secret = new Uint8Array(randomBytes(32));
const pdfBytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64)]);

// Listed least specific first on purpose: the gateway must sort them itself.
const routes: LocalRoute[] = [
  { method: 'GET', path: '/v1/{proxy+}', functionLogicalId: 'Greedy', requiresAuth: false },
  { method: 'GET', path: '/v1/invoices/{invoiceId}', functionLogicalId: 'GetInvoice', requiresAuth: true },
  { method: 'GET', path: '/v1/invoices/export.csv', functionLogicalId: 'ExportCsv', requiresAuth: true },
  { method: 'GET', path: '/v1/invoices/{invoiceId}/pdf', functionLogicalId: 'GetPdf', requiresAuth: true },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/receipt',
    functionLogicalId: 'Receipt',
    requiresAuth: true,
  },
  { method: 'POST', path: '/v1/upload', functionLogicalId: 'Upload', requiresAuth: false },
  { method: 'GET', path: '/v1/boom', functionLogicalId: 'Boom', requiresAuth: false },
  { method: 'GET', path: '/v1/cookies', functionLogicalId: 'Cookies', requiresAuth: false },
];

class FakeLambda implements LambdaRuntime {
  calls: { id: string; event: APIGatewayProxyEvent }[] = [];
  async invoke(id: string, event: unknown): Promise<unknown> {
    this.calls.push({ id, event: event as APIGatewayProxyEvent });
    switch (id) {
      case 'Boom':
        throw new LambdaInvocationError('TypeError', 'secret internal detail at /var/task/index.mjs');
      case 'GetPdf':
        return {
          statusCode: 200,
          headers: { 'Content-Type': 'application/pdf' },
          body: pdfBytes.toString('base64'),
          isBase64Encoded: true,
        };
      case 'Cookies':
        return {
          statusCode: 204,
          headers: { 'X-Single': 'one', 'Set-Cookie': 'ignored=1' },
          multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
          body: '',
        };
      default:
        return {
          statusCode: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ id }),
        };
    }
  }
  async close(): Promise<void> {}
  get last() {
    return this.calls.at(-1);
  }
}

describe('local API gateway', () => {
  const lambda = new FakeLambda();
  let api: LocalApiGateway;
  let token: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-api-'));
    const openApiFile = join(dir, 'openapi.json');
    writeFileSync(openApiFile, JSON.stringify({ openapi: '3.1.0' }));
    api = await startApiGateway({
      port: 0,
      routes,
      binaryMediaTypes: ['application/pdf', 'image/*'],
      lambda,
      jwtSecret: secret,
      openApiFile,
      quiet: true,
    });
    token = await signLocalToken(secret, { accountId: 'acct-1', groups: ['finance', 'org-admin'] });
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lambda.calls = [];
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  describe('routing', () => {
    it('prefers literal segments over parameters, and parameters over greedy paths', async () => {
      await get('/v1/invoices/export.csv');
      expect(lambda.last?.id).toBe('ExportCsv');
      expect(lambda.last?.event.pathParameters).toBeNull();
      expect(lambda.last?.event.resource).toBe('/v1/invoices/export.csv');

      await get('/v1/invoices/inv-1');
      expect(lambda.last?.id).toBe('GetInvoice');
      expect(lambda.last?.event.pathParameters).toEqual({ invoiceId: 'inv-1' });
      expect(lambda.last?.event.resource).toBe('/v1/invoices/{invoiceId}');

      await get('/v1/invoices/inv-1/pdf');
      expect(lambda.last?.id).toBe('GetPdf');

      await get('/v1/anything/else');
      expect(lambda.last?.id).toBe('Greedy');
      expect(lambda.last?.event.pathParameters).toEqual({ proxy: 'anything/else' });
    });

    it('URL-decodes path parameters but passes the path as sent', async () => {
      await get('/v1/invoices/%E5%8F%91%E7%A5%A8%20a%2Fb');
      expect(lambda.last?.event.pathParameters).toEqual({ invoiceId: '发票 a/b' });
      expect(lambda.last?.event.path).toBe('/v1/invoices/%E5%8F%91%E7%A5%A8%20a%2Fb');
      expect(lambda.last?.event.requestContext.path).toBe('/local/v1/invoices/%E5%8F%91%E7%A5%A8%20a%2Fb');
    });

    it('answers 404 problem+json for unknown paths and 405 for a known path with another method', async () => {
      const notFound = await fetch(`${api.url}/v2/nothing`);
      expect(notFound.status).toBe(404);
      expect(notFound.headers.get('content-type')).toBe('application/problem+json');
      expect(await notFound.json()).toMatchObject({ status: 404, code: 'NOT_FOUND' });

      const wrongMethod = await fetch(`${api.url}/v1/invoices/inv-1`, { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET');
      expect(await wrongMethod.json()).toMatchObject({ status: 405, code: 'NOT_FOUND' });
      expect(lambda.calls).toHaveLength(0);
    });
  });

  describe('authorization', () => {
    const expectUnauthenticated = async (response: Response) => {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      // The gateway's problem, with its request id as the instance (issue 16).
      expect(await response.json()).toEqual({
        ...UNAUTHENTICATED_PROBLEM,
        instance: `urn:invoice-service:correlation:${response.headers.get('x-amzn-requestid')}`,
      });
      expect(lambda.calls).toHaveLength(0);
    };

    it('rejects a missing token before any Lambda runs', async () => {
      await expectUnauthenticated(await fetch(`${api.url}/v1/invoices/inv-1`));
    });

    it('rejects a token signed with another secret, an expired one and a foreign issuer', async () => {
      const otherSecret = new Uint8Array(randomBytes(32));
      await expectUnauthenticated(
        await get('/v1/invoices/inv-1', {
          authorization: `Bearer ${await signLocalToken(otherSecret, { accountId: 'acct-1' })}`,
        }),
      );
      const expired = await new SignJWT({ 'custom:accountId': 'acct-1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('local-invoice-service')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
        .sign(secret);
      await expectUnauthenticated(await get('/v1/invoices/inv-1', { authorization: `Bearer ${expired}` }));
      const foreign = await new SignJWT({ 'custom:accountId': 'acct-1' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer('someone-else')
        .setExpirationTime('1h')
        .sign(secret);
      await expectUnauthenticated(await get('/v1/invoices/inv-1', { authorization: `Bearer ${foreign}` }));
      await expectUnauthenticated(await get('/v1/invoices/inv-1', { authorization: 'Bearer not.a.jwt' }));
    });

    it('remembers a verified token only until it expires', async () => {
      const shortLived = await signLocalToken(secret, { accountId: 'acct-2', expiresIn: '60s' });
      const withShortLived = () => get('/v1/invoices/inv-1', { authorization: `Bearer ${shortLived}` });
      expect((await withShortLived()).status).toBe(200);
      expect((await withShortLived()).status).toBe(200);
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(Date.now() + 120_000);
        lambda.calls = [];
        await expectUnauthenticated(await withShortLived());
      } finally {
        vi.useRealTimers();
      }
    });

    it('passes every claim as a string, groups comma-joined, as the Cognito authorizer does', async () => {
      await get('/v1/invoices/inv-1');
      const claims = lambda.last?.event.requestContext.authorizer?.claims as Record<string, unknown>;
      expect(claims).toMatchObject({
        'custom:accountId': 'acct-1',
        'cognito:groups': 'finance,org-admin',
        iss: 'local-invoice-service',
        token_use: 'id',
      });
      expect(claims.sub).toMatch(/^[0-9a-f-]{36}$/);
      expect(claims.exp).toMatch(/^\d+$/);
      expect(claims.iat).toMatch(/^\d+$/);
      for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    });

    it('leaves out cognito:groups when the token has none, and the authorizer on open routes', async () => {
      const plain = await signLocalToken(secret, { accountId: 'acct-2' });
      await get('/v1/invoices/inv-1', { authorization: `Bearer ${plain}` });
      expect(lambda.last?.event.requestContext.authorizer?.claims).not.toHaveProperty('cognito:groups');

      await fetch(`${api.url}/v1/cookies`);
      expect(lambda.last?.event.requestContext.authorizer).toBeUndefined();
    });
  });

  describe('proxy event', () => {
    it('has the REST API payload 1.0 shape', async () => {
      await fetch(`${api.url}/v1/invoices/inv-1?limit=10&status=a&status=b&q=%E5%8F%91+x`, {
        headers: { authorization: `Bearer ${token}`, 'X-Custom-Header': 'v1' },
      });
      const event = lambda.last!.event;
      expect(event).toMatchObject({
        resource: '/v1/invoices/{invoiceId}',
        path: '/v1/invoices/inv-1',
        httpMethod: 'GET',
        queryStringParameters: { limit: '10', status: 'b', q: '发 x' },
        multiValueQueryStringParameters: { limit: ['10'], status: ['a', 'b'], q: ['发 x'] },
        pathParameters: { invoiceId: 'inv-1' },
        stageVariables: null,
        body: null,
        isBase64Encoded: false,
        requestContext: {
          resourcePath: '/v1/invoices/{invoiceId}',
          httpMethod: 'GET',
          path: '/local/v1/invoices/inv-1',
          stage: 'local',
          identity: { sourceIp: '127.0.0.1' },
        },
      });
      expect(event.headers['X-Custom-Header']).toBe('v1');
      expect(event.multiValueHeaders['X-Custom-Header']).toEqual(['v1']);
      expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(Math.abs(event.requestContext.requestTimeEpoch - Date.now())).toBeLessThan(5_000);
    });

    it('has null query parameters when there are none, and a text body as is', async () => {
      await fetch(`${api.url}/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"name":"发票"}',
      });
      const event = lambda.last!.event;
      expect(event.queryStringParameters).toBeNull();
      expect(event.multiValueQueryStringParameters).toBeNull();
      expect(event.pathParameters).toBeNull();
      expect(event.body).toBe('{"name":"发票"}');
      expect(event.isBase64Encoded).toBe(false);
    });

    it('base64-encodes request bodies of the binary media types, byte for byte', async () => {
      await fetch(`${api.url}/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/pdf' },
        body: pdfBytes,
      });
      const event = lambda.last!.event;
      expect(event.isBase64Encoded).toBe(true);
      expect(Buffer.from(event.body!, 'base64')).toEqual(pdfBytes);

      const notUtf8 = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
      await fetch(`${api.url}/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'Image/PNG; x=1' },
        body: notUtf8,
      });
      expect(lambda.last!.event.isBase64Encoded).toBe(true);
      expect(Buffer.from(lambda.last!.event.body!, 'base64')).toEqual(notUtf8);
    });

    it('hands any other body over as text decoded from UTF-8, as API Gateway does', async () => {
      await fetch(`${api.url}/v1/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from('发票', 'utf8'),
      });
      expect(lambda.last!.event.isBase64Encoded).toBe(false);
      expect(lambda.last!.event.body).toBe('发票');
    });
  });

  describe('binary media types', () => {
    it('match on the media type, parameters and case aside, with * for any type or subtype', () => {
      const types = ['application/pdf', 'application/json', 'image/*'];
      expect(isBinaryMediaType('application/json', types)).toBe(true);
      expect(isBinaryMediaType('Application/JSON; charset=utf-8', types)).toBe(true);
      expect(isBinaryMediaType('image/png', types)).toBe(true);
      expect(isBinaryMediaType('application/merge-patch+json', types)).toBe(false);
      expect(isBinaryMediaType('text/plain', types)).toBe(false);
      expect(isBinaryMediaType(undefined, types)).toBe(false);
      expect(isBinaryMediaType('text/plain', ['*/*'])).toBe(true);
      expect(isBinaryMediaType(undefined, ['*/*'])).toBe(false);
      expect(isBinaryMediaType('application/json', [])).toBe(false);
    });
  });

  describe('proxy result', () => {
    it('decodes base64 bodies to binary', async () => {
      const response = await get('/v1/invoices/inv-1/pdf');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await response.arrayBuffer())).toEqual(pdfBytes);
    });

    it('merges headers and multiValueHeaders, multiValueHeaders winning', async () => {
      const response = await fetch(`${api.url}/v1/cookies`);
      expect(response.status).toBe(204);
      expect(response.headers.get('x-single')).toBe('one');
      expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    });

    it('hides an unhandled Lambda error behind 502 INTERNAL', async () => {
      const response = await fetch(`${api.url}/v1/boom`);
      expect(response.status).toBe(502);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ status: 502, code: 'INTERNAL' });
      expect(text).not.toContain('secret internal detail');
      expect(text).not.toContain('TypeError');
    });
  });

  it('answers 413 for bodies over 10 MB without invoking the Lambda', async () => {
    const response = await fetch(`${api.url}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ status: 413 });
    expect(lambda.calls).toHaveLength(0);

    const atLimit = await fetch(`${api.url}/v1/upload`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024),
    });
    expect(atLimit.status).toBe(200);
  });

  it('serves the OpenAPI document', async () => {
    const response = await fetch(`${api.url}/openapi.json`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ openapi: '3.1.0' });
  });
});

/** The shape readTemplate gives the WebACL's per-caller rule, with a small limit. */
const writesPerCaller: LocalRateLimit = {
  name: 'writes-per-caller',
  limit: 3,
  windowSeconds: 60,
  keyHeaders: ['authorization'],
  methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  response: {
    status: 429,
    headers: { 'Retry-After': '60' },
    contentType: 'application/json',
    body: JSON.stringify({
      type: 'about:blank',
      title: 'Too Many Requests',
      status: 429,
      code: 'RATE_LIMITED',
    }),
  },
};

describe('local API gateway: the firewall rate limits of the template', () => {
  const lambda = new FakeLambda();
  let api: LocalApiGateway;

  beforeAll(async () => {
    api = await startApiGateway({
      port: 0,
      routes,
      lambda,
      jwtSecret: secret,
      quiet: true,
      rateLimits: [writesPerCaller],
    });
  });
  afterAll(() => api.close());

  it('blocks a caller past the limit with the rule response, before any Lambda; others and reads pass', async () => {
    const alice = `Bearer ${await signLocalToken(secret, { accountId: 'alice' })}`;
    const bob = `Bearer ${await signLocalToken(secret, { accountId: 'bob' })}`;
    const post = (authorization?: string) =>
      fetch(`${api.url}/v1/invoices/inv-1/receipt`, {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      });

    const allowed = [await post(alice), await post(alice), await post(alice)];
    lambda.calls = [];
    const blocked = await post(alice);
    const blockedCalls = lambda.calls.length;
    const read = await fetch(`${api.url}/v1/invoices/inv-1`, { headers: { authorization: alice } });
    const other = await post(bob);
    const anonymous = await Promise.all([post(), post(), post(), post()]);

    expect(allowed.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    expect(blocked.headers.get('content-type')).toBe('application/json');
    expect(await blocked.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    expect(blockedCalls).toBe(0);
    expect(read.status).toBe(200);
    expect(other.status).toBe(200);
    // Without the key header a request is not counted: the authorizer answers it.
    expect(anonymous.map((r) => r.status)).toEqual([401, 401, 401, 401]);
  });
});

describe('createRateLimiter', () => {
  it('counts per key over a sliding window; a blocked request does not count', () => {
    let now = 0;
    const check = createRateLimiter([writesPerCaller], () => now);
    const a = { authorization: 'a' };
    const hits = (n: number, headers = a, method = 'POST') =>
      Array.from({ length: n }, () => check(method, headers)?.name ?? 'pass');

    expect(hits(3)).toEqual(['pass', 'pass', 'pass']);
    now = 30_000;
    expect(hits(2)).toEqual(['writes-per-caller', 'writes-per-caller']);
    expect(hits(2, a, 'GET')).toEqual(['pass', 'pass']);
    expect(hits(1, { authorization: 'b' })).toEqual(['pass']);
    // The first three leave the window 60 s after they were counted; the blocked ones never counted.
    now = 59_999;
    expect(hits(1)).toEqual(['writes-per-caller']);
    now = 60_000;
    expect(hits(4)).toEqual(['pass', 'pass', 'pass', 'writes-per-caller']);
  });
});
