import { flagForRecovery } from '#adapters/application-review-repository';
import { logger } from '#adapters/logger';
import type { FailInput } from '#use-cases/workflow/fail';

/**
 * The Catch of FailApplication: failure handling itself failed, so the application may still
 * hold reservations. It is flagged; the hourly watch runs the failure handling again until it
 * succeeds (invariant 5). One small write, so it succeeds where the full handling did not.
 */
export async function flagApplicationForRecovery(input: FailInput): Promise<void> {
  logger.error('failure handling failed; flagged for recovery', { applicationId: input.applicationId });
  await flagForRecovery(input.applicationId, input.error ?? {}, new Date().toISOString());
}
