/**
 * Reaching the shared local stack from inside a test process: the use cases themselves (with
 * the environment the stack gives its functions), or the bundled Lambdas of the synthesized
 * template in a Lambda runtime of the test's own, with environment overrides (a dead endpoint,
 * another deployment setting). No JVM of its own: both talk to the shared stack's services.
 */
import { inject } from 'vitest';
import { API_FUNCTIONS } from '#http/routes/index';
import { createLambdaRuntime } from '../../scripts/local/lambda-runtime.ts';
import { cdkOutDir } from '../../scripts/local/synth.ts';
import { readTemplate } from '../../scripts/local/template.ts';
import type { LocalFunction } from '../../scripts/local/types.ts';
import './stack-context.ts';

/** An endpoint nothing listens on: a call to it fails at once (connection refused). */
export const DEAD_ENDPOINT = 'http://127.0.0.1:9';

let functions: LocalFunction[] | undefined;
const templateFunctions = () => {
  functions ??= readTemplate(cdkOutDir).functions;
  return functions;
};

/** The local endpoints, fake credentials and the tests' 2-second cancellation window; `overrides` win. */
function localEnvironment(overrides: Record<string, string>): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: inject('dynamodbEndpoint'),
    AWS_ENDPOINT_URL_SFN: inject('sfnEndpoint'),
    AWS_ENDPOINT_URL_S3: inject('s3Endpoint'),
    AWS_ENDPOINT_URL_SESV2: inject('sesUrl'),
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    CANCEL_WINDOW: 'PT2S',
    ...overrides,
  };
}

/**
 * What the stack gives its functions, together (each function gets only the variables it
 * reads, so the use cases of a test need the union), then the local environment.
 */
export function functionEnvironment(overrides: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = Object.assign({}, ...templateFunctions().map((fn) => fn.environment));
  if (!base.TABLE_NAME || !base.STATE_MACHINE_ARN)
    throw new Error('No function in the template has TABLE_NAME or STATE_MACHINE_ARN');
  return { ...base, ...localEnvironment(overrides) };
}

/**
 * Sets this process's environment for use cases imported afterwards (`await import(...)`):
 * shared/ modules read it when first loaded, and vitest loads them once per test file.
 */
export function useFunctionEnvironment(overrides: Record<string, string> = {}): void {
  Object.assign(process.env, functionEnvironment(overrides));
}

export interface BundledFunctions {
  /** Invokes the bundled function whose entry file is `entry` (e.g. "functions/workflow/start-pending.ts"). */
  invoke<T = any>(entry: string, event: unknown): Promise<T>;
  close(): Promise<void>;
}

/** The synthesized bundles, run in worker threads of this process: each its own environment, then the local one. */
export function bundledFunctions(overrides: Record<string, string> = {}): BundledFunctions {
  const all = templateFunctions();
  const runtime = createLambdaRuntime(all, { quiet: true, env: localEnvironment(overrides) });
  return {
    invoke: async (entry, event) => {
      const fn = all.find((f) => f.logicalId.startsWith(logicalIdPrefix(entry)));
      if (!fn) throw new Error(`No bundled function for ${entry}`);
      return (await runtime.invoke(fn.logicalId, event)) as never;
    },
    close: () => runtime.close(),
  };
}

/** The logical id prefix infra gives a function: API functions "Api" + their name, the sweeper and webhooks their construct's. */
function logicalIdPrefix(entry: string): string {
  if (entry === 'functions/workflow/start-pending.ts') return 'SweeperStartPending';
  // The webhooks function is built by its construct (infra/constructs/webhooks.ts).
  if (entry === 'functions/api/webhooks.ts') return 'WebhooksApiWebhooks';
  const api = API_FUNCTIONS.find((fn) => fn.entry === entry);
  if (!api) throw new Error(`${entry} is not an API function (shared/http/routes/index.ts)`);
  return `Api${api.name}`;
}

/** An API Gateway proxy event as the local gateway (and the Cognito authorizer) would pass it. */
export function proxyEvent(
  method: string,
  path: string,
  accountId: string,
  options: {
    body?: unknown;
    headers?: Record<string, string>;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
) {
  return {
    httpMethod: method,
    path,
    resource: path,
    headers: { 'content-type': 'application/json', ...options.headers },
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    requestContext: {
      httpMethod: method,
      path,
      stage: 'local',
      requestId: `test-${Date.now()}`,
      authorizer: { claims: { 'custom:accountId': accountId } },
    },
    body: options.body === undefined ? null : JSON.stringify(options.body),
    isBase64Encoded: false,
  };
}
