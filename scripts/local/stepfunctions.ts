/**
 * A local Step Functions server: speaks the AWS JSON 1.0 protocol that @aws-sdk/client-sfn uses
 * and runs the template's state machine definitions with aws-local-stepfunctions, every Task
 * state mapped to the bundled Lambda handler it names.
 *
 * What the runner lacks and this file adds:
 * - `.waitForTaskToken`: the token is generated here (the runner's context object has no
 *   Task.Token), handed to the Lambda, and the task parks until SendTaskSuccess/Failure.
 * - Execution bookkeeping (names, statuses, history, Stop) and, with a dataDir, persistence:
 *   executions that were RUNNING when the process stopped are re-run from the beginning with
 *   their original input — the local server replays instead of resuming, so tasks must be
 *   idempotent (the app's are: invariant 3).
 *
 * Known limits: HeartbeatSeconds is ignored (SendTaskHeartbeat only validates the token); a
 * Wait or timeout longer than ~24.8 days (Node's timer limit) is clamped for task timeouts but
 * fires at once for Wait states; `$$.Task.Token` is only supported as a whole `"x.$"` value;
 * only Lambda task resources are supported (checked at start).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  ExecutionError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { functionNameOf, taskStatesOf } from './template.ts';
import { LambdaInvocationError, type LambdaRuntime, type LocalStateMachine } from './types.ts';

// The runner uses Promise.withResolvers (ES2024, native from Node 22): polyfill for Node 20.
const promiseStatics = Promise as unknown as { withResolvers?: unknown };
if (typeof promiseStatics.withResolvers !== 'function') {
  promiseStatics.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED' | 'TIMED_OUT';

/** What is kept (and persisted) per execution. Dates are epoch milliseconds. */
export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** The input as the caller sent it (a JSON string). */
  input: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds (sent to SDK clients as epoch seconds). */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface StepFunctionsServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  stateMachines: LocalStateMachine[];
  lambda: LambdaRuntime;
  /** Keep executions in `<dataDir>/executions.jsonl` and replay RUNNING ones at start. */
  dataDir?: string;
  /** Wait state name (any state machine, any depth; '*' = every Wait state) → milliseconds to wait instead. */
  waitOverrides?: Record<string, number>;
  /** State name ('*' = every state with Retry) → retry interval(s) in milliseconds instead of IntervalSeconds/backoff. */
  retryIntervalOverrides?: Record<string, number | number[]>;
  /**
   * Replayed executions start once this settles (e.g. DynamoDB Local being ready), since their
   * Lambdas need the rest of the stack; default: as soon as the server listens.
   */
  replayAfter?: Promise<unknown>;
  /** Diagnostics (replays, persistence errors); default console.error. */
  log?: (message: string) => void;
}

export interface StepFunctionsServer {
  url: string;
  close(): Promise<void>;
  /** Resolves once the execution has finished and its history is complete. */
  waitForExecution(executionArn: string, timeoutMs?: number): Promise<ExecutionRecord>;
  /** The execution history (also served by GetExecutionHistory). */
  history(executionArn: string): HistoryEvent[];
}

/** Node timers overflow above 2^31-1 ms (and then fire after 1 ms): the longest usable timeout. */
const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);
const TOKEN_PLACEHOLDER = '__LOCAL_SFN_TASK_TOKEN__';
const TOKEN_PATTERN = /^LOCAL[A-Za-z0-9_-]{64}$/;
const SPENT_TOKENS_KEPT = 100_000;
/** Characters AWS rejects in execution names (besides whitespace and control characters). */
const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** An error the SDK client raises as the named exception (HTTP 400, `__type`). */
class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type TaskKind = 'lambda' | 'invoke' | 'waitForTaskToken';

interface TaskInfo {
  kind: TaskKind;
  resource: string;
  /** Static function logical id (absent for a dynamic `FunctionName.$`). */
  functionId?: string;
  /** The state's own timeout when it is a fixed number (used to expire its task tokens). */
  timeoutSeconds?: number;
}

