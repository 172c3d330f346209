import { stepFunctions } from '#adapters/aws-services';
import { requireEnv } from '#config/env';

const stateMachineArn = requireEnv('STATE_MACHINE_ARN');

export interface WorkflowInput {
  applicationId: string;
  accountId: string;
  /** UTC instant the Wait state sleeps until: the cancellation deadline (R24). */
  waitUntil: string;
  /**
   * Until when the application may still be on its way to the table (the workflow starts
   * before it is stored): an application missing after this was never accepted.
   */
  acceptBy: string;
  /** Passed to every task, which logs under it (the application's, or its id when it has none). */
  correlationId: string;
}

/**
 * Starts the application's workflow, named after the application so that a second start
 * (a retried request, the sweeper) finds the first instead of running twice.
 */
export async function startApplicationWorkflow(input: WorkflowInput): Promise<void> {
  try {
    await stepFunctions('StartExecution', {
      stateMachineArn,
      name: input.applicationId,
      input: JSON.stringify(input),
    });
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return;
    throw error;
  }
}

/**
 * Stops the application's workflow (a cancellation, R24). An execution that does not exist
 * (not started yet) or has already ended is fine: the workflow reads the status before it acts.
 */
export async function stopApplicationWorkflow(applicationId: string, cause: string): Promise<void> {
  const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${applicationId}`;
  try {
    await stepFunctions('StopExecution', { executionArn, error: 'ApplicationCancelled', cause });
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return;
    throw error;
  }
}
