import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaRuntime } from '../../scripts/local/lambda-runtime.ts';
import { LambdaInvocationError, type LambdaRuntime, type LocalFunction } from '../../scripts/local/types.ts';

/** Tiny handler bundles, written the way esbuild emits them: an ESM index.mjs exporting handler. */
const bundles: Record<string, string> = {
  echo: `
    const initId = Math.random();
    export const handler = async (event, context) => ({
      event,
      initId,
      env: { ROLE: process.env.ROLE, SHARED: process.env.SHARED, OVERRIDE: process.env.OVERRIDE, HOME: process.env.HOME },
      context: {
        functionName: context.functionName,
        awsRequestId: context.awsRequestId,
        invokedFunctionArn: context.invokedFunctionArn,
        logGroupName: context.logGroupName,
        remaining: context.getRemainingTimeInMillis(),
      },
    });`,
  scoped: `
    // What Powertools does with per-invocation state when invocations may overlap.
    const key = Symbol('scoped.value');
    export const handler = async (event, context) => {
      const store = globalThis.awslambda.InvokeStore;
      const scoped = process.env.AWS_LAMBDA_MAX_CONCURRENCY !== undefined && store.hasContext();
      store.set(key, event.value);
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return { scoped, value: store.get(key), requestId: store.getRequestId(), awsRequestId: context.awsRequestId };
    };`,
  failing: `
    class FooError extends Error {
      constructor(message) { super(message); this.name = 'FooError'; }
    }
    export const handler = async (event) => { throw new FooError('foo happened: ' + event.why); };`,
  slow: `
    const initId = Math.random();
    let active = 0;
    export const handler = async (event) => {
      active += 1;
      const overlapping = active;
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      active -= 1;
      return { initId, n: event.n, overlapping };
    };`,
  // Powertools' logger keys (the correlation id) kept per invocation on the InvokeStore.
  powertools: `
    import { Logger } from ${JSON.stringify(join(process.cwd(), 'node_modules/@aws-lambda-powertools/logger/lib/esm/index.js'))};
    const logger = new Logger({ serviceName: 'scoped', logLevel: 'SILENT' });
    export const handler = async (event, context) => {
      logger.setCorrelationId(event.id);
      const store = globalThis.awslambda.InvokeStore;
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return {
        id: event.id,
        correlation: logger.getCorrelationId(),
        requestId: store.getRequestId(),
        awsRequestId: context.awsRequestId,
        maxConcurrency: process.env.AWS_LAMBDA_MAX_CONCURRENCY,
      };
    };`,
  crashy: `
    const initId = Math.random();
    export const handler = async (event) => {
      if (event.crash) setTimeout(() => { throw new Error('uncaught in a timer'); }, 10);
      if (event.exit) setTimeout(() => process.exit(3), 10);
      if (event.crash || event.exit) await new Promise(() => {}); // never settles: the crash must fail it
      return { initId };
    };`,
  spinning: `
    const initId = Math.random();
    export const handler = async (event) => {
      if (event.spin) for (;;) {}
      return { initId };
    };`,
  undefinedResult: 'export const handler = async () => undefined;',
  callback:
    'export const handler = (event, context, callback) => { setTimeout(() => callback(null, { via: "callback" }), 5); };',
  noExport: 'export const other = () => 1;',
  logging: `
    export const handler = async (event) => {
      console.log(JSON.stringify({ level: 'INFO', message: 'hello ' + event.n }));
      console.error('oops ' + event.n);
      return event.n;
    };`,
};

let root: string;
let runtime: LambdaRuntime | undefined;

function fn(logicalId: string, bundle: string, overrides: Partial<LocalFunction> = {}): LocalFunction {
  return {
    logicalId,
    assetDir: join(root, bundle),
    handler: 'index.handler',
    environment: {},
    timeoutSeconds: 5,
    ...overrides,
  };
}

function start(functions: LocalFunction[], env: Record<string, string> = {}): LambdaRuntime {
  runtime = createLambdaRuntime(functions, { env, quiet: true });
  return runtime;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'local-lambda-'));
  for (const [name, source] of Object.entries(bundles)) {
    mkdirSync(join(root, name));
    writeFileSync(join(root, name, 'index.mjs'), source);
  }
});

afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('createLambdaRuntime', () => {
  it('invokes a handler with the event and a Lambda-like context', async () => {
    const lambda = start([fn('Echo', 'echo')]);
    const result = (await lambda.invoke('Echo', { hello: 'world' })) as {
      event: unknown;
      context: Record<string, unknown>;
    };
    expect(result.event).toEqual({ hello: 'world' });
    expect(result.context).toMatchObject({
      functionName: 'Echo',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:Echo',
      logGroupName: '/aws/lambda/Echo',
    });
    expect(result.context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.context.remaining).toBeGreaterThan(4000);
    expect(result.context.remaining).toBeLessThanOrEqual(5000);
  });

  it('gives overlapping invocations of one worker their own InvokeStore context, as Lambda does', async () => {
    // Act: the first invocation is still waiting when the second one sets its value
    const lambda = start([fn('Scoped', 'scoped')]);
    const [first, second] = (await Promise.all([
      lambda.invoke('Scoped', { value: 'a', ms: 80 }),
      lambda.invoke('Scoped', { value: 'b', ms: 5 }),
    ])) as { scoped: boolean; value: string; requestId: string; awsRequestId: string }[];

    // Assess
    expect(first).toMatchObject({ scoped: true, value: 'a' });
    expect(second).toMatchObject({ scoped: true, value: 'b' });
    expect(first!.requestId).toBe(first!.awsRequestId);
    expect(second!.requestId).toBe(second!.awsRequestId);
  });

  it('starts cold once and stays warm', async () => {
    const lambda = start([fn('Echo', 'echo')]);
    const first = (await lambda.invoke('Echo', {})) as { initId: number };
    const second = (await lambda.invoke('Echo', {})) as { initId: number };
    expect(second.initId).toBe(first.initId);
  });

  it('returns null for an undefined result and supports callback handlers', async () => {
    const lambda = start([fn('Undef', 'undefinedResult'), fn('Callback', 'callback')]);
    expect(await lambda.invoke('Undef', {})).toBeNull();
    expect(await lambda.invoke('Callback', {})).toEqual({ via: 'callback' });
  });

  it("reports a handler's error with its name as errorType", async () => {
    const lambda = start([fn('Failing', 'failing')]);
    const error = await lambda.invoke('Failing', { why: 'testing' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaInvocationError);
    expect(error).toMatchObject({
      name: 'FooError',
      errorType: 'FooError',
      message: 'foo happened: testing',
    });
    expect((error as LambdaInvocationError).trace[0]).toBe('FooError: foo happened: testing');
  });

  it('gives each function its own environment; options.env wins over the template', async () => {
    const lambda = start(
      [
        fn('A', 'echo', { environment: { ROLE: 'a', OVERRIDE: 'from-template' } }),
        fn('B', 'echo', { logicalId: 'B', environment: { ROLE: 'b' } }),
      ],
      { SHARED: 'yes', OVERRIDE: 'from-options' },
    );
    const [a, b] = (await Promise.all([lambda.invoke('A', {}), lambda.invoke('B', {})])) as {
      env: Record<string, string | undefined>;
    }[];
    expect(a?.env).toEqual({ ROLE: 'a', SHARED: 'yes', OVERRIDE: 'from-options', HOME: undefined });
    expect(b?.env).toEqual({ ROLE: 'b', SHARED: 'yes', OVERRIDE: 'from-options', HOME: undefined });
  });

  it('serves concurrent invocations from one warm worker', async () => {
    const lambda = start([fn('Slow', 'slow')]);
    await lambda.invoke('Slow', { ms: 0, n: -1 }); // cold start out of the way
    const results = (await Promise.all(
      Array.from({ length: 20 }, (_, n) => lambda.invoke('Slow', { ms: 200, n })),
    )) as { initId: number; n: number; overlapping: number }[];
    expect(results.map((r) => r.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(new Set(results.map((r) => r.initId)).size).toBe(1);
    // Served side by side, not one after another: the last to start saw all of them in flight.
    expect(Math.max(...results.map((r) => r.overlapping))).toBe(20);
  });

  it("keeps each overlapping invocation's Powertools state apart, as Lambda's multi-concurrency runtime does", async () => {
    const lambda = start([fn('Powertools', 'powertools')]);
    const results = (await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        lambda.invoke('Powertools', { id: `ticket-${n}`, ms: 10 * (10 - n) }),
      ),
    )) as {
      id: string;
      correlation: string;
      requestId: string;
      awsRequestId: string;
      maxConcurrency: string;
    }[];
    for (const r of results) {
      expect(r.correlation).toBe(r.id);
      expect(r.requestId).toBe(r.awsRequestId);
      expect(r.maxConcurrency).toBe('1000');
    }
    expect(new Set(results.map((r) => r.requestId)).size).toBe(10);
  });

  it('fails in-flight invocations of a crashed worker and recreates it on the next invoke', async () => {
    const lambda = start([fn('Crashy', 'crashy')]);
    const before = (await lambda.invoke('Crashy', {})) as { initId: number };
    await expect(lambda.invoke('Crashy', { crash: true })).rejects.toMatchObject({
      errorType: 'Runtime.ExitError',
    });
    const after = (await lambda.invoke('Crashy', {})) as { initId: number };
    expect(after.initId).not.toBe(before.initId); // a fresh cold start
    await expect(lambda.invoke('Crashy', { exit: true })).rejects.toMatchObject({
      errorType: 'Runtime.ExitError',
      message: expect.stringContaining('exit status 3'),
    });
    expect(await lambda.invoke('Crashy', {})).toHaveProperty('initId');
  });

  it('enforces the function timeout and replaces the worker', async () => {
    const lambda = start([fn('Spinning', 'spinning', { timeoutSeconds: 1 })]);
    const before = (await lambda.invoke('Spinning', {})) as { initId: number };
    const started = Date.now();
    const error = await lambda.invoke('Spinning', { spin: true }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(error).toMatchObject({
      errorType: 'Sandbox.Timedout',
      message: expect.stringContaining('Task timed out after 1.00 seconds'),
    });
    const after = (await lambda.invoke('Spinning', {})) as { initId: number };
    expect(after.initId).not.toBe(before.initId);
  });

  it('reports init failures and unknown functions', async () => {
    const lambda = start([fn('NoExport', 'noExport'), fn('Missing', 'does-not-exist')]);
    await expect(lambda.invoke('NoExport', {})).rejects.toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
    });
    await expect(lambda.invoke('Missing', {})).rejects.toMatchObject({
      errorType: 'Runtime.ImportModuleError',
    });
    await expect(lambda.invoke('Nope', {})).rejects.toMatchObject({ errorType: 'ResourceNotFoundException' });
  });

  it("appends each function's stdout and stderr to its own file in logDir", async () => {
    const logDir = join(root, 'logs');
    runtime = createLambdaRuntime([fn('Talker', 'logging'), fn('Echo', 'echo')], {
      env: {},
      quiet: true,
      logDir,
    });
    await runtime.invoke('Talker', { n: 1 });
    await runtime.invoke('Talker', { n: 2 });
    await runtime.invoke('Echo', {});
    // Console output of a worker thread reaches the parent asynchronously.
    const read = () => readFileSync(join(logDir, 'Talker.log'), 'utf8');
    await expect.poll(() => read().split('\n').filter(Boolean).length).toBe(4);
    expect(read().split('\n').filter(Boolean).sort()).toEqual([
      'oops 1',
      'oops 2',
      '{"level":"INFO","message":"hello 1"}',
      '{"level":"INFO","message":"hello 2"}',
    ]);
    expect(() => readFileSync(join(logDir, 'Echo.log'))).toThrow(/ENOENT/);
  });

  it('fails invocations in flight when closed', async () => {
    const lambda = start([fn('Slow', 'slow')]);
    const pending = lambda.invoke('Slow', { ms: 5000, n: 1 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await lambda.close();
    expect(await pending).toMatchObject({ errorType: 'Runtime.ExitError' });
    await expect(lambda.invoke('Slow', { ms: 0 })).rejects.toThrow(/closed/);
  });
});
