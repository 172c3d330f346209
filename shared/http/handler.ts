import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logger } from '#adapters/logger';
import { DomainError, ValidationError } from '#domain/errors';
import { type Group, type Principal, principalOf, requireCustomer, requireGroup } from '#http/principal';
import { PROBLEM_CONTENT_TYPE, toProblem } from '#http/problem';
import type * as z from '#schemas/zod';

export type Access = 'customer' | Group;

export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Binary bodies (PDFs) go out base64-encoded, as API Gateway expects. */
  binary?: { contentType: string; data: Uint8Array };
}

export interface RouteRequest<B, Q, P> {
  principal: Principal;
  accountId: string;
  body: B;
  query: Q;
  path: P;
  headers: Record<string, string | undefined>;
  now: Date;
}

export interface RouteOptions<B, Q, P> {
  access: Access;
  body?: z.ZodMiniType<B>;
  query?: z.ZodMiniType<Q>;
  path?: z.ZodMiniType<P>;
  /** Validates the (lower-cased) headers; the handler still reads them from `headers`. */
  headers?: z.ZodMiniType<unknown>;
}

/**
 * The one middy chain every API handler uses, in the house order: logger context → header
 * normalizer → JSON body parser → auth and schema validation → security headers → error
 * mapper, registered last so it sees every error (middy runs onError in reverse order).
 */
export function route<B = undefined, Q = undefined, P = undefined>(
  options: RouteOptions<B, Q, P>,
  run: (request: RouteRequest<B, Q, P>) => Promise<HttpResult>,
) {
  const core = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const principal = principalOf(event);
    let accountId = '';
    if (options.access === 'customer') accountId = requireCustomer(principal).accountId;
    else requireGroup(principal, options.access);
    const body = validate(options.body, event.body ?? undefined, 'body');
    const query = validate(options.query, event.queryStringParameters ?? {}, 'query');
    const path = validate(options.path, event.pathParameters ?? {}, 'path');
    validate(options.headers, event.headers ?? {}, 'header');
    const result = await run({
      principal,
      accountId,
      body,
      query,
      path,
      headers: event.headers as Record<string, string | undefined>,
      now: new Date(),
    });
    return toProxyResult(result);
  };

  const chain = middy<APIGatewayProxyEvent, APIGatewayProxyResult>(core)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer());
  if (options.body) chain.use(httpJsonBodyParser({ disableContentTypeError: false }));
  return chain.use(httpSecurityHeaders()).use(problemMapper());
}

function validate<T>(
  schema: z.ZodMiniType<T> | undefined,
  value: unknown,
  where: 'body' | 'query' | 'path' | 'header',
): T {
  if (!schema) return undefined as T;
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
  return {
    statusCode: result.statusCode,
    headers: { 'content-type': 'application/json', ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** Maps every error to problem+json; unknown errors become a bare 500 and are logged, not shown. */
function problemMapper(): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> {
  return {
    onError: async (request) => {
      const error = request.error;
      let problem = toProblem(error);
      if (!(error instanceof DomainError)) {
        const status = (error as { statusCode?: number } | null)?.statusCode;
        if (status === 415 || status === 422 || status === 400) {
          // The JSON body parser's errors: wrong content type or malformed JSON.
          problem = toProblem(
            new ValidationError('The body must be a JSON document sent as application/json.'),
          );
        } else {
          logger.error('unhandled error', { error: error as Error });
        }
      } else if (problem.status >= 500) {
        logger.error('domain error mapped to 5xx', { code: problem.code });
      }
      request.response = {
        ...(request.response ?? {}),
        statusCode: problem.status,
        headers: { ...(request.response?.headers ?? {}), 'content-type': PROBLEM_CONTENT_TYPE },
        body: JSON.stringify(problem),
      };
    },
  };
}
