import { pendingReviewKey, pendingReviews, type QueuePosition } from '#adapters/review-queue';
import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import { ValidationError } from '#domain/errors';
import type { Title } from '#domain/title';
import type { ListQuery } from '#schemas/titles';
import * as z from '#schemas/zod';
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

const Position = z.object({ pk: z.string(), sk: z.string(), gsi2pk: z.string(), gsi2sk: z.string() });
const ReviewCursor = z.object({ titles: z.nullable(Position), applications: z.nullable(Position) });
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
