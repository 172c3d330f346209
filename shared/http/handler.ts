import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { CORRELATION_ID, correlationId, logger } from '#adapters/logger';
import { DomainError, NotFoundError, ValidationError } from '#domain/errors';
import { type Group, type Principal, principalOf, requireCustomer, requireGroup } from '#http/principal';
import { PROBLEM_CONTENT_TYPE, problemInstance, toProblem } from '#http/problem';
import type { Route, RouteGroup } from '#http/routes/route';
import { IdempotencyHeaders } from '#schemas/common';
import type * as z from '#schemas/zod';

export type Access = 'customer' | Group;

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Binary bodies (PDFs) go out base64-encoded, as API Gateway expects. */
  binary?: { contentType: string; data: Uint8Array };
  /** Text bodies (CSV) go out as the text itself, so API Gateway needs no binary type for them. */
  text?: { contentType: string; data: string };
}

/** What a route's schema yields once validated; undefined where the route declares none. */
type Parsed<R, K extends string> = R extends { [P in K]: infer S extends z.ZodMiniType }
  ? z.output<S>
  : undefined;

export interface RouteRequest<R extends Route> {
  principal: Principal;
  /** The caller's account on customer routes; '' on group routes. */
  accountId: string;
  body: Parsed<R, 'body'>;
  query: Parsed<R, 'query'>;
  path: Parsed<R, 'pathParams'>;
  headers: Record<string, string | undefined>;
  now: Date;
  /** The request's correlation id (X-Correlation-Id, or API Gateway's request id). */
  correlationId: string;
}

/** One implementation per route of the group, and no other (checked by the compiler). */
export type Implementations<G extends RouteGroup> = {
  [K in keyof G]: (request: RouteRequest<G[K]>) => Promise<HttpResult>;
};

/**
 * The Lambda handler of one API function: `@middy/http-router` picks the route by method and
 * path, and each route's access rule and schemas come from its entry in the route table, so
 * the contract is written once. The chain, in the house order: logger context → header
 * normalizer → (per route) strict UTF-8 decoding and the JSON body parser → auth and schema
 * validation → security headers → error mapper, registered last so it sees every error (middy
 * runs onError in reverse order).
 */
export function api<G extends RouteGroup>(routes: G, implementations: Implementations<G>) {
  const router = httpRouterHandler<APIGatewayProxyEvent, APIGatewayProxyResult>({
    routes: Object.entries(routes).map(([name, route]) => ({
      method: route.method,
      path: route.path,
      handler: routeHandler(route, implementations[name as keyof G] as Implementation),
    })),
    // API Gateway only sends the methods it has; this answers a direct invocation for another.
    notFoundResponse: ({ method, path }) => {
      throw new NotFoundError(`No route for ${method} ${path}.`);
    },
  });
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>(router)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(correlation())
    .use(securityHeaders())
    .use(problemMapper());
}

type Implementation = (request: RouteRequest<Route>) => Promise<HttpResult>;

/** One route: its access rule, then its inputs against its schemas, then the implementation. */
function routeHandler(route: Route, run: Implementation) {
  const access: Access = route.group ?? 'customer';
  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const principal = principalOf(event);
    let accountId = '';
    if (access === 'customer') accountId = requireCustomer(principal).accountId;
    else requireGroup(principal, access);
    const body = validate(route.body, event.body ?? undefined, 'body');
    const query = validate(route.query, event.queryStringParameters ?? {}, 'query');
    const path = validate(route.pathParams, event.pathParameters ?? {}, 'path');
    if (route.idempotent) validate(IdempotencyHeaders, event.headers ?? {}, 'header');
    const result = await run({
      principal,
      accountId,
      body,
      query,
      path,
      headers: event.headers as Record<string, string | undefined>,
      now: new Date(),
      correlationId: correlationId() ?? event.requestContext?.requestId ?? '',
    } as RouteRequest<Route>);
    return toProxyResult(result);
  };
  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(core);
  // Only routes with a body parse one: a body-less POST needs no content type.
  if (route.body) chain.use(strictJsonBody()).use(httpJsonBodyParser({ disableContentTypeError: false }));
  return chain;
}

