import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, tableName } from '#adapters/dynamodb';

export type ReviewKind = 'TITLE' | 'APPLICATION';

/** Where a page of the queue stopped: gsi2's key plus the table key, as DynamoDB wants it back. */
export interface QueuePosition {
  pk: string;
  sk: string;
  gsi2pk: string;
  gsi2sk: string;
}

/**
 * One page of what waits for finance (gsi2 `PENDING_REVIEW#<kind>`, oldest first). gsi2 is
 * KEYS_ONLY, so the items are fetched from the table by key, strongly consistent, and an
 * index entry whose item is gone is skipped.
 */
export async function pendingReviews<T>(
  kind: ReviewKind,
  limit: number,
  after?: QueuePosition,
): Promise<{ items: T[]; last?: QueuePosition }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.pendingReview(kind) },
      Limit: limit,
      ExclusiveStartKey: after,
    }),
  );
  const tableKeys = (page.Items ?? []).map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
  const byKey = await getAll(tableKeys);
  const items = tableKeys
    .map((k) => byKey.get(`${k.pk}|${k.sk}`))
    .filter((item): item is Record<string, unknown> => item !== undefined)
    .map((item) => stripKeys<T>(item));
  return { items, last: page.LastEvaluatedKey as QueuePosition | undefined };
}

export function pendingReviewKey(kind: ReviewKind): string {
  return keys.pendingReview(kind);
}

async function getAll(
  tableKeys: { pk: string; sk: string }[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  // A query page holds at most 100 keys (the limit), which is one BatchGet.
  let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined =
    tableKeys.length > 0 ? { [tableName]: { Keys: tableKeys, ConsistentRead: true } } : undefined;
  for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
    if (attempt >= 8) throw new Error('BatchGet left keys unprocessed after 8 attempts');
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
    const result = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
    for (const item of result.Responses?.[tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
    request = result.UnprocessedKeys as typeof request;
  }
  return found;
}