interface LoadedMachine {
  config: LocalStateMachine;
  runner: StateMachine;
  tasks: Map<string, TaskInfo>;
  waitStates: string[];
  retryStates: string[];
  createdAt: number;
}

interface Execution {
  record: ExecutionRecord;
  history: History;
  abort?: () => void;
  /** Settles when the execution has finished and its history is complete. */
  done: Promise<void>;
  settle: () => void;
  tokens: Set<string>;
}

interface PendingToken {
  execution: Execution;
  resolve(output: unknown): void;
  reject(error: Error): void;
}

export async function startStepFunctionsServer(
  options: StepFunctionsServerOptions,
): Promise<StepFunctionsServer> {
  const log = options.log ?? ((message: string) => console.error(message));
  const machines = new Map(options.stateMachines.map((config) => [config.arn, loadMachine(config)]));
  const executions = new Map<string, Execution>();
  const tokens = new Map<string, PendingToken>();
  const spentTokens = new Set<string>();
  const store = options.dataDir ? new ExecutionStore(options.dataDir, log) : undefined;
  let closing = false;

  // -------------------------------------------------------------------------------------------
  // Executions

  const persist = (record: ExecutionRecord): Promise<void> => store?.put(record) ?? Promise.resolve();

  const spendToken = (token: string): void => {
    tokens.delete(token);
    spentTokens.add(token);
    if (spentTokens.size > SPENT_TOKENS_KEPT) {
      const oldest = spentTokens.values().next().value;
      if (oldest !== undefined) spentTokens.delete(oldest);
    }
  };

  /** Parked tasks of a finished execution must not run on: fail them past Retry and Catch. */
  const releaseTokens = (execution: Execution): void => {
    for (const token of execution.tokens) {
      tokens.get(token)?.reject(stopped('the execution has ended'));
      spendToken(token);
    }
    execution.tokens.clear();
  };

  const finish = (
    execution: Execution,
    outcome: Partial<ExecutionRecord> & { status: ExecutionStatus },
  ): void => {
    if (closing || execution.record.status !== 'RUNNING') return; // stopped, or left for replay
    Object.assign(execution.record, outcome, { stopDate: Date.now() });
    releaseTokens(execution);
    persist(execution.record).catch((error: unknown) => log(`local Step Functions: ${String(error)}`));
  };

  const invokeFunction = async (functionId: string, payload: unknown): Promise<unknown> => {
    try {
      return await options.lambda.invoke(functionId, payload);
    } catch (error) {
      throw taskError(error);
    }
  };

  const runTask = async (execution: Execution, task: TaskInfo, input: unknown) => {
    // The runner may retry a task after Stop (its retry sleep ends on abort): never invoke then.
    if (closing || execution.record.status !== 'RUNNING') throw stopped('the execution has ended');
    if (task.kind === 'lambda') return invokeFunction(task.functionId ?? '', input);

    const parameters = (input ?? {}) as { FunctionName?: unknown; Payload?: unknown };
    const functionId =
      task.functionId ??
      (typeof parameters.FunctionName === 'string' ? functionNameOf(parameters.FunctionName) : '');
    if (task.kind === 'invoke') {
      const result = await invokeFunction(functionId, parameters.Payload ?? {});
      // What the lambda:invoke integration returns (CDK tasks usually select $.Payload).
      return {
        ExecutedVersion: '$LATEST',
        Payload: result ?? null,
        SdkHttpMetadata: { HttpHeaders: { 'Content-Type': 'application/json' }, HttpStatusCode: 200 },
        SdkResponseMetadata: { RequestId: randomUUID() },
        StatusCode: 200,
      };
    }

    // waitForTaskToken: park until a token call arrives (or the state's timeout expires).
    const token = `LOCAL${randomBytes(48).toString('base64url')}`;
    const payload = replaceToken(parameters.Payload ?? {}, token);
    const parked = new Promise<unknown>((resolve, reject) => {
      tokens.set(token, { execution, resolve, reject });
    });
    execution.tokens.add(token);
    if (task.timeoutSeconds !== undefined && task.timeoutSeconds < MAX_TIMER_SECONDS) {
      // The runner fails the state with States.Timeout at TimeoutSeconds; shortly after, the
      // token stops being accepted (TaskTimedOut), as on AWS.
      const expiry = setTimeout(
        () => {
          tokens.get(token)?.reject(stopped('the task timed out'));
          spendToken(token);
          execution.tokens.delete(token);
        },
        task.timeoutSeconds * 1000 + 100,
      );
      expiry.unref();
      parked.then(
        () => clearTimeout(expiry),
        () => clearTimeout(expiry),
      );
    }
    invokeFunction(functionId, payload).catch((error: Error) => {
      // The Lambda that should hand the token on failed: the task fails with its error.
      tokens.get(token)?.reject(error);
      spendToken(token);
      execution.tokens.delete(token);
    });
    return parked;
  };

  const launch = (execution: Execution, machine: LoadedMachine): void => {
    const { record } = execution;
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of machine.tasks) {
      taskResourceLocalHandlers[stateName] = (input) => runTask(execution, task, input);
    }
    const overrides = {
      taskResourceLocalHandlers,
      waitTimeOverrides: expandOverrides(options.waitOverrides, machine.waitStates),
      retryIntervalOverrides: expandOverrides(options.retryIntervalOverrides, machine.retryStates),
    } as RunOptions['overrides'];
    const run = machine.runner.run(JSON.parse(record.input), {
      overrides,
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: roleArnOf(machine.config),
          RedriveCount: 0,
        },
        StateMachine: { Id: machine.config.arn, Name: machine.config.name },
      },
    });
    execution.abort = run.abort;
    const history = (async () => {
      for await (const event of run.eventLogs) execution.history.record(event, record);
    })();
    const outcome = run.result.then(
      (output) => finish(execution, { status: 'SUCCEEDED', output: JSON.stringify(output ?? null) }),
      (error: unknown) => finish(execution, failureOf(error)),
    );
    Promise.all([history, outcome]).then(execution.settle, execution.settle);
  };

  const createExecution = (record: ExecutionRecord, machine: LoadedMachine): Execution => {
    let settle = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    // A restored, finished execution is done; a running one once it has run (or been stopped).
    if (record.status !== 'RUNNING') settle();
    const execution: Execution = {
      record,
      history: new History(machine, roleArnOf(machine.config)),
      done,
      settle,
      tokens: new Set(),
    };
    executions.set(record.executionArn, execution);
    return execution;
  };

  // -------------------------------------------------------------------------------------------
  // API operations

  const machineOf = (arn: unknown): LoadedMachine => {
    if (typeof arn !== 'string' || !arn.startsWith('arn:'))
      throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const machine = machines.get(arn);
    if (!machine) throw new ApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  };

  const executionOf = (arn: unknown): Execution => {
    if (typeof arn !== 'string' || !arn.startsWith('arn:'))
      throw new ApiError('InvalidArn', `Invalid Arn: '${arn}'`);
    const execution = executions.get(arn);
    if (!execution) throw new ApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  };

  const pendingToken = (token: unknown): PendingToken & { token: string } => {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token))
      throw new ApiError('InvalidToken', 'Invalid Token');
    const pending = tokens.get(token);
    if (pending) return { ...pending, token };
    if (spentTokens.has(token)) {
      throw new ApiError('TaskTimedOut', "Task Timed Out: 'Provided task does not exist anymore'");
    }
    throw new ApiError('TaskDoesNotExist', 'Task does not exist');
  };

  const operations: Record<string, (request: Record<string, unknown>) => Promise<unknown> | unknown> = {
    async StartExecution(request) {
      const machine = machineOf(request.stateMachineArn);
      const name = request.name === undefined ? randomUUID() : request.name;
      if (typeof name !== 'string' || !isValidName(name)) {
        throw new ApiError('InvalidName', `Invalid Name: '${String(name)}'`);
      }
      const input = request.input === undefined ? '{}' : request.input;
      if (typeof input !== 'string' || !isJson(input)) {
        throw new ApiError(
          'InvalidExecutionInput',
          'Invalid State Machine Execution Input: input must be JSON',
        );
      }
      const executionArn = executionArnOf(machine.config.arn, name);
      const existing = executions.get(executionArn);
      if (existing) {
        // AWS (Standard): the same name and input while still running is idempotent; a closed
        // execution or a different input is a conflict.
        if (existing.record.status === 'RUNNING' && existing.record.input === input) {
          return { executionArn, startDate: seconds(existing.record.startDate) };
        }
        throw new ApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
      }
      const record: ExecutionRecord = {
        executionArn,
        stateMachineArn: machine.config.arn,
        name,
        input,
        status: 'RUNNING',
        startDate: Date.now(),
      };
      const execution = createExecution(record, machine);
      launch(execution, machine);
      await persist(record); // durable before the caller is told it started
      return { executionArn, startDate: seconds(record.startDate) };
    },

    DescribeExecution(request) {
      const { record } = executionOf(request.executionArn);
      return {
        ...describe(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
        ...(record.error === undefined ? {} : { error: record.error }),
        ...(record.cause === undefined ? {} : { cause: record.cause }),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    StopExecution(request) {
      const execution = executionOf(request.executionArn);
      const { record } = execution;
      if (record.status === 'RUNNING') {
        record.status = 'ABORTED';
        record.stopDate = Date.now();
        if (typeof request.error === 'string') record.error = request.error;
        if (typeof request.cause === 'string') record.cause = request.cause;
        releaseTokens(execution);
        if (execution.abort) execution.abort();
        else execution.settle(); // stopped before its replay began
        persist(record).catch((error: unknown) => log(`local Step Functions: ${String(error)}`));
      }
      return { stopDate: seconds(record.stopDate ?? Date.now()) };
    },

    ListExecutions(request) {
      const machine = machineOf(request.stateMachineArn);
      const filter = request.statusFilter;
      const matching = [...executions.values()]
        .map((execution) => execution.record)
        .filter((record) => record.stateMachineArn === machine.config.arn)
        .filter((record) => filter === undefined || record.status === filter)
        .reverse() // newest first, as AWS lists them
        .sort((a, b) => b.startDate - a.startDate);
      const { page, nextToken } = paginate(matching, request.maxResults, request.nextToken);
      return { executions: page.map(describe), ...(nextToken ? { nextToken } : {}) };
    },

    GetExecutionHistory(request) {
      const execution = executionOf(request.executionArn);
      const includeData = request.includeExecutionData !== false;
      let events = execution.history.events.map((event) => toWireEvent(event, includeData));
      if (request.reverseOrder === true) events = events.reverse();
      const { page, nextToken } = paginate(events, request.maxResults, request.nextToken);
      return { events: page, ...(nextToken ? { nextToken } : {}) };
    },

    SendTaskSuccess(request) {
      const pending = pendingToken(request.taskToken);
      const output = request.output;
      if (typeof output !== 'string' || !isJson(output))
        throw new ApiError('InvalidOutput', 'Invalid Output');
      pending.resolve(JSON.parse(output));
      spendToken(pending.token);
      pending.execution.tokens.delete(pending.token);
      return {};
    },

    SendTaskFailure(request) {
      const pending = pendingToken(request.taskToken);
      // The task fails with the given error name, so Retry/Catch can match it.
      const error = new Error(typeof request.cause === 'string' ? request.cause : '');
      error.name = typeof request.error === 'string' ? request.error : '';
      pending.reject(error);
      spendToken(pending.token);
      pending.execution.tokens.delete(pending.token);
      return {};
    },

    SendTaskHeartbeat(request) {
      pendingToken(request.taskToken); // HeartbeatSeconds is not enforced locally
      return {};
    },

    DescribeStateMachine(request) {
      const machine = machineOf(request.stateMachineArn);
      return {
        stateMachineArn: machine.config.arn,
        name: machine.config.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.config.definition),
        roleArn: roleArnOf(machine.config),
        type: machine.config.type ?? 'STANDARD',
        creationDate: seconds(machine.createdAt),
      };
    },

    ListStateMachines() {
      return {
        stateMachines: [...machines.values()].map((machine) => ({
          stateMachineArn: machine.config.arn,
          name: machine.config.name,
          type: machine.config.type ?? 'STANDARD',
          creationDate: seconds(machine.createdAt),
        })),
      };
    },
  };

  // -------------------------------------------------------------------------------------------
  // HTTP

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`local Step Functions: ${String(error)}`);
      if (!res.headersSent) send(res, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? operations[target.slice(17)] : undefined;
    if (req.method !== 'POST' || !operation) {
      send(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation: '${target}'` });
      return;
    }
    let request: Record<string, unknown>;
    try {
      request = body.length === 0 ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      send(res, 400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
      return;
    }
    try {
      send(res, 200, await operation(request));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      send(res, 400, { __type: error.type, message: error.message });
    }
  }

  // Restore before listening; replay once listening, since replayed Lambdas may call us back.
  const replay: Execution[] = [];
  for (const record of store?.load() ?? []) {
    const machine = machines.get(record.stateMachineArn);
    if (!machine) continue; // the state machine is gone from the template: nothing to show or run
    const execution = createExecution(record, machine);
    if (record.status === 'RUNNING') replay.push(execution);
  }
  store?.compact([...executions.values()].map((execution) => execution.record));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';

  const startReplays = (): void => {
    for (const execution of replay) {
      const machine = machines.get(execution.record.stateMachineArn);
      if (closing) return;
      if (!machine || execution.record.status !== 'RUNNING') continue;
      log(`local Step Functions: replaying ${execution.record.executionArn} from the start`);
      launch(execution, machine);
    }
  };
  if (options.replayAfter) {
    options.replayAfter.then(startReplays, () =>
      log('local Step Functions: not replaying, the stack failed'),
    );
  } else {
    startReplays();
  }

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,

    async close() {
      closing = true; // running executions stay RUNNING on disk: they replay on the next start
      for (const execution of executions.values()) {
        if (execution.record.status !== 'RUNNING') continue;
        releaseTokens(execution);
        execution.abort?.();
      }
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store?.flush();
    },

    async waitForExecution(executionArn, timeoutMs = 30_000) {
      const execution = executions.get(executionArn);
      if (!execution) throw new Error(`Unknown execution ${executionArn}`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(`Execution ${executionArn} still ${execution.record.status} after ${timeoutMs} ms`),
            ),
          timeoutMs,
        );
      });
      try {
        await Promise.race([execution.done, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return { ...execution.record };
    },

    history(executionArn) {
      return executions.get(executionArn)?.history.events ?? [];
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Loading definitions

function loadMachine(config: LocalStateMachine): LoadedMachine {
  const definition = structuredClone(config.definition) as Record<string, unknown>;
  const tasks = new Map<string, TaskInfo>();
  const unsupported: string[] = [];
  for (const [stateName, state] of taskStatesOf(definition)) {
    const resource = String(state.Resource ?? '');
    const kind: TaskKind | undefined = /^arn:[^:]+:lambda:/.test(resource)
      ? 'lambda'
      : /^arn:[^:]+:states:::lambda:invoke$/.test(resource)
        ? 'invoke'
        : /^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/.test(resource)
          ? 'waitForTaskToken'
          : undefined;
    const functionId = config.taskFunctions[stateName];
    const dynamic =
      kind !== 'lambda' &&
      typeof (state.Parameters as Record<string, unknown>)?.['FunctionName.$'] === 'string';
    if (!kind || (!functionId && !dynamic)) {
      unsupported.push(`${stateName} (${resource}${kind ? ': function not bundled' : ''})`);
      continue;
    }
    const info: TaskInfo = { kind, resource };
    if (functionId) info.functionId = functionId;
    if (typeof state.TimeoutSeconds === 'number') info.timeoutSeconds = state.TimeoutSeconds;
    tasks.set(stateName, info);
    // The runner cuts every Task at 60 s unless told otherwise, while AWS lets a task (a parked
    // waitForTaskToken one in particular) run until the execution ends. Lambda tasks are bounded
    // by the function timeout anyway, so an absent timeout becomes the longest timer possible.
    if (state.TimeoutSecondsPath === undefined) {
      state.TimeoutSeconds = Math.min(
        typeof state.TimeoutSeconds === 'number' ? state.TimeoutSeconds : MAX_TIMER_SECONDS,
        MAX_TIMER_SECONDS,
      );
    }
    if (kind === 'waitForTaskToken') state.Parameters = withTokenPlaceholder(state.Parameters);
  }
  if (unsupported.length > 0) {
    throw new Error(
      `State machine ${config.name}: the local Step Functions server runs only Lambda tasks of bundled functions; ` +
        `unsupported Task states: ${unsupported.join(', ')}`,
    );
  }
  if (typeof definition.TimeoutSeconds === 'number' && definition.TimeoutSeconds > MAX_TIMER_SECONDS) {
    definition.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
  // Full ASL validation (paths and ARNs included): the definitions are real ASL written by CDK,
  // with task tokens replaced by a plain string, which is still valid ASL.
  const runner = new StateMachine(definition as unknown as StateMachineDefinition);
  return {
    config,
    runner,
    tasks,
    waitStates: statesOf(definition, (state) => state.Type === 'Wait'),
    retryStates: statesOf(definition, (state) => Array.isArray(state.Retry)),
    createdAt: Date.now(),
  };
}

function statesOf(
  definition: Record<string, unknown>,
  predicate: (state: Record<string, unknown>) => boolean,
): string[] {
  const names: string[] = [];
  const walk = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    for (const [name, state] of Object.entries(states ?? {})) {
      if (predicate(state)) names.push(name);
      if (Array.isArray(state.Branches)) for (const branch of state.Branches) walk(branch);
      if (state.Type === 'Map') walk(state.ItemProcessor ?? state.Iterator);
    }
  };
  walk(definition);
  return names;
}

/** `"x.$": "$$.Task.Token"` → `"x": placeholder`; the task handler swaps in the real token. */
function withTokenPlaceholder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTokenPlaceholder);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$') && item === '$$.Task.Token') out[key.slice(0, -2)] = TOKEN_PLACEHOLDER;
    else out[key] = withTokenPlaceholder(item);
  }
  return out;
}

function replaceToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => replaceToken(item, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceToken(item, token)]));
}

function expandOverrides<T>(
  overrides: Record<string, T> | undefined,
  stateNames: string[],
): Record<string, T> {
  if (!overrides) return {};
  const all = overrides['*'];
  const expanded: Record<string, T> = {};
  for (const name of stateNames) {
    const value = overrides[name] ?? all;
    if (value !== undefined) expanded[name] = value;
  }
  return expanded;
}

// ---------------------------------------------------------------------------------------------
// Errors

/**
 * A handler's error as Step Functions reports it: Error = the handler's error name (what
 * Retry/Catch match), Cause = Lambda's JSON error document.
 */
function taskError(error: unknown): Error {
  if (error instanceof LambdaInvocationError) {
    const failure = new Error(
      JSON.stringify({ errorType: error.errorType, errorMessage: error.message, trace: error.trace }),
    );
    failure.name = error.errorType;
    return failure;
  }
  // The runtime itself failed (closed, …): what the Lambda service's own failures are called.
  const failure = new Error(error instanceof Error ? error.message : String(error));
  failure.name = 'Lambda.ServiceException';
  return failure;
}

/** Ends a task of an execution that is over: not retryable, not catchable (the runner checks both). */
function stopped(reason: string): Error {
  const error = new Error(`Task stopped: ${reason}`);
  error.name = 'States.Runtime';
  Object.assign(error, { isRetryable: false, isCatchable: false });
  return error;
}

function failureOf(error: unknown): Partial<ExecutionRecord> & { status: ExecutionStatus } {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  }
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}

// ---------------------------------------------------------------------------------------------
// History

type RunnerEvent = {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  index?: number;
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
  parentState?: { name: string };
};

/** Turns the runner's event log into Step Functions history events (the types a benchmark counts). */
class History {
  readonly events: HistoryEvent[] = [];
  /** Task attempts that failed (a caught failure must not be reported as TaskSucceeded). */
  private readonly failed = new Set<string>();

  constructor(
    private readonly machine: LoadedMachine,
    private readonly roleArn: string,
  ) {}

  record(event: RunnerEvent, execution: ExecutionRecord): void {
    const state = event.state;
    const key = `${state?.name}#${event.index ?? ''}`;
    const task = state ? this.taskDetails(state.name) : {};
    switch (event.type) {
      case 'ExecutionStarted':
        this.add('ExecutionStarted', 'executionStartedEventDetails', {
          input: json(event.input),
          inputDetails: { truncated: false },
          roleArn: this.roleArn,
        });
        break;
      case 'ExecutionSucceeded':
        this.add('ExecutionSucceeded', 'executionSucceededEventDetails', {
          output: json(event.output),
          outputDetails: { truncated: false },
        });
        break;
      case 'ExecutionFailed':
        this.add('ExecutionFailed', 'executionFailedEventDetails', {
          error: event.Error,
          cause: causeText(event.Cause),
        });
        break;
      case 'ExecutionAborted':
        this.add('ExecutionAborted', 'executionAbortedEventDetails', {
          ...(execution.error === undefined ? {} : { error: execution.error }),
          ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        });
        break;
      case 'ExecutionTimeout':
        this.add('ExecutionTimedOut', 'executionTimedOutEventDetails', { error: 'States.Timeout' });
        break;
      case 'StateEntered':
        if (!state) break;
        this.failed.delete(key);
        this.add(`${state.type}StateEntered`, 'stateEnteredEventDetails', {
          name: state.name,
          input: json(state.input),
          inputDetails: { truncated: false },
        });
        if (state.type === 'Task') this.taskAttempt(state.input, task);
        break;
      case 'StateExited':
        if (!state) break;
        if (state.type === 'Task' && !this.failed.has(key)) {
          this.add('TaskSucceeded', 'taskSucceededEventDetails', { ...task, output: json(state.output) });
        }
        this.failed.delete(key);
        this.add(`${state.type}StateExited`, 'stateExitedEventDetails', {
          name: state.name,
          output: json(state.output),
          outputDetails: { truncated: false },
        });
        break;
      case 'StateFailed': {
        if (!state) break;
        const details = { error: event.Error, cause: causeText(event.Cause) };
        if (state.type === 'Task') {
          this.failed.add(key);
          if (event.Error === 'States.Timeout')
            this.add('TaskTimedOut', 'taskTimedOutEventDetails', { ...task, ...details });
          else this.add('TaskFailed', 'taskFailedEventDetails', { ...task, ...details });
        } else if (state.type === 'Parallel' || state.type === 'Map') {
          this.add(`${state.type}StateFailed`, undefined, {});
        }
        break;
      }
      case 'StateRetried':
        // AWS shows a retry as the task being scheduled and started again.
        if (state?.type === 'Task') {
          this.failed.delete(key);
          this.taskAttempt(state.input, task);
        }
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const detailsKey = `${event.type[0]?.toLowerCase()}${event.type.slice(1)}EventDetails`;
        this.add(event.type, detailsKey, { name: event.parentState?.name, index: event.index });
        break;
      }
      default:
        // StateCaught and Parallel branch events have no history event of their own on AWS.
        break;
    }
  }

  private taskAttempt(input: unknown, task: Record<string, unknown>): void {
    this.add('TaskScheduled', 'taskScheduledEventDetails', {
      ...task,
      region: /^arn:[^:]+:states:([^:]*):/.exec(this.machine.config.arn)?.[1] ?? 'us-east-1',
      parameters: json(input),
    });
    this.add('TaskStarted', 'taskStartedEventDetails', task);
  }

  private taskDetails(stateName: string): Record<string, unknown> {
    const task = this.machine.tasks.get(stateName);
    if (!task) return {};
    return {
      resourceType: 'lambda',
      resource: task.kind === 'lambda' ? task.resource : task.resource.split(':::lambda:')[1],
    };
  }

  private add(type: string, detailsKey: string | undefined, details: Record<string, unknown>): void {
    const id = this.events.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp: Date.now(), type };
    if (detailsKey) event[detailsKey] = details;
    this.events.push(event);
  }
}

