/**
 * Runs bundled Lambda handlers the way Lambda does, on this machine: one worker thread per
 * function (created on the first invoke — the cold start — and reused while warm), the
 * function's own environment, a Lambda-like context, the function timeout, and errors that keep
 * the handler's error name so Step Functions Retry/Catch can match them as on AWS.
 *
 * One deliberate difference: AWS gives each concurrent invocation its own sandbox; here one
 * worker serves a function's concurrent invocations (handlers are async), so module-level state
 * is shared between overlapping invocations. Handlers must not rely on it either way. What
 * Lambda offers for that case is honoured: as on an execution environment that serves several
 * invocations at once (AWS_LAMBDA_MAX_CONCURRENCY, `globalThis.awslambda.InvokeStore`), each
 * invocation runs in its own async context, where Powertools keeps its per-invocation state
 * (the logger's keys and correlation id), so overlapping requests do not log under each
 * other's ids.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LambdaInvocationError, type LambdaRuntime, type LocalFunction } from './types.ts';

export interface LambdaRuntimeOptions {
  /** Merged over each function's template environment (wins): endpoints, fake credentials, overrides. */
  env: Record<string, string>;
  /** Discard handler console output instead of forwarding it to this process's stdout/stderr. */
  quiet?: boolean;
  /**
   * Also append each function's console output (stdout and stderr) to `<logDir>/<logicalId>.log`,
   * one file per function as CloudWatch keeps one log group per function; quiet or not.
   */
  logDir?: string;
  /** Used for ARNs and AWS_REGION when options.env does not set AWS_REGION (default us-east-1). */
  region?: string;
  accountId?: string;
}

/** Plain JS (no tsx in workers): loads the bundle once per worker and serves invocations. */
const WORKER_SOURCE = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
const { AsyncLocalStorage } = require('node:async_hooks');

// The runtime's InvokeStore for concurrent invocations (what @aws/lambda-invoke-store's
// multi-concurrency store does), set before the bundle loads so libraries find it.
const invocations = new AsyncLocalStorage();
const REQUEST_ID = Symbol.for('_AWS_LAMBDA_REQUEST_ID');
const X_RAY_TRACE_ID = Symbol.for('_AWS_LAMBDA_X_RAY_TRACE_ID');
const current = () => invocations.getStore();
globalThis.awslambda = globalThis.awslambda || {};
globalThis.awslambda.InvokeStore = {
  getContext: current,
  hasContext: () => current() !== undefined,
  get: (key) => current()?.[key],
  set: (key, value) => {
    if (key === REQUEST_ID || key === X_RAY_TRACE_ID) throw new Error('Cannot modify protected Lambda context field: ' + String(key));
    const store = current();
    if (!store) throw new Error('No context available');
    store[key] = value;
  },
  run: (context, fn) => invocations.run(context, fn),
  isProtectedKey: (key) => key === REQUEST_ID || key === X_RAY_TRACE_ID,
  getRequestId: () => current()?.[REQUEST_ID] ?? '-',
  getXRayTraceId: () => current()?.[X_RAY_TRACE_ID],
  getTenantId: () => undefined,
  getTraceparent: () => undefined,
  getTracestate: () => undefined,
  getBaggage: () => undefined,
};

if (/--enable-source-maps/.test(process.env.NODE_OPTIONS || '')) process.setSourceMapsEnabled(true);

// The module is imported as soon as the worker starts (the cold start); an init failure is
// reported to every invocation and marks the worker as unusable, so the next invoke re-inits.
const handlerReady = import(pathToFileURL(workerData.file).href).then((mod) => {
  const handler = mod[workerData.exportName];
  if (typeof handler !== 'function') {
    const error = new Error(workerData.handler + ' is undefined or not exported');
    error.name = 'Runtime.HandlerNotFound';
    throw error;
  }
  return handler;
});
handlerReady.catch(() => {}); // reported per invocation below

function toLambdaError(error) {
  if (error instanceof Error) {
    return {
      errorType: String(error.name || 'Error'),
      errorMessage: String(error.message),
      trace: String(error.stack || '').split('\n'),
    };
  }
  return { errorType: 'Error', errorMessage: typeof error === 'string' ? error : JSON.stringify(error), trace: [] };
}

