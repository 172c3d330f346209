/** Loading the template's state machine definitions for the runner, Task states mapped to Lambdas. */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { taskStatesOf } from '../template.ts';
import type { LocalStateMachine } from '../types.ts';
import {
  type LoadedMachine,
  MAX_TIMER_SECONDS,
  type TaskInfo,
  type TaskKind,
  TOKEN_PLACEHOLDER,
} from './model.ts';

/**
 * `startAt`: the same machine entered at another state (a redrive). Its states before that one
 * are unreachable then, which ASL validation refuses; the definition was validated as written.
 */
export function loadMachine(
  config: LocalStateMachine,
  startAt?: string,
  timeoutOverrides: Record<string, number> = {},
): LoadedMachine {
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
    const timeoutOverride = timeoutOverrides[stateName];
    if (timeoutOverride !== undefined) state.TimeoutSeconds = timeoutOverride;
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
  if (startAt !== undefined) definition.StartAt = startAt;
  const runner = new StateMachine(
    definition as unknown as StateMachineDefinition,
    startAt === undefined ? undefined : { validationOptions: { noValidate: true } },
  );
  return {
    config,
    runner,
    tasks,
    waitStates: statesOf(definition, (state) => state.Type === 'Wait'),
    retryStates: statesOf(definition, (state) => Array.isArray(state.Retry)),
    createdAt: Date.now(),
  };
}

export function statesOf(
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
export function withTokenPlaceholder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withTokenPlaceholder);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (key.endsWith('.$') && item === '$$.Task.Token') out[key.slice(0, -2)] = TOKEN_PLACEHOLDER;
    else out[key] = withTokenPlaceholder(item);
  }
  return out;
}

export function replaceToken(value: unknown, token: string): unknown {
  if (value === TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => replaceToken(item, token));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, replaceToken(item, token)]));
}

export function expandOverrides<T>(
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
