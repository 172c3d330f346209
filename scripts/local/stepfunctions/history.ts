/** Execution history: the runner's event log as Step Functions history events. */
import type { ExecutionRecord, HistoryEvent, LoadedMachine } from './model.ts';
import { causeText, json, seconds } from './wire.ts';

export type RunnerEvent = {
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
export class History {
  readonly events: HistoryEvent[] = [];
  /** Task attempts that failed (a caught failure must not be reported as TaskSucceeded). */
  private readonly failed = new Set<string>();

  constructor(
    private readonly machine: LoadedMachine,
    private readonly roleArn: string,
  ) {}

  /** RedriveExecution: the execution goes on from its unsuccessful state. */
  redriven(redriveCount: number): void {
    this.add('ExecutionRedriven', 'executionRedrivenEventDetails', { redriveCount });
  }

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

export const DATA_FIELDS = new Set(['input', 'output', 'parameters']);

export function toWireEvent(event: HistoryEvent, includeData: boolean): Record<string, unknown> {
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
