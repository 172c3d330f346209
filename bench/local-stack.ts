import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signLocalToken } from '../scripts/local/jwt.ts';
import { type LocalStack, startLocalStack } from '../scripts/local/stack.ts';
import { cdkOutDir, synthesizeIfStale } from '../scripts/local/synth.ts';

/** One timed API call: the parsed JSON answer and its milliseconds; a non-2xx answer throws. */
export type BenchCall = (
  token: string,
  method: string,
  path: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies of several shapes, read field by field
) => Promise<{ json: any; ms: number }>;

export interface BenchStack {
  stack: LocalStack;
  /** Tokens of the bench's customer and of the billing system. */
  customer: string;
  billing: string;
  call: BenchCall;
  /** Stops the stack and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * The synthesized template (synthesized first if stale) on a local stack of a bench's own: in
 * memory, on free ports, quiet, with `functionEnv` for every function. `stop` also removes its
 * data folder.
 */
export async function startQuietStack(
  dataPrefix: string,
  functionEnv: Record<string, string> = {},
): Promise<{ stack: LocalStack; stop(): Promise<void> }> {
  await synthesizeIfStale(() => {}).done;
  const dataDir = mkdtempSync(join(tmpdir(), dataPrefix));
  const stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: true,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    functionEnv,
    quiet: true,
  });
  return {
    stack,
    stop: async () => {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A local stack of the bench's own, in memory, on free ports, with workflows that wait (an hour's
 * cancellation window: drift checks see no settlement half-way), and tokens for `accountId` and
 * the billing system.
 */
export async function startBenchStack(accountId: string, dataPrefix: string): Promise<BenchStack> {
  const { stack, stop } = await startQuietStack(dataPrefix, { CANCEL_WINDOW: 'PT1H' });
  const customer = await signLocalToken(stack.jwtSecret, { accountId });
  const billing = await signLocalToken(stack.jwtSecret, { accountId: 'billing', groups: ['billing-system'] });
  const call: BenchCall = async (token, method, path, body) => {
    const started = performance.now();
    const response = await fetch(`${stack.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return { json, ms: performance.now() - started };
  };
  return {
    stack,
    customer,
    billing,
    call,
    stop,
  };
}

/**
 * Points this process's adapters at `stack` (its functions' settings, its endpoints, local
 * credentials), so a bench can run a use case in process and time each DynamoDB call; quiet
 * logs, and workflows that wait an hour before settling.
 */
export function runInProcessAgainst(stack: LocalStack): void {
  Object.assign(process.env, ...stack.template.functions.map((f) => f.environment), {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbEndpoint,
    AWS_ENDPOINT_URL_SFN: stack.sfnEndpoint,
    AWS_ENDPOINT_URL_S3: stack.s3Endpoint,
    AWS_ENDPOINT_URL_SESV2: stack.sesUrl,
    POWERTOOLS_LOG_LEVEL: 'CRITICAL',
    CANCEL_WINDOW: 'PT1H',
  });
}
