import { isIP } from 'node:net';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import {
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
} from '@smithy/core/retry';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Signed requests to the AWS services the functions call besides DynamoDB: Step Functions
 * (AWS JSON 1.0), SESv2 (REST-JSON) and S3 (REST-XML), a handful of operations in all.
 *
 * Each of their SDK clients costs a function 65–80 KB (S3: ≈ 80 KB more than DynamoDB's
 * client alone), while every function already bundles what a request needs through the
 * DynamoDB client: the SigV4 signer, the Node HTTP handler, the environment credentials and
 * the standard retry strategy. This module puts those parts together for a few KB (the bundle
 * budget, docs/DESIGN.md) and behaves as the clients did for our calls:
 *
 * - Endpoints: `AWS_ENDPOINT_URL_<SERVICE>` (then `AWS_ENDPOINT_URL`) when set, as the local
 *   stack sets them; otherwise the service's regional endpoint (`.amazonaws.com.cn` in China).
 * - Credentials from the environment, as Lambda provides them (infra/aws-credentials-shim.mjs).
 * - Retries as the SDK's standard mode: 3 attempts, exponential backoff with jitter, a retry
 *   quota; throttling, transient (timeouts, 500/502/503/504, connection errors) and 5xx errors.
 * - Errors: an `AwsServiceError` whose `name` is the service's error code, from the
 *   `x-amzn-ErrorType` header, the JSON `__type`/`code`, or the XML `<Code>` (a HEAD answer
 *   has no body: then the status names it, as the SDK does), so callers test `error.name`.
 */

/** How one service is reached and signed. */
export interface AwsService {
  /** SigV4 signing name (`states`, `ses`, `s3`). */
  signingName: string;
  /** The service id of `AWS_ENDPOINT_URL_<ID>` (`SFN`, `SESV2`, `S3`). */
  endpointId: string;
  /** The regional endpoint's host prefix (`states`, `email`, `s3`). */
  hostPrefix: string;
  /** S3: the path is not escaped twice, and the payload hash travels as x-amz-content-sha256. */
  s3?: boolean;
}

export interface AwsRequestInput {
  method: 'GET' | 'PUT' | 'POST' | 'HEAD' | 'DELETE';
  /** Already percent-encoded, starting with `/`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** S3 virtual-hosted style: the bucket goes in front of the endpoint's host. */
  hostPrefix?: string;
}

export interface AwsResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** A service's error answer, shaped like the SDK's ServiceException (name, $fault, $metadata). */
export class AwsServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };
  /** For the retry strategy's Retry-After hint. */
  readonly $response: AwsResponse;

  constructor(name: string, message: string, response: AwsResponse) {
    super(message || name);
    this.name = name;
    this.$fault = response.statusCode >= 500 ? 'server' : 'client';
    this.$metadata = {
      httpStatusCode: response.statusCode,
      requestId: response.headers['x-amzn-requestid'] ?? response.headers['x-amz-request-id'],
    };
    this.$response = response;
  }
}

/** The credentials the functions sign with: the environment's (Lambda's role session). */
export const credentials = fromEnv();

export function region(): string {
  const value = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!value) throw new Error('AWS_REGION is not set');
  return value;
}

/** The endpoint of a service (scheme, host, port), as the SDK resolves it for our settings. */
export function endpointOf(service: AwsService): URL {
  const configured = process.env[`AWS_ENDPOINT_URL_${service.endpointId}`] ?? process.env.AWS_ENDPOINT_URL;
  if (configured) return new URL(configured);
  const r = region();
  return new URL(`https://${service.hostPrefix}.${r}.amazonaws.com${r.startsWith('cn-') ? '.cn' : ''}`);
}

/**
 * Where an S3 object lives: virtual-hosted style (`bucket.s3.<region>…/key`), or path style
 * (`…/bucket/key`) when the endpoint is an IP address or the bucket name is no DNS label, as
 * the SDK decides. The key is percent-encoded per segment.
 */
