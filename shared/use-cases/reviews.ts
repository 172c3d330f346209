import { pendingReviewKey, pendingReviews } from '#adapters/review-queue';
import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import type { Title } from '#domain/title';
import { CursorKeyPart, CursorTimeKey, cursorCodec } from '#schemas/cursor';
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
  const cursor = reviewCursor.decode(query.cursor);
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
      ? reviewCursor.encode({ titles: titles.last ?? null, applications: applications.last ?? null })
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

/** Where a queue's page stopped (its table key and its place in gsi2), or null once it is done. */
const queuePosition = (kind: 'TITLE' | 'APPLICATION') =>
  z.nullable(
    z.object({
      pk: CursorKeyPart,
      sk: CursorKeyPart,
      gsi2pk: z.literal(pendingReviewKey(kind)),
      gsi2sk: CursorTimeKey,
    }),
  );
const reviewCursor = cursorCodec(
  'reviews',
  z.object({ titles: queuePosition('TITLE'), applications: queuePosition('APPLICATION') }),
);
