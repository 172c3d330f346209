import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { api, json } from '#http/handler';
import { API_FUNCTIONS, ROUTES } from '#http/routes/index';
import type { RouteGroup } from '#http/routes/route';
import * as z from '#schemas/zod';
import { SETTINGS } from '../../infra/environment.ts';

// A function's handler as functions/api/*.ts builds one: the routes' contract comes from the group.
const ThingPath = z.object({ thingId: z.string().check(z.regex(/^t_\w+$/)) });
const GROUP = {
  listThings: {
    method: 'GET',
    path: '/v1/things',
    uses: ['table-read'],
    summary: 'Things',
    query: z.object({ limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(10))) }),
    ok: { status: 200 },
    errors: [],
  },
  exportThings: {
    method: 'GET',
    path: '/v1/things/export.csv',
    uses: ['table-read'],
    summary: 'Things as CSV',
    ok: { status: 200, contentType: 'text/csv; charset=utf-8' },
    errors: [],
  },
  getThing: {
    method: 'GET',
    path: '/v1/things/{thingId}',
    uses: ['table-read'],
    summary: 'One thing',
    pathParams: ThingPath,
    ok: { status: 200 },
    errors: ['NOT_FOUND'],
  },
  putThing: {
    method: 'PUT',
    path: '/v1/things/{thingId}',
    uses: ['table-write'],
    summary: 'Change a thing',
    group: 'finance',
    pathParams: ThingPath,
    body: z.object({ name: z.string().check(z.minLength(1)) }),
    ok: { status: 200 },
    errors: [],
  },
  createThing: {
    method: 'POST',
    path: '/v1/things',
    uses: ['table-write'],
    summary: 'Add a thing',
    body: z.object({ name: z.string().check(z.minLength(1)) }),
    idempotent: true,
    ok: { status: 201 },
    errors: [],
  },
  touchThing: {
    method: 'POST',
    path: '/v1/things/{thingId}/touch',
    uses: ['table-write'],
    summary: 'No body',
    pathParams: ThingPath,
    ok: { status: 204 },
    errors: [],
  },
} satisfies RouteGroup;

const handler = api(GROUP, {
  listThings: async ({ accountId, query }) =>
    json(200, { route: 'listThings', accountId, limit: query.limit }),
  exportThings: async () => ({
    statusCode: 200,
    headers: { 'content-disposition': 'attachment; filename="things.csv"' },
    text: { contentType: 'text/csv; charset=utf-8', data: 'a,b\n1,"x"\n' },
  }),
  getThing: async ({ path }) => json(200, { route: 'getThing', thingId: path.thingId }),
  putThing: async ({ accountId, path, body }) => json(200, { route: 'putThing', accountId, path, body }),
  createThing: async ({ body, headers }) =>
    json(201, { route: 'createThing', name: body.name, key: headers['idempotency-key'] }),
  touchThing: async () => json(204, undefined),
});

function event(
  method: string,
  path: string,
  options: {
    claims?: Record<string, string>;
    body?: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    pathParameters?: Record<string, string>;
  } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    headers: options.headers ?? {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      authorizer: { claims: options.claims ?? { 'custom:accountId': 'acct-1' } },
    } as never,
    body: options.body ?? null,
    isBase64Encoded: false,
  };
}

const call = async (e: APIGatewayProxyEvent) => {
  const response = (await handler(e, {} as Context)) as APIGatewayProxyResult;
  const type = String(response.headers?.['content-type'] ?? '');
  return {
    ...response,
    type,
    json: type.includes('json') && response.body ? JSON.parse(response.body) : undefined,
  };
};
const FINANCE = { 'cognito:groups': 'finance' };

