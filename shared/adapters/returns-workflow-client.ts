import { stepFunctions } from '#adapters/aws-services';
import { requireEnv } from '#config/env';
import type { InvoiceReturn } from '#domain/returns';

const stateMachineArn = requireEnv('RETURNS_STATE_MACHINE_ARN');

export interface ReturnWorkflowInput {
  returnId: string;
  /** The original invoice's application: names the logs' context like the application workflow's. */
  applicationId: string;
  /** Paper: wait for finance to confirm the mailed-back invoice arrived. */
  awaitArrival: boolean;
  reissue: boolean;
  /** Every step logs under it: the return request's (issue 16), or the application id for older returns. */
  correlationId: string;
}

/** The workflow input of a return, from the return as recorded (the request and the sweeper alike). */
export function returnWorkflowInput(invoiceReturn: InvoiceReturn): ReturnWorkflowInput {
  return {
    returnId: invoiceReturn.returnId,
    applicationId: invoiceReturn.applicationId,
    awaitArrival: invoiceReturn.medium === 'paper',
    reissue: invoiceReturn.reissueTitleId !== undefined,
    correlationId: invoiceReturn.correlationId ?? invoiceReturn.applicationId,
  };
}

/** Starts the return's workflow (R34), named after the return so a second start finds the first. */
export async function startReturnWorkflow(input: ReturnWorkflowInput): Promise<void> {
  try {
    await stepFunctions('StartExecution', {
      stateMachineArn,
      name: input.returnId,
      input: JSON.stringify(input),
    });
  } catch (error) {
    if ((error as Error).name === 'ExecutionAlreadyExists') return;
    throw error;
  }
}