function callHandler(handler, event, context) {
  // Callback-style handlers (three parameters) are still supported by the Node.js 22 runtime.
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const callback = (error, result) => (error ? reject(error) : resolve(result));
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    });
  }
  return handler(event, context);
}

parentPort.on('message', async (message) => {
  const { id, event, context: base } = message;
  const context = {
    ...base,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, base.deadline - Date.now()),
  };
  delete context.deadline;
  let handler;
  try {
    handler = await handlerReady;
  } catch (error) {
    parentPort.postMessage({ id, ok: false, fatal: true, ...toLambdaError(error) });
    return;
  }
  try {
    const result = await invocations.run({ [REQUEST_ID]: context.awsRequestId }, () =>
      callHandler(handler, JSON.parse(event), context),
    );
    // Lambda serializes the result as JSON: undefined becomes null, functions vanish.
    parentPort.postMessage({ id, ok: true, result: result === undefined ? 'null' : JSON.stringify(result) });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, ...toLambdaError(error) });
  }
});
`;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface WorkerMessage {
  id: number;
  ok: boolean;
  result?: string;
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
  fatal?: boolean;
}

/** One worker and the invocations it is serving. */
class FunctionWorker {
  readonly worker: Worker;
  readonly inflight = new Map<number, Pending>();
  /** No longer receives invocations; terminated once its in-flight ones settle. */
  retired = false;

  constructor(
    fn: LocalFunction,
    env: Record<string, string>,
    output: { quiet: boolean; logFile?: string },
    private readonly onGone: (worker: FunctionWorker) => void,
  ) {
    const dot = fn.handler.lastIndexOf('.');
    const moduleName = fn.handler.slice(0, dot);
    const file = ['.mjs', '.js', '.cjs']
      .map((extension) => join(fn.assetDir, `${moduleName}${extension}`))
      .find((candidate) => existsSync(candidate));
    if (!file) {
      throw new LambdaInvocationError(
        'Runtime.ImportModuleError',
        `Error: Cannot find module '${moduleName}' in ${fn.assetDir}`,
      );
    }
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, exportName: fn.handler.slice(dot + 1), handler: fn.handler },
      env,
      // Bundles are plain JS: keep the parent's loaders (tsx, vitest) out of the sandbox.
      execArgv: [],
      // Piped (not inherited) when discarded or captured.
      stdout: output.quiet || output.logFile !== undefined,
      stderr: output.quiet || output.logFile !== undefined,
      name: fn.logicalId,
    });
    const { logFile } = output;
    if (logFile !== undefined) {
      this.worker.stdout.on('data', (chunk: Buffer) => {
        appendFileSync(logFile, chunk);
        if (!output.quiet) process.stdout.write(chunk);
      });
      this.worker.stderr.on('data', (chunk: Buffer) => {
        appendFileSync(logFile, chunk);
        if (!output.quiet) process.stderr.write(chunk);
      });
    } else if (output.quiet) {
      this.worker.stdout.resume();
      this.worker.stderr.resume();
    }
    // An idle worker must not keep the process alive; pending invocations hold timers that do.
    this.worker.unref();
    this.worker.on('message', (message: WorkerMessage) => this.settle(message));
    this.worker.on('error', (error) => this.crash(`${error.name}: ${error.message}`));
    this.worker.on('exit', (code) => this.crash(`Runtime exited with error: exit status ${code}`));
  }

  private settle(message: WorkerMessage): void {
    const pending = this.inflight.get(message.id);
    if (!pending) return; // timed out already
    this.finish(message.id);
    if (message.ok) {
      pending.resolve(JSON.parse(message.result ?? 'null'));
    } else {
      pending.reject(
        new LambdaInvocationError(
          message.errorType ?? 'Error',
          message.errorMessage ?? '',
          message.trace ?? [],
        ),
      );
    }
    if (message.fatal) this.retire();
    else if (this.retired && this.inflight.size === 0) void this.worker.terminate();
  }

  /** Removes an invocation and clears its timer; returns it if it was still in flight. */
  finish(id: number): Pending | undefined {
    const pending = this.inflight.get(id);
    if (pending) {
      clearTimeout(pending.timer);
      this.inflight.delete(id);
    }
    return pending;
  }

  retire(): void {
    if (!this.retired) {
      this.retired = true;
      this.onGone(this);
    }
    if (this.inflight.size === 0) void this.worker.terminate();
  }

  crash(reason: string): void {
    const failed = [...this.inflight.keys()];
    for (const id of failed) this.finish(id)?.reject(new LambdaInvocationError('Runtime.ExitError', reason));
    if (!this.retired) {
      this.retired = true;
      this.onGone(this);
    }
  }
}

export function createLambdaRuntime(
  functions: LocalFunction[],
  options: LambdaRuntimeOptions,
): LambdaRuntime {
  const byId = new Map(functions.map((fn) => [fn.logicalId, fn]));
  const region = options.env.AWS_REGION ?? options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const warm = new Map<string, FunctionWorker>();
  const all = new Set<FunctionWorker>();
  let nextId = 0;
  let closed = false;
  if (options.logDir !== undefined) mkdirSync(options.logDir, { recursive: true });

  const environmentOf = (fn: LocalFunction): Record<string, string> => ({
    // What the Lambda service sets. The parent's own environment is deliberately not inherited:
    // a developer's AWS_PROFILE or real credentials must never reach a local handler.
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: fn.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.logicalId}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local',
    // One worker serves overlapping invocations: say so, as Lambda does for concurrent environments.
    AWS_LAMBDA_MAX_CONCURRENCY: '1000',
    LAMBDA_TASK_ROOT: fn.assetDir,
    ...fn.environment,
    ...options.env,
  });

  const workerFor = (fn: LocalFunction): FunctionWorker => {
    const existing = warm.get(fn.logicalId);
    if (existing) return existing;
    const output = {
      quiet: options.quiet ?? false,
      logFile: options.logDir === undefined ? undefined : join(options.logDir, `${fn.logicalId}.log`),
    };
    const created = new FunctionWorker(fn, environmentOf(fn), output, (gone) => {
      if (warm.get(fn.logicalId) === gone) warm.delete(fn.logicalId);
    });
    created.worker.once('exit', () => all.delete(created));
    warm.set(fn.logicalId, created);
    all.add(created);
    return created;
  };

  return {
    invoke(functionLogicalId: string, event: unknown): Promise<unknown> {
      if (closed) return Promise.reject(new Error('Lambda runtime is closed'));
      const fn = byId.get(functionLogicalId);
      if (!fn) {
        return Promise.reject(
          new LambdaInvocationError('ResourceNotFoundException', `Function not found: ${functionLogicalId}`),
        );
      }
      let handle: FunctionWorker;
      try {
        handle = workerFor(fn);
      } catch (error) {
        return Promise.reject(error);
      }
      const id = ++nextId;
      const awsRequestId = randomUUID();
      const timeoutMs = fn.timeoutSeconds * 1000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          handle.finish(id);
          reject(
            new LambdaInvocationError(
              'Sandbox.Timedout',
              `${new Date().toISOString()} ${awsRequestId} Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`,
            ),
          );
          // The handler may still be running (or spinning): this worker takes no new invocations
          // and is terminated as soon as its other in-flight invocations are done.
          handle.retire();
        }, timeoutMs);
        handle.inflight.set(id, { resolve, reject, timer });
        handle.worker.postMessage({
          id,
          event: JSON.stringify(event ?? null),
          context: {
            functionName: fn.logicalId,
            functionVersion: '$LATEST',
            invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${fn.logicalId}`,
            memoryLimitInMB: String(fn.memorySize ?? 128),
            awsRequestId,
            logGroupName: `/aws/lambda/${fn.logicalId}`,
            logStreamName: 'local',
            deadline: Date.now() + timeoutMs,
          },
        });
      });
    },

    async close(): Promise<void> {
      closed = true;
      const workers = [...all];
      all.clear();
      warm.clear();
      for (const handle of workers) handle.crash('Lambda runtime closed');
      await Promise.all(workers.map((handle) => handle.worker.terminate()));
    },
  };
}
