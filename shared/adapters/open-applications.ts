import { keys, queryPages } from '#adapters/dynamodb';
import { TERMINAL_STATUSES } from '#domain/application';

/**
 * Whether one of the account's open applications (not delivered, rejected, cancelled or
 * failed; `issued` and `shipped` paper applications are still open) uses the title or the
 * mailing address.
 *
 * Tradeoff: this reads the account's applications through gsi1 with a filter, so it costs
 * read capacity in proportion to the account's whole application history (filters do not
 * reduce what is read), though it stops at the first match. Titles and addresses change
 * rarely, so that is acceptable; a usage counter on the title, kept by the application
 * writes, would make it O(1) but couple every application transition to the profile items.
 * It is also a check, not a lock, over an eventually consistent index: an application accepted
 * a moment before (or during) the edit may not be seen, and keeps the snapshot of the title it
 * was accepted with (R26).
 */
export async function hasOpenApplicationUsing(
  accountId: string,
  uses: { titleId: string } | { addressId: string },
): Promise<boolean> {
  const closed = [...TERMINAL_STATUSES];
  const values: Record<string, unknown> = { ':pk': keys.applicationsOf(accountId) };
  closed.forEach((status, i) => {
    values[`:closed${i}`] = status;
  });
  const usesFilter = 'titleId' in uses ? '#title.#titleId = :id' : '#delivery.#addressId = :id';
  values[':id'] = 'titleId' in uses ? uses.titleId : uses.addressId;
  const pages = queryPages({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    FilterExpression: `${usesFilter} AND NOT (#status IN (${closed.map((_, i) => `:closed${i}`).join(', ')}))`,
    ExpressionAttributeNames: {
      '#status': 'status',
      ...('titleId' in uses
        ? { '#title': 'title', '#titleId': 'titleId' }
        : { '#delivery': 'delivery', '#addressId': 'addressId' }),
    },
    ExpressionAttributeValues: values,
    ProjectionExpression: 'pk',
  });
  // The first page that finds one answers (a filter may leave earlier pages empty).
  for await (const page of pages) if (page.length > 0) return true;
  return false;
}