const DATA_FIELDS = new Set(['input', 'output', 'parameters']);

function toWireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const wire: Record<string, unknown> = { ...event, timestamp: seconds(event.timestamp) };
  if (!includeData) {
    for (const [key, value] of Object.entries(wire)) {
      if (key.endsWith('EventDetails') && value && typeof value === 'object') {
        wire[key] = Object.fromEntries(Object.entries(value).filter(([field]) => !DATA_FIELDS.has(field)));
      }
    }
  }
  return wire;
}

// ---------------------------------------------------------------------------------------------
// Persistence

/**
 * Execution records as JSON lines, appended on every change (the last line per ARN wins) and
 * compacted at start. Writes are batched; StartExecution waits for its line to be written.
 */
class ExecutionStore {
  private readonly file: string;
  private buffer: { line: string; done: () => void; failed: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    dataDir: string,
    private readonly log: (message: string) => void,
  ) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'executions.jsonl');
  }

  load(): ExecutionRecord[] {
    if (!existsSync(this.file)) return [];
    const latest = new Map<string, ExecutionRecord>();
    for (const line of readFileSync(this.file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      try {
        const record = JSON.parse(line) as ExecutionRecord;
        latest.set(record.executionArn, record);
      } catch {
        this.log(`local Step Functions: skipping a damaged line in ${this.file}`); // e.g. cut off by a kill
      }
    }
    return [...latest.values()];
  }

  compact(records: ExecutionRecord[]): void {
    const temporary = `${this.file}.tmp`;
    writeFileSync(temporary, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    renameSync(temporary, this.file);
  }

  put(record: ExecutionRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const written = new Promise<void>((done, failed) => this.buffer.push({ line, done, failed }));
    this.writing ??= this.drain();
    return written;
  }

  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // gather concurrent puts into one write
    while (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      try {
        await appendFile(this.file, batch.map((entry) => entry.line).join(''));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    this.writing = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function roleArnOf(machine: LocalStateMachine): string {
  const account = machine.arn.split(':')[4] ?? '000000000000';
  return `arn:aws:iam::${account}:role/${machine.logicalId}Role`;
}

function describe(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: seconds(record.startDate),
    ...(record.stopDate === undefined ? {} : { stopDate: seconds(record.stopDate) }),
  };
}

function paginate<T>(items: T[], maxResults: unknown, nextToken: unknown): { page: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  let offset = 0;
  if (nextToken !== undefined) {
    offset = Number(Buffer.from(String(nextToken), 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0)
      throw new ApiError('InvalidToken', 'Invalid pagination token');
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { page, nextToken: Buffer.from(String(next)).toString('base64url') }
    : { page };
}

/** The JSON 1.0 protocol sends timestamps as epoch seconds. */
function seconds(epochMs: number): number {
  return epochMs / 1000;
}

function isValidName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || NAME_FORBIDDEN.test(name)) return false;
  for (const char of name) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function causeText(cause: unknown): string {
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}