const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;
const NOT_JSON = 'The body must be a JSON document sent as application/json.';
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes the body strictly before the JSON body parser sees it. API Gateway hands over
 * application/json bodies as bytes (base64, `isBase64Encoded`: application/json is one of the
 * API's binary media types, infra/constructs/api.ts), so bytes that are not UTF-8 are refused
 * here instead of becoming U+FFFD. Other content types are refused too: they would arrive as
 * text already decoded by the gateway, leniently.
 */
function strictJsonBody(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const headers = event.headers ?? {};
      if (!JSON_CONTENT_TYPE.test(headers['content-type'] ?? headers['Content-Type'] ?? '')) {
        throw new ValidationError(NOT_JSON);
      }
      if (!event.isBase64Encoded || typeof event.body !== 'string') return;
      let body: string;
      try {
        body = UTF8.decode(Buffer.from(event.body, 'base64'));
      } catch {
        throw new ValidationError('The body is not valid UTF-8.', [
          { path: 'body', message: 'must be UTF-8 text' },
        ]);
      }
      event.body = body;
      event.isBase64Encoded = false;
    },
  };
}

function validate(
  schema: z.ZodMiniType | undefined,
  value: unknown,
  where: 'body' | 'query' | 'path' | 'header',
): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    `The ${where} does not match the schema.`,
    parsed.error.issues.map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
    })),
  );
}

export function json(statusCode: number, body: unknown, headers?: Record<string, string>): HttpResult {
  return { statusCode, body, headers };
}

function toProxyResult(result: HttpResult): APIGatewayProxyResult {
  if (result.binary) {
    return {
      statusCode: result.statusCode,
      headers: { 'content-type': result.binary.contentType, ...result.headers },
      body: Buffer.from(result.binary.data).toString('base64'),
      isBase64Encoded: true,
    };
  }
  if (result.text) {
    return {
      statusCode: result.statusCode,
      headers: { 'content-type': result.text.contentType, ...result.headers },
      body: result.text.data,
    };
  }
  return {
    statusCode: result.statusCode,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * One correlation id per request, in every log line (`correlation_id`), on the response
 * (X-Correlation-Id) and in every problem+json (`instance`): the caller's X-Correlation-Id when
 * it is well-formed, otherwise API Gateway's request id. A malformed one is refused (400) under
 * the request id, so the refusal itself can be found. Applications keep it (the workflow, the
 * e-mails and the audit trail carry it on).
 */
function correlation(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    before: async (request) => {
      const event = request.event;
      const given = event.headers?.[CORRELATION_HEADER];
      const requestId = event.requestContext?.requestId || randomUUID();
      const valid = given !== undefined && CORRELATION_ID.test(given);
      logger.setCorrelationId(valid ? given : requestId);
      if (given !== undefined && !valid) {
        throw new ValidationError('The X-Correlation-Id header is not valid.', [
          {
            path: `header.${CORRELATION_HEADER}`,
            message: 'must be 1 to 128 letters, digits or . _ : - (starting with a letter or digit)',
          },
        ]);
      }
    },
    after: async (request) => {
      const id = correlationId();
      if (id && request.response) {
        request.response.headers = { ...(request.response.headers ?? {}), 'x-correlation-id': id };
      }
    },
  };
}

/** Maps every error to problem+json; unknown errors become a bare 500 and are logged, not shown. */
/**
 * The security headers of every answer, errors included: the set @middy/http-security-headers
 * gives a non-HTML response (the API answers JSON, CSV and PDF only; the console's HTML gets its
 * headers from CloudFront's response headers policy), written here because the package's HTML
 * machinery cost every API bundle 4 KB of its 300 KB budget. A header the answer sets wins.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains; preload',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'Origin-Agent-Cluster': '?1',
};

function securityHeaders(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  const add = async (request: middy.Request<APIGatewayProxyEvent, APIGatewayProxyResult>) => {
    if (!request.response) return;
    const { Server: _server, 'X-Powered-By': _poweredBy, ...own } = request.response.headers ?? {};
    request.response.headers = { ...SECURITY_HEADERS, ...own };
  };
  return { after: add, onError: add };
}

function problemMapper(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      let problem = toProblem(error);
      if (!(error instanceof DomainError)) {
        const status = (error as { statusCode?: number } | null)?.statusCode;
        if (status === 415 || status === 422 || status === 400) {
          // The JSON body parser's errors: wrong content type or malformed JSON.
          problem = toProblem(new ValidationError(NOT_JSON));
        } else {
          logger.error('unhandled error', { error: error as Error });
        }
      } else if (problem.status >= 500) {
        logger.error('domain error mapped to 5xx', { code: problem.code });
      }
      const id = correlationId() ?? request.event.requestContext?.requestId;
      if (id) problem = { ...problem, instance: problemInstance(id) };
      request.response = {
        ...(request.response ?? {}),
        statusCode: problem.status,
        headers: {
          ...(request.response?.headers ?? {}),
          'content-type': PROBLEM_CONTENT_TYPE,
          ...(id ? { 'x-correlation-id': id } : {}),
        },
        body: JSON.stringify(problem),
      };
    },
  };
}
