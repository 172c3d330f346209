import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { stampUpdate } from '#adapters/audit-repository';
import { documentClient, keys, stripKeys, tableName } from '#adapters/dynamodb';
import type { ChangeStamp } from '#domain/audit';

/** R35: a customer's request for a stamped copy of a lost invoice (one open per invoice). */
export interface CopyRequest {
  requestId: string;
  invoiceId: string;
  invoiceNumber: string;
  accountId: string;
  status: 'open' | 'sent';
  requestedAt: string;
  sentAt?: string;
  /** Where the customer hears that the copy was sent. */
  email?: string;
}

export async function getCopyRequest(invoiceId: string): Promise<CopyRequest | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.copyRequest(invoiceId), ConsistentRead: true }),
  );
  return Item ? stripKeys<CopyRequest>(Item) : undefined;
}

/**
 * Opens a request unless one is open already (then that one stands: the request is idempotent
 * per invoice while open). A request after the last copy was sent opens a new one.
 */
export async function openCopyRequest(request: CopyRequest): Promise<CopyRequest> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.copyRequest(request.invoiceId),
          gsi2pk: keys.openCopyRequests,
          gsi2sk: `${request.requestedAt}#${request.invoiceId}`,
          ...request,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :sent',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent' },
      }),
    );
    return request;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
  const open = await getCopyRequest(request.invoiceId);
  if (!open) throw new Error(`Copy request of ${request.invoiceId} vanished`);
  return open;
}

/** open → sent, leaving finance's list. Undefined when it was not open. */
export async function markCopySent(
  invoiceId: string,
  requestId: string,
  stamp: ChangeStamp,
): Promise<CopyRequest | undefined> {
  const s = stampUpdate(stamp);
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.copyRequest(invoiceId),
        UpdateExpression: `SET #status = :sent, sentAt = :at, ${s.set} REMOVE gsi2pk, gsi2sk${s.remove ? `, ${s.remove}` : ''}`,
        ConditionExpression: '#status = :open AND requestId = :id',
        ExpressionAttributeNames: { '#status': 'status', ...s.names },
        ExpressionAttributeValues: {
          ':sent': 'sent',
          ':open': 'open',
          ':at': stamp.changedAt,
          ':id': requestId,
          ...s.values,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<CopyRequest>(Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Open requests, oldest first (gsi2 holds keys only: the items are read after). */
export async function listOpenCopyRequestsPage(
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: CopyRequest[]; next?: Record<string, unknown> }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.openCopyRequests },
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  const found = page.Items ?? [];
  if (found.length === 0) return { items: [], next: page.LastEvaluatedKey };
  const { Responses } = await documentClient.send(
    new BatchGetCommand({
      RequestItems: {
        [tableName]: { Keys: found.map((k) => ({ pk: k.pk, sk: k.sk })), ConsistentRead: true },
      },
    }),
  );
  const byPk = new Map(
    (Responses?.[tableName] ?? []).map((i) => [i.pk as string, stripKeys<CopyRequest>(i)]),
  );
  const items = found
    .map((k) => byPk.get(k.pk as string))
    .filter((r): r is CopyRequest => r !== undefined && r.status === 'open');
  return { items, next: page.LastEvaluatedKey };
}
