import { getApplication } from '#adapters/application-repository';
import { NotFoundError } from '#domain/errors';
import type { ApplicationView } from '#schemas/applications';
import { applicationView } from '#use-cases/views';

export async function getApplicationFor(accountId: string, applicationId: string): Promise<ApplicationView> {
  const application = await getApplication(applicationId);
  // Another account's application answers as if it did not exist.
  if (!application || application.accountId !== accountId)
    throw new NotFoundError(`No application ${applicationId}.`);
  return applicationView(application);
}