describe('API function handler (@middy/http-router over the route table)', () => {
  it('routes by method and path, a literal segment before a parameter', async () => {
    // Act
    const list = await call(event('GET', '/v1/things', { query: { limit: '3' } }));
    const csv = await call(event('GET', '/v1/things/export.csv'));
    const one = await call(event('GET', '/v1/things/t_1', { pathParameters: { thingId: 't_1' } }));
    const put = await call(
      event('PUT', '/v1/things/t_1', {
        claims: FINANCE,
        pathParameters: { thingId: 't_1' },
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"n"}',
      }),
    );

    // Assess
    expect(list.json).toEqual({ route: 'listThings', accountId: 'acct-1', limit: 3 });
    expect(csv.statusCode).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.body).toBe('a,b\n1,"x"\n');
    expect(csv.headers?.['content-disposition']).toBe('attachment; filename="things.csv"');
    expect(one.json).toEqual({ route: 'getThing', thingId: 't_1' });
    expect(put.json).toEqual({
      route: 'putThing',
      accountId: '',
      path: { thingId: 't_1' },
      body: { name: 'n' },
    });
  });

  it('takes path parameters from the path when the event has none (a direct invocation)', async () => {
    const one = await call(event('GET', '/v1/things/t_2'));
    expect(one.json).toEqual({ route: 'getThing', thingId: 't_2' });
  });

  it('checks each route’s access rule: customer routes need an account, group routes the group', async () => {
    // Act
    const staffOnCustomerRoute = await call(event('GET', '/v1/things', { claims: FINANCE }));
    const customerOnFinanceRoute = await call(
      event('PUT', '/v1/things/t_1', {
        pathParameters: { thingId: 't_1' },
        headers: { 'Content-Type': 'application/json' },
        body: '{"name":"n"}',
      }),
    );
    const noClaims = await call({ ...event('GET', '/v1/things'), requestContext: {} as never });

    // Assess
    expect([staffOnCustomerRoute.statusCode, staffOnCustomerRoute.json.code]).toEqual([403, 'FORBIDDEN']);
    expect([customerOnFinanceRoute.statusCode, customerOnFinanceRoute.json.code]).toEqual([403, 'FORBIDDEN']);
    expect([noClaims.statusCode, noClaims.json.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect(noClaims.type).toBe('application/problem+json');
  });

  it('validates each route’s path, query, body and idempotency header against its entry', async () => {
    // Act
    const badPath = await call(event('GET', '/v1/things/x', { pathParameters: { thingId: 'x' } }));
    const badQuery = await call(event('GET', '/v1/things', { query: { limit: '99' } }));
    const badBody = await call(
      event('POST', '/v1/things', { headers: { 'Content-Type': 'application/json' }, body: '{"name":""}' }),
    );
    const notJson = await call(
      event('POST', '/v1/things', { headers: { 'Content-Type': 'text/plain' }, body: 'x' }),
    );
    const badKey = await call(
      event('POST', '/v1/things', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k'.repeat(256) },
        body: '{"name":"n"}',
      }),
    );
    const created = await call(
      event('POST', '/v1/things', {
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1' },
        body: '{"name":"n"}',
      }),
    );

    // Assess
    for (const [response, where] of [
      [badPath, 'path.thingId'],
      [badQuery, 'query.limit'],
      [badBody, 'body.name'],
      [badKey, 'header.idempotency-key'],
    ] as const) {
      expect(response.statusCode, where).toBe(400);
      expect(response.json.code).toBe('VALIDATION_FAILED');
      expect(response.json.errors.map((e: { path: string }) => e.path)).toEqual([where]);
    }
    expect([notJson.statusCode, notJson.json.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect([created.statusCode, created.json]).toEqual([
      201,
      { route: 'createThing', name: 'n', key: 'k-1' },
    ]);
  });

  it('decodes a base64 body strictly: bytes that are not UTF-8 are refused, never turned into U+FFFD', async () => {
    // Arrange
    const base64 = (bytes: Buffer) => ({
      ...event('POST', '/v1/things', { headers: { 'content-type': 'application/json; charset=utf-8' } }),
      body: bytes.toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const chinese = await call(base64(Buffer.from('{"name":"发票"}', 'utf8')));
    const invalid = await call(
      base64(Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff]), Buffer.from('"}')])),
    );
    const overlong = await call(
      base64(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d])),
    );
    const cesu = await call(
      base64(Buffer.from([...Buffer.from('{"name":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')])),
    );
    const otherType = await call({
      ...event('POST', '/v1/things', { headers: { 'content-type': 'application/merge-patch+json' } }),
      body: '{"name":"n"}',
    });

    // Assess
    expect([chinese.statusCode, chinese.json.name]).toEqual([201, '发票']);
    for (const response of [invalid, overlong, cesu]) {
      expect(response.statusCode).toBe(400);
      expect(response.json).toMatchObject({
        code: 'VALIDATION_FAILED',
        errors: [{ path: 'body', message: 'must be UTF-8 text' }],
      });
    }
    expect([otherType.statusCode, otherType.json.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('parses a body only on routes that declare one: a body-less POST needs no content type', async () => {
    const touched = await call(event('POST', '/v1/things/t_1/touch', { pathParameters: { thingId: 't_1' } }));
    expect(touched.statusCode).toBe(204);
  });

  it('answers a method or path the function does not serve with 404 problem+json', async () => {
    // Act
    const unknownPath = await call(event('GET', '/v1/other'));
    const unknownMethod = await call(event('DELETE', '/v1/things'));

    // Assess
    for (const response of [unknownPath, unknownMethod]) {
      expect(response.statusCode).toBe(404);
      expect(response.type).toBe('application/problem+json');
      expect(response.json.code).toBe('NOT_FOUND');
    }
  });

  it('adds the security headers to answers and errors alike', async () => {
    const ok = await call(event('GET', '/v1/things'));
    const error = await call(event('GET', '/v1/other'));
    for (const response of [ok, error]) {
      expect(response.headers).toMatchObject({
        'Strict-Transport-Security': 'max-age=15552000; includeSubDomains; preload',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'X-Permitted-Cross-Domain-Policies': 'none',
      });
      expect(response.headers).not.toHaveProperty('Server');
    }
  });
});

describe('functions/api: each entry serves exactly its group of the route table', () => {
  it.each(API_FUNCTIONS.map((fn) => [fn.name, fn] as const))('%s', async (_, fn) => {
    // Prepare: module-level config reads its variables on import; no request gets past auth
    for (const name of SETTINGS) vi.stubEnv(name, name === 'INVOICING_ENTITIES' ? '[]' : `test-${name}`);
    const { handler: entry } = (await import(`../../${fn.entry}`)) as { handler: typeof handler };
    const send = async (route: (typeof ROUTES)[number]) => {
      const e = event(route.method, route.path.replace(/\{(\w+)\}/g, 'x_$1'), {
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      const response = (await entry(
        { ...e, requestContext: {} as never },
        {} as Context,
      )) as APIGatewayProxyResult;
      return JSON.parse(response.body).code as string;
    };

    // Act, Assess: its own routes are routed (the missing token is the answer), others are not found
    const own = Object.values(fn.routes);
    for (const route of own) expect(await send(route), route.path).toBe('UNAUTHENTICATED');
    const others = ROUTES.filter((r) => !own.includes(r));
    for (const route of others) expect(await send(route), route.path).toBe('NOT_FOUND');
  });
});

describe('correlation id (issue 16): one per request, in the logs, the response and every problem', () => {
  const withRequestId = (e: APIGatewayProxyEvent, requestId: string) => ({
    ...e,
    requestContext: { ...e.requestContext, requestId } as never,
  });
  const logLines = async (act: () => Promise<unknown>) => {
    const lines: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      }),
    );
    try {
      await act();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    return lines;
  };

  it('takes a well-formed X-Correlation-Id and answers with it, on success and in a problem’s instance', async () => {
    // Act
    const ok = await call(
      withRequestId(
        event('GET', '/v1/things', { headers: { 'X-Correlation-Id': 'ticket-4711.a:b' } }),
        'req-1',
      ),
    );
    const notFound = await call(
      withRequestId(
        event('GET', '/v1/things/x', { headers: { 'x-correlation-id': 'ticket-4712' } }),
        'req-2',
      ),
    );

    // Assess
    expect(ok.statusCode).toBe(200);
    expect(ok.headers?.['x-correlation-id']).toBe('ticket-4711.a:b');
    expect(notFound.statusCode).toBe(400);
    expect(notFound.headers?.['x-correlation-id']).toBe('ticket-4712');
    expect(notFound.json.instance).toBe('urn:invoice-service:correlation:ticket-4712');
  });

  it('uses API Gateway’s request id when none is sent', async () => {
    const forbidden = await call(withRequestId(event('GET', '/v1/things', { claims: FINANCE }), 'c0ffee-1'));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.headers?.['x-correlation-id']).toBe('c0ffee-1');
    expect(forbidden.json.instance).toBe('urn:invoice-service:correlation:c0ffee-1');
  });

  it.each([
    ['with a space', 'a b'],
    ['with a line break (header injection)', 'a\r\nBcc: x@example.com'],
    ['too long', 'a'.repeat(129)],
    ['starting with a dash', '-a'],
  ])('refuses one %s: 400 VALIDATION_FAILED under the request id', async (_, given) => {
    const refused = await call(
      withRequestId(event('GET', '/v1/things', { headers: { 'X-Correlation-Id': given } }), 'req-bad'),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'header.x-correlation-id' }],
      instance: 'urn:invoice-service:correlation:req-bad',
    });
    expect(refused.headers?.['x-correlation-id']).toBe('req-bad');
  });

  it('puts it on every log line of the request, and not on the next request’s', async () => {
    // Act: an unexpected error is logged by the problem mapper
    const boom = async () => {
      throw new Error('boom');
    };
    const failing = api(GROUP, {
      listThings: boom,
      exportThings: boom,
      getThing: boom,
      putThing: boom,
      createThing: boom,
      touchThing: boom,
    });
    const lines = await logLines(async () => {
      await failing(
        withRequestId(event('GET', '/v1/things', { headers: { 'X-Correlation-Id': 'trace-me' } }), 'r-1'),
        {} as Context,
      );
      await failing(withRequestId(event('GET', '/v1/things'), 'r-2'), {} as Context);
    });

    // Assess
    const logged = lines.filter((l) => l.includes('unhandled error')).map((l) => JSON.parse(l));
    expect(logged.map((l) => l.correlation_id)).toEqual(['trace-me', 'r-2']);
  });
});
