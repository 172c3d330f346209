/** Errors as Step Functions reports them. */
import { ExecutionError, ExecutionTimeoutError } from 'aws-local-stepfunctions';
import { LambdaInvocationError } from '../types.ts';
import type { ExecutionRecord, ExecutionStatus } from './model.ts';

/**
 * A handler's error as Step Functions reports it: Error = the handler's error name (what
 * Retry/Catch match), Cause = Lambda's JSON error document.
 */
export function taskError(error: unknown): Error {
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
export function stopped(reason: string): Error {
  const error = new Error(`Task stopped: ${reason}`);
  error.name = 'States.Runtime';
  Object.assign(error, { isRetryable: false, isCatchable: false });
  return error;
}

export function failureOf(error: unknown): Partial<ExecutionRecord> & { status: ExecutionStatus } {
  if (error instanceof ExecutionTimeoutError) {
    return { status: 'TIMED_OUT', error: 'States.Timeout', cause: 'The execution timed out' };
  }
  const cause = error instanceof ExecutionError ? error.cause : error;
  if (cause instanceof Error) return { status: 'FAILED', error: cause.name, cause: cause.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(cause) };
}
