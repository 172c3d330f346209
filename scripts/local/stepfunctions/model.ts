/** The local Step Functions server's records, options and internal shapes. */
import type { StateMachine } from 'aws-local-stepfunctions';
import type { LambdaRuntime, LocalStateMachine } from '../types.ts';
import type { History } from './history.ts';

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
  /** The last top-level state entered and its input: where a redrive continues. */
  lastState?: { name: string; input: string };
  /** RedriveExecution: how often, when last, and where the current attempt began (a replay starts there). */
  redriveCount?: number;
  redriveDate?: number;
  redriveFrom?: { name: string; input: string };
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
  /** Task state name (any state machine) → whole seconds of TimeoutSeconds instead, e.g. to end a token wait sooner. */
  taskTimeoutOverrides?: Record<string, number>;
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
export const MAX_TIMER_SECONDS = Math.floor(0x7fffffff / 1000);
export const TOKEN_PLACEHOLDER = '__LOCAL_SFN_TASK_TOKEN__';
export const TOKEN_PATTERN = /^LOCAL[A-Za-z0-9_-]{64}$/;
export const SPENT_TOKENS_KEPT = 100_000;
/** Characters AWS rejects in execution names (besides whitespace and control characters). */
export const NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;

/** An error the SDK client raises as the named exception (HTTP 400, `__type`). */
export class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export type TaskKind = 'lambda' | 'invoke' | 'waitForTaskToken';

export interface TaskInfo {
  kind: TaskKind;
  resource: string;
  /** Static function logical id (absent for a dynamic `FunctionName.$`). */
  functionId?: string;
  /** The state's own timeout when it is a fixed number (used to expire its task tokens). */
  timeoutSeconds?: number;
}

export interface LoadedMachine {
  config: LocalStateMachine;
  runner: StateMachine;
  tasks: Map<string, TaskInfo>;
  waitStates: string[];
  retryStates: string[];
  createdAt: number;
}

export interface Execution {
  record: ExecutionRecord;
  history: History;
  abort?: () => void;
  /** Settles when the execution has finished and its history is complete. */
  done: Promise<void>;
  settle: () => void;
  tokens: Set<string>;
}

export interface PendingToken {
  execution: Execution;
  resolve(output: unknown): void;
  reject(error: Error): void;
}
