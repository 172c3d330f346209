import {
  InvalidToken,
  SendTaskSuccessCommand,
  SFNClient,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';

const sfn = new SFNClient({});

/**
 * Resumes a task parked on its token (R25: finance's decision). A token that no longer waits
 * (already resumed, timed out, execution over) answers 'gone': there is nothing left to resume,
 * which makes resuming safe to repeat.
 */
export async function resumeTask(taskToken: string, output: unknown): Promise<'resumed' | 'gone'> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
    return 'resumed';
  } catch (error) {
    if (error instanceof TaskTimedOut || error instanceof InvalidToken || error instanceof TaskDoesNotExist)
      return 'gone';
    throw error;
  }
}