export function s3Location(
  service: AwsService,
  bucket: string,
  key: string,
): { endpoint: URL; hostPrefix?: string; path: string } {
  const endpoint = endpointOf(service);
  const encodedKey = key.split('/').map(encodeURIComponent).join('/');
  const pathStyle =
    isIP(endpoint.hostname.replace(/^\[|\]$/g, '')) !== 0 ||
    !/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
  return pathStyle
    ? { endpoint, path: `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/${encodedKey}` }
    : { endpoint, hostPrefix: bucket, path: `/${encodedKey}` };
}

const handler = new NodeHttpHandler();

/** A client for one service: signs, sends, retries, and turns error answers into errors. */
export function awsClient(service: AwsService): (input: AwsRequestInput) => Promise<AwsResponse> {
  let signer: SignatureV4 | undefined;
  const retries = new StandardRetryStrategy(3);
  return async (input) => {
    signer ??= new SignatureV4({
      credentials,
      region: region(),
      service: service.signingName,
      sha256: Sha256,
      uriEscapePath: !service.s3,
      applyChecksum: service.s3 === true,
    });
    const endpoint = endpointOf(service);
    let token = await retries.acquireInitialRetryToken('');
    for (;;) {
      try {
        const request = new HttpRequest({
          protocol: endpoint.protocol,
          hostname: input.hostPrefix ? `${input.hostPrefix}.${endpoint.hostname}` : endpoint.hostname,
          port: endpoint.port ? Number(endpoint.port) : undefined,
          method: input.method,
          path: input.path,
          query: input.query ?? {},
          headers: {
            host: `${input.hostPrefix ? `${input.hostPrefix}.` : ''}${endpoint.host}`,
            ...input.headers,
            ...(input.body !== undefined ? { 'content-length': String(Buffer.byteLength(input.body)) } : {}),
          },
          body: input.body,
        });
        const signed = await signer.sign(request);
        const { response } = await handler.handle(signed as HttpRequest);
        const answer: AwsResponse = {
          statusCode: response.statusCode,
          headers: lowerCase(response.headers),
          body: await collect(response.body),
        };
        if (answer.statusCode >= 300) throw errorOf(answer);
        retries.recordSuccess(token);
        return answer;
      } catch (error) {
        const failure = error as Parameters<typeof isTransientError>[0];
        try {
          token = await retries.refreshRetryTokenForRetry(token, {
            errorType: isThrottlingError(failure)
              ? 'THROTTLING'
              : isTransientError(failure)
                ? 'TRANSIENT'
                : isServerError(failure)
                  ? 'SERVER_ERROR'
                  : 'CLIENT_ERROR',
          });
        } catch {
          throw error;
        }
      }
    }
  };
}

/** The service's error code and message from its answer (JSON or XML body, or the header). */
export function errorOf(response: AwsResponse): AwsServiceError {
  const text = Buffer.from(response.body).toString('utf8');
  let code = response.headers['x-amzn-errortype'];
  let message = '';
  if (text.trimStart().startsWith('<')) {
    code ??= /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
  } else if (text.trim() !== '') {
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      code ??= String(json.__type ?? json.code ?? json.Code ?? '') || undefined;
      message = String(json.message ?? json.Message ?? '');
    } catch {
      message = text.slice(0, 200);
    }
  }
  // `aws.protocols#…#Code:http://…` → `Code` (the SDK's sanitizeErrorCode).
  const name = code?.split(':')[0]?.split('#').pop() || statusName(response.statusCode);
  return new AwsServiceError(name, message, response);
}

function statusName(status: number): string {
  if (status === 304) return 'NotModified';
  if (status === 403) return 'Forbidden';
  if (status === 404) return 'NotFound';
  if (status === 412) return 'PreconditionFailed';
  return `Http${status}`;
}

function lowerCase(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return result;
}

async function collect(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer | string>)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}
