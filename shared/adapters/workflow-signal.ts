import { stepFunctions } from '#adapters/aws-services';

/** What Step Functions answers for a token that no longer waits. */
const GONE = new Set(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']);

/**
 * Resumes a task parked on its token (R25: finance's decision). A token that no longer waits
 * (already resumed, timed out, execution over) answers 'gone': there is nothing left to resume,
 * which makes resuming safe to repeat.
 */
export async function resumeTask(taskToken: string, output: unknown): Promise<'resumed' | 'gone'> {
  try {
    await stepFunctions('SendTaskSuccess', { taskToken, output: JSON.stringify(output) });
    return 'resumed';
  } catch (error) {
    if (GONE.has((error as Error).name)) return 'gone';
    throw error;
  }
}
