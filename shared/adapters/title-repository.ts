import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, tableName, transact } from '#adapters/dynamodb';
import { type IdempotentRequest, rememberResponse, type StoredResponse } from '#adapters/idempotency';
import { ConflictError } from '#domain/errors';
import type { Title } from '#domain/title';

export async function getTitle(accountId: string, titleId: string): Promise<Title | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.title(accountId, titleId), ConsistentRead: true }),
  );
  return Item ? stripKeys<Title>(Item) : undefined;
}

/**
 * The stored item: a title pending review is also on gsi2 under PENDING_REVIEW#TITLE, oldest
 * submission first, for finance (GET /v1/admin/reviews). Every write puts the whole item, so
 * a title leaving review leaves the index too.
 */
function itemOf(title: Title): Record<string, unknown> {
  const pending =
    title.status === 'pending-review'
      ? {
          gsi2pk: keys.pendingReview('TITLE'),
          gsi2sk: `${title.submittedAt}#${title.accountId}#${title.titleId}`,
        }
      : {};
  return { ...keys.title(title.accountId, title.titleId), ...pending, ...title };
}

/** A new title, with the response to remember under its Idempotency-Key in the same transaction. */
export async function putNewTitle(
  title: Title,
  idempotency?: { request: IdempotentRequest; response: StoredResponse; now: Date },
): Promise<void> {
  const put = {
    TableName: tableName,
    Item: itemOf(title),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
  if (!idempotency) {
    await documentClient.send(new PutCommand(put));
    return;
  }
  await transact([
    { Put: put },
    rememberResponse(idempotency.request, idempotency.response, idempotency.now),
  ]);
}

/** One page of the account's titles in id order; `after` is the last title id of the previous page. */
export async function listTitles(
  accountId: string,
  limit: number,
  after?: string,
): Promise<{ items: Title[]; lastTitleId?: string }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.titlePrefix },
      Limit: limit,
      ExclusiveStartKey: after ? keys.title(accountId, after) : undefined,
    }),
  );
  const items = (page.Items ?? []).map((item) => stripKeys<Title>(item));
  return { items, lastTitleId: page.LastEvaluatedKey ? items.at(-1)?.titleId : undefined };
}

/**
 * Replaces a title as it was read (optimistic lock on `updatedAt`); with `whilePending` only
 * if it is still waiting for review, as a finance decision requires.
 */
export async function replaceTitle(
  next: Title,
  seen: Title,
  options: { whilePending?: boolean } = {},
): Promise<void> {
  const pending = options.whilePending ? ' AND #status = :pending' : '';
  await conditional(() =>
    documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: itemOf(next),
        ConditionExpression: `updatedAt = :seen${pending}`,
        ExpressionAttributeNames: options.whilePending ? { '#status': 'status' } : undefined,
        ExpressionAttributeValues: {
          ':seen': seen.updatedAt,
          ...(options.whilePending ? { ':pending': 'pending-review' } : {}),
        },
      }),
    ),
  );
}

export async function deleteTitle(seen: Title): Promise<void> {
  await conditional(() =>
    documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: keys.title(seen.accountId, seen.titleId),
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': seen.updatedAt },
      }),
    ),
  );
}

/**
 * Records that the review result e-mail for the decision taken at `decidedAt` went out. If the
 * customer has edited the title since, that decision is history and there is nothing to mark.
 */
export async function markResultMailed(title: Title, at: Date): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.title(title.accountId, title.titleId),
        UpdateExpression: 'SET resultMailedAt = :at',
        ConditionExpression: 'decidedAt = :decidedAt',
        ExpressionAttributeValues: { ':at': at.toISOString(), ':decidedAt': title.decidedAt },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

async function conditional(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new ConflictError('The title was changed or decided meanwhile; read it again and retry.');
    }
    throw error;
  }
}
