/**
 * Errors workflow tasks throw by name, so the state machine's Retry and Catch can tell a
 * permanent failure (not retried) from a transient one (retried with backoff).
 */
export class PermanentTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentTaskError';
  }
}

export const PERMANENT_TASK_ERRORS = ['PermanentTaskError'] as const;

/**
 * Another invocation holds the claim to send this notice right now (a duplicated step). Not
 * permanent: a retry finds it sent, or takes over a claim whose holder is gone.
 */
export class NoticeInFlightError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoticeInFlightError';
  }
}

/**
 * The workflow runs before its application is stored (it starts first): the application is not
 * in the table yet, and may still come. Retried with backoff until the start's `acceptBy`.
 */
export class ApplicationNotStoredYetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplicationNotStoredYet';
  }
}
