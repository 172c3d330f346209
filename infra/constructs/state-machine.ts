import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  DefinitionBody,
  type IChainable,
  IntegrationPattern,
  JsonPath,
  LogLevel,
  StateMachine,
  StateMachineType,
  type TaskInput,
  Timeout,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';

/** Errors that retrying cannot fix; see shared/domain/workflow-errors.ts. */
export const PERMANENT_ERRORS = ['PermanentTaskError'];

export interface LambdaStepProps {
  fn: IFunction;
  payload?: TaskInput;
  /**
   * Where the result goes: `discard` keeps the state as it was (the default), `replace` makes
   * the result the next state (no ResultPath: the local runner mis-reads an explicit "$"), or a
   * path such as `$.review`.
   */
  result?: 'discard' | 'replace' | string;
  /** Attempts of the States.ALL retry (2 s, doubling). */
  retries: number;
  /** Retry PermanentTaskError like any other error (steps that are safe to repeat as they are). */
  retryPermanent?: boolean;
  /** Park on a task token until it is answered, or `timeout` runs out (a timeout is not retried). */
  waitForToken?: { timeout: Duration };
  /**
   * Errors retried on their own schedule before the States.ALL retry, e.g. a tax platform that
   * has not confirmed yet (polling with backoff), or States.Timeout of a token task whose every
   * wait is one poll.
   */
  extraRetries?: { errors: string[]; interval?: Duration; backoffRate?: number; maxAttempts: number }[];
}

/**
 * A Lambda task the way every state machine here uses one: the function's answer directly
 * (payloadResponseOnly), no blanket service-exception retry, a state timeout a little after the
 * function's own (so a retry never overlaps a live attempt), permanent errors never retried and
 * everything else retried with backoff. Token tasks wait for their token and never retry
 * States.Timeout (it would restart the whole waiting period).
 */
export function lambdaStep(scope: Construct, id: string, props: LambdaStepProps): LambdaInvoke {
  const result = props.result ?? 'discard';
  const step = new LambdaInvoke(scope, id, {
    lambdaFunction: props.fn,
    ...(props.waitForToken
      ? {
          integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
          taskTimeout: Timeout.duration(props.waitForToken.timeout),
        }
      : {
          payloadResponseOnly: true,
          taskTimeout: Timeout.duration(functionTimeout(props.fn).plus(Duration.seconds(30))),
        }),
    payload: props.payload,
    ...(result === 'replace' ? {} : { resultPath: result === 'discard' ? JsonPath.DISCARD : result }),
    retryOnServiceExceptions: false,
  });
  if (!props.retryPermanent) step.addRetry({ errors: PERMANENT_ERRORS, maxAttempts: 0 });
  for (const retry of props.extraRetries ?? []) step.addRetry(retry);
  if (props.waitForToken && !props.extraRetries?.some((r) => r.errors.includes('States.Timeout')))
    step.addRetry({ errors: ['States.Timeout'], maxAttempts: 0 });
  step.addRetry({
    errors: ['States.ALL'],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: props.retries,
  });
  return step;
}

function functionTimeout(fn: IFunction): Duration {
  return (fn as { timeout?: Duration }).timeout ?? Duration.seconds(60);
}

/**
 * The stack's one log group for its state machines: each execution's log stream names its state
 * machine, and one group costs one resource, not one per machine (docs/DESIGN.md, Growth).
 */
function stateMachineLogs(scope: Construct): LogGroup {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('StateMachineLogs');
  if (existing) return existing as LogGroup;
  return new LogGroup(stack, 'StateMachineLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/** A Standard state machine with X-Ray tracing and every event logged (without execution data). */
export function standardStateMachine(
  scope: Construct,
  props: { stateMachineName: string; definition: IChainable },
): StateMachine {
  return new StateMachine(scope, 'StateMachine', {
    stateMachineName: props.stateMachineName,
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: DefinitionBody.fromChainable(props.definition),
    tracingEnabled: true,
    logs: {
      destination: stateMachineLogs(scope),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
}
