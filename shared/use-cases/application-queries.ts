import { getAccount } from '#adapters/account-repository';
import { listApplicationsOf } from '#adapters/application-listing';
import { getApplication } from '#adapters/application-repository';
import { isListedFor } from '#adapters/organization-repository';
import { NotFoundError } from '#domain/errors';
import type { ApplicationList, ApplicationListQuery, ApplicationView } from '#schemas/applications';
import { CursorTimeKey, cursorCodec } from '#schemas/cursor';
import * as z from '#schemas/zod';
import { applicationView } from '#use-cases/views';

const DEFAULT_PAGE = 20;

export async function getApplicationFor(accountId: string, applicationId: string): Promise<ApplicationView> {
  const application = await getApplication(applicationId);
  // Another account's application answers as if it did not exist, unless it includes this
  // account's records or this account applied for it (R32: a pointer lists it for the account).
  if (!application || (application.accountId !== accountId && !(await isListedFor(applicationId, accountId))))
    throw new NotFoundError(`No application ${applicationId}.`);
  return applicationView(application);
}

/**
 * GET /v1/applications: the account's applications, newest first, optionally of one status,
 * with their timelines; and (R19) the title and delivery target the last one used, so the
 * next application form can be prefilled. The cursor is opaque to clients; it only ever
 * continues the caller's own list (the account comes from the token, not the cursor).
 */
export async function listApplicationsFor(
  accountId: string,
  query: ApplicationListQuery,
): Promise<ApplicationList> {
  const [page, account] = await Promise.all([
    listApplicationsOf(accountId, {
      limit: query.limit ?? DEFAULT_PAGE,
      status: query.status,
      after: cursor.decode(query.cursor)?.after,
    }),
    getAccount(accountId),
  ]);
  return {
    items: page.items.map(applicationView),
    ...(page.after ? { nextCursor: cursor.encode({ after: page.after }) } : {}),
    ...(account?.lastUsed ? { prefill: account.lastUsed } : {}),
  };
}

/** Where a page stopped: the list's sort key (submission instant and application id). */
const cursor = cursorCodec('applications', z.object({ after: CursorTimeKey }));
