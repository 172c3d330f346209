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
 * - RedriveExecution: a failed, timed-out or aborted execution continues from the last top-level
 *   state it entered, with that state's input (as AWS does); an inline Map is run again whole
 *   rather than only its failed iterations, which idempotent iterations do not notice.
 *
 * Known limits: HeartbeatSeconds is ignored (SendTaskHeartbeat only validates the token); a
 * Wait or timeout longer than ~24.8 days (Node's timer limit) is clamped for task timeouts but
 * fires at once for Wait states; `$$.Task.Token` is only supported as a whole `"x.$"` value;
 * only Lambda task resources are supported (checked at start).
 *
 * This file is the server (the API actions and running executions); its parts are in
 * stepfunctions/: definitions (loading machines, Task states to Lambdas), history, the
 * execution store (persistence), errors, the wire format, and the shared model.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunOptions } from 'aws-local-stepfunctions';
import { expandOverrides, loadMachine, replaceToken } from './stepfunctions/definitions.ts';
import { failureOf, stopped, taskError } from './stepfunctions/errors.ts';
import { ExecutionStore } from './stepfunctions/execution-store.ts';
import { History, toWireEvent } from './stepfunctions/history.ts';
import {
  ApiError,
  type Execution,
  type ExecutionRecord,
  type ExecutionStatus,
  type LoadedMachine,
  MAX_TIMER_SECONDS,
  type PendingToken,
  SPENT_TOKENS_KEPT,
  type StepFunctionsServer,
  type StepFunctionsServerOptions,
  type TaskInfo,
  TOKEN_PATTERN,
} from './stepfunctions/model.ts';
import {
  describe,
  executionArnOf,
  isJson,
  isValidName,
  paginate,
  readBody,
  roleArnOf,
  seconds,
  send,
} from './stepfunctions/wire.ts';
import { functionNameOf } from './template.ts';

export type {
  ExecutionRecord,
  ExecutionStatus,
  HistoryEvent,
  StepFunctionsServer,
  StepFunctionsServerOptions,
} from './stepfunctions/model.ts';

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

/** AWS redrives executions that ended within the last 14 days. */
const REDRIVABLE_MS = 14 * 24 * 3600 * 1000;

export async function startStepFunctionsServer(
  options: StepFunctionsServerOptions,
): Promise<StepFunctionsServer> {
  const log = options.log ?? ((message: string) => console.error(message));
  const timeoutOverrides = options.taskTimeoutOverrides ?? {};
  const machines = new Map(
    options.stateMachines.map((config) => [config.arn, loadMachine(config, undefined, timeoutOverrides)]),
  );
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

  /** The machine started at another state (a redrive), loaded once per state. */
  const redriveRunners = new Map<string, LoadedMachine>();
  const startingAt = (machine: LoadedMachine, state: string): LoadedMachine => {
    const key = `${machine.config.arn}#${state}`;
    let loaded = redriveRunners.get(key);
    if (!loaded) {
      loaded = loadMachine(machine.config, state, timeoutOverrides);
      redriveRunners.set(key, loaded);
    }
    return loaded;
  };

  const launch = (execution: Execution, original: LoadedMachine): void => {
    const { record } = execution;
    const from = record.redriveFrom;
    const machine = from ? startingAt(original, from.name) : original;
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<unknown>> = {};
    for (const [stateName, task] of machine.tasks) {
      taskResourceLocalHandlers[stateName] = (input) => runTask(execution, task, input);
    }
    const overrides = {
      taskResourceLocalHandlers,
      waitTimeOverrides: expandOverrides(options.waitOverrides, machine.waitStates),
      retryIntervalOverrides: expandOverrides(options.retryIntervalOverrides, machine.retryStates),
    } as RunOptions['overrides'];
    const run = machine.runner.run(JSON.parse(from ? from.input : record.input), {
      overrides,
      noThrowOnAbort: true,
      context: {
        Execution: {
          Id: record.executionArn,
          Name: record.name,
          RoleArn: roleArnOf(machine.config),
          RedriveCount: record.redriveCount ?? 0,
          // The context's input is the execution's, also on a redrive (the runner's run input is the state's).
          Input: JSON.parse(record.input),
        },
        StateMachine: { Id: machine.config.arn, Name: machine.config.name },
      },
    });
    execution.abort = run.abort;
    const history = (async () => {
      for await (const event of run.eventLogs) {
        if (from && event.type === 'ExecutionStarted') continue; // a redrive starts nothing new
        if (event.type === 'StateEntered' && event.index === undefined) {
          record.lastState = { name: event.state.name, input: JSON.stringify(event.state.input ?? null) };
        }
        execution.history.record(event, record);
      }
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

  const redriveStatusOf = (
    record: ExecutionRecord,
  ): { redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE'; redriveStatusReason: string } => {
    if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') {
      const reason = `Execution is ${record.status} and cannot be redriven`;
      return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: reason };
    }
    if (record.stopDate !== undefined && Date.now() - record.stopDate > REDRIVABLE_MS) {
      return { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution redrivable period exceeded' };
    }
    return { redriveStatus: 'REDRIVABLE', redriveStatusReason: '' };
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
        redriveCount: record.redriveCount ?? 0,
        ...(record.redriveDate === undefined ? {} : { redriveDate: seconds(record.redriveDate) }),
        ...redriveStatusOf(record),
      };
    },

    async RedriveExecution(request) {
      const execution = executionOf(request.executionArn);
      const { record } = execution;
      const status = redriveStatusOf(record);
      if (status.redriveStatus !== 'REDRIVABLE') {
        throw new ApiError('ExecutionNotRedrivable', status.redriveStatusReason);
      }
      const machine = machineOf(record.stateMachineArn);
      // Where it stopped: the last top-level state entered (the unsuccessful step), with its input.
      const from = record.lastState ?? {
        name: String(machine.config.definition.StartAt),
        input: record.input,
      };
      record.redriveCount = (record.redriveCount ?? 0) + 1;
      record.redriveDate = Date.now();
      record.redriveFrom = from;
      record.status = 'RUNNING';
      delete record.stopDate;
      delete record.error;
      delete record.cause;
      delete record.output;
      execution.done = new Promise<void>((resolve) => {
        execution.settle = resolve;
      });
      execution.history.redriven(record.redriveCount);
      launch(execution, machine);
      await persist(record);
      return { redriveDate: seconds(record.redriveDate) };
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
