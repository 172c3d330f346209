import { randomUUID } from 'node:crypto';
import { getAccount } from '#adapters/account-repository';
import { idempotentRequest, replay } from '#adapters/idempotency';
import { liftSuppression } from '#adapters/mail-suppression';
import { hasOpenApplicationUsing } from '#adapters/open-applications';
import {
  getTitle,
  listTitles as listTitlePage,
  putNewTitle,
  deleteTitle as removeTitle,
  replaceTitle,
} from '#adapters/title-repository';
import { toShanghaiIso } from '#domain/calendar';
import { ConflictError, NotFoundError } from '#domain/errors';
import { assertMayHold, newTitle, revisedTitle, type Title } from '#domain/title';
import { cursorCodec } from '#schemas/cursor';
import type { ListQuery, TitleBody, TitleView } from '#schemas/titles';
import * as z from '#schemas/zod';

const DEFAULT_PAGE = 50;

/** The public shape: China time, no bookkeeping. */
export function titleView(title: Title): TitleView {
  const {
    accountId: _a,
    createdAt: _c,
    updatedAt: _u,
    resultMailedAt: _m,
    submittedAt,
    reviewDueBy,
    decidedAt,
    notifyEmailBounce,
    ...rest
  } = title;
  const at = (iso: string | undefined) => (iso ? toShanghaiIso(new Date(iso)) : undefined);
  return {
    ...rest,
    submittedAt: at(submittedAt),
    reviewDueBy: at(reviewDueBy),
    decidedAt: at(decidedAt),
    ...(notifyEmailBounce
      ? { notifyEmailBounce: { ...notifyEmailBounce, at: at(notifyEmailBounce.at)! } }
      : {}),
  };
}

/** R1, R2, R20, R21: adds a title; special ones wait for finance with a due date. */
export async function createTitle(
  accountId: string,
  body: TitleBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<{ statusCode: number; body: unknown }> {
  const request = idempotentRequest(accountId, idempotencyKey, 'POST /v1/titles', body);
  const previous = await replay(request);
  if (previous) return previous;
  const account = await getAccount(accountId);
  assertMayHold(account?.realName.type, body.type);
  const title = newTitle(accountId, `ttl_${randomUUID()}`, body, now);
  const response = { statusCode: 201, body: titleView(title) };
  try {
    await putNewTitle(title, request && { request, response, now });
  } catch (error) {
    // The same key may have won a concurrent race: answer with its response.
    const raced = error instanceof ConflictError ? await replay(request) : undefined;
    if (raced) return raced;
    throw error;
  }
  // Issue 14: naming an address on a new title is the customer correcting it.
  if (title.notifyEmail) await liftSuppression(accountId, title.notifyEmail);
  return response;
}

export async function listTitles(accountId: string, query: ListQuery) {
  const page = await listTitlePage(
    accountId,
    query.limit ?? DEFAULT_PAGE,
    cursor.decode(query.cursor)?.after,
  );
  return {
    items: page.items.map(titleView),
    nextCursor: page.lastTitleId ? cursor.encode({ after: page.lastTitleId }) : undefined,
  };
}

export async function getTitleFor(accountId: string, titleId: string): Promise<TitleView> {
  return titleView(await existing(accountId, titleId));
}

/**
 * R21: an ordinary title's edit applies at once; a special title goes back to review. A title
 * an open application uses cannot change under it.
 */
export async function updateTitle(
  accountId: string,
  titleId: string,
  body: TitleBody,
  now: Date,
): Promise<TitleView> {
  const current = await existing(accountId, titleId);
  const account = await getAccount(accountId);
  assertMayHold(account?.realName.type, body.type);
  const next = revisedTitle(current, body, now);
  if (next === current) return titleView(current);
  await assertNotInUse(current, 'changed');
  await replaceTitle(next, current);
  // Issue 14: a changed address drops the bounce mark (the title is written anew) and lifts the
  // new address's suppression: the customer changed it.
  if (next.notifyEmail && next.notifyEmail !== current.notifyEmail) {
    await liftSuppression(accountId, next.notifyEmail);
  }
  return titleView(next);
}

export async function deleteTitle(accountId: string, titleId: string): Promise<void> {
  const current = await existing(accountId, titleId);
  await assertNotInUse(current, 'deleted');
  await removeTitle(current);
}

async function existing(accountId: string, titleId: string): Promise<Title> {
  const title = await getTitle(accountId, titleId);
  if (!title) throw new NotFoundError(`No invoice title ${titleId}.`);
  return title;
}

async function assertNotInUse(title: Title, what: 'changed' | 'deleted'): Promise<void> {
  if (await hasOpenApplicationUsing(title.accountId, { titleId: title.titleId })) {
    throw new ConflictError(
      `The title is used by an application that is still open, so it cannot be ${what} now. ` +
        'Try again once the application is delivered, rejected or cancelled.',
    );
  }
}

const cursor = cursorCodec('titles', z.object({ after: z.string().check(z.regex(/^ttl_[0-9a-f-]{36}$/)) }));
