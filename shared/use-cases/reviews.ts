import * as z from 'zod';
import { getAccount } from '#adapters/account-repository';
import { logger } from '#adapters/logger';
import { sendMail } from '#adapters/mailer';
import { pendingReviewKey, pendingReviews, type QueuePosition } from '#adapters/review-queue';
import { getTitle, markResultMailed, replaceTitle } from '#adapters/title-repository';
import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import { NotFoundError, ValidationError } from '#domain/errors';
import { decidedTitle, isUnmailedRepeat, type Title, type TitleDecision } from '#domain/title';
import { titleReviewEmail } from '#domain/title-notifications';
import type { ListQuery } from '#schemas/titles';
import { titleView } from '#use-cases/titles';

const DEFAULT_PAGE = 50;

/** Applications still waiting; an index entry that lags behind a decision is not shown. */
const WAITING: ReadonlySet<string> = new Set(['submitted', 'in-review']);

/**
 * GET /v1/admin/reviews: special titles waiting for qualification review (R21) and
 * applications waiting for finance (R25), each oldest first. The cursor carries where each
 * list stopped; a list that is done stays empty on later pages.
 */
export async function listReviews(query: ListQuery) {
  const limit = query.limit ?? DEFAULT_PAGE;
  const cursor = decodeCursor(query.cursor);
  const [titles, applications] = await Promise.all([
    cursor?.titles === null
      ? { items: [], last: undefined }
      : pendingReviews<Title>('TITLE', limit, cursor?.titles),
    cursor?.applications === null
      ? { items: [], last: undefined }
      : pendingReviews<Application>('APPLICATION', limit, cursor?.applications),
  ]);
  const next =
    titles.last || applications.last
      ? encodeCursor({ titles: titles.last ?? null, applications: applications.last ?? null })
      : undefined;
  return {
    titles: titles.items
      .filter((t) => t.status === 'pending-review')
      .map((t) => ({ accountId: t.accountId, ...titleView(t) })),
    applications: applications.items
      .filter((a) => WAITING.has(a.status))
      .map((a) => ({
        accountId: a.accountId,
        applicationId: a.applicationId,
        total: a.total,
        titleName: a.title.name,
        titleType: a.title.type,
        medium: a.delivery.medium,
        submittedAt: toShanghaiIso(new Date(a.submittedAt)),
        expectedBy: toShanghaiIso(new Date(a.expectedBy)),
      })),
    nextCursor: next,
  };
}

/**
 * Finance's decision on a pending special title (R21), e-mailed to the customer (R30) in the
 * account's language, with the reason on rejection. The decision is stored first; if the
 * e-mail then fails the request fails, and repeating the same decision sends it again
 * (a different decision, or any decision on a title not pending, is a conflict).
 */
export async function decideTitle(accountId: string, titleId: string, decision: TitleDecision, now: Date) {
  const title = await getTitle(accountId, titleId);
  if (!title) throw new NotFoundError(`Account ${accountId} has no invoice title ${titleId}.`);
  let decided = title;
  if (!isUnmailedRepeat(title, decision)) {
    decided = decidedTitle(title, decision, now);
    await replaceTitle(decided, title, { whilePending: true });
    logger.info('title decided', { titleId, status: decided.status });
  }
  await notifyCustomer(decided, now);
  return { accountId, ...titleView(decided) };
}

async function notifyCustomer(title: Title, now: Date): Promise<void> {
  if (!title.notifyEmail) {
    // Special titles saved before notifyEmail was required have nowhere to send to.
    logger.warn('title review result not mailed: no notifyEmail', { titleId: title.titleId });
    return;
  }
  const account = await getAccount(title.accountId);
  const content = titleReviewEmail(account?.language ?? 'zh', title);
  await sendMail({ to: title.notifyEmail, ...content });
  await markResultMailed(title, now);
  logger.info('title review result mailed', { titleId: title.titleId, status: title.status });
}

const Position = z.object({ pk: z.string(), sk: z.string(), gsi2pk: z.string(), gsi2sk: z.string() });
const ReviewCursor = z.object({ titles: Position.nullable(), applications: Position.nullable() });
type ReviewCursor = z.infer<typeof ReviewCursor>;

function encodeCursor(cursor: ReviewCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(raw: string | undefined): ReviewCursor | undefined {
  if (raw === undefined) return undefined;
  let parsed: ReturnType<typeof ReviewCursor.safeParse> | undefined;
  try {
    parsed = ReviewCursor.safeParse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch {
    parsed = undefined;
  }
  const cursor = parsed?.success ? parsed.data : undefined;
  const sameQueue = (p: QueuePosition | null, kind: 'TITLE' | 'APPLICATION') =>
    p === null || p.gsi2pk === pendingReviewKey(kind);
  if (!cursor || !sameQueue(cursor.titles, 'TITLE') || !sameQueue(cursor.applications, 'APPLICATION')) {
    throw new ValidationError('The cursor is not one this endpoint gave out.', [
      { path: 'query.cursor', message: 'not a valid cursor' },
    ]);
  }
  return cursor;
}
