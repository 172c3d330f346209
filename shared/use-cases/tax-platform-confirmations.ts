import { logger } from '#adapters/logger';
import { platformWaitOf } from '#adapters/tax-platform-waits';
import { resumeTask } from '#adapters/workflow-signal';

/**
 * A provider's callback (docs/tax-platform.md): resumes the workflow waiting for this request,
 * which then asks the platform itself (IssueInvoices), so the callback's word is never booked.
 * A callback before any wait, after the wait timed out or for a token already resumed changes
 * nothing (`resumed: false`): late and duplicate confirmations are no-ops.
 */
export async function confirmTaxPlatformRequest(
  requestId: string,
): Promise<{ requestId: string; resumed: boolean }> {
  const wait = await platformWaitOf(requestId);
  const resumed = wait ? (await resumeTask(wait.taskToken, {})) === 'resumed' : false;
  logger.info('tax platform callback', { requestId, resumed });
  return { requestId, resumed };
}
