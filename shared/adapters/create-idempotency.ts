import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, type TransactItem, tableName } from '#adapters/dynamodb';
import { canonicalJson } from '#domain/canonical-json';
import { IdempotencyKeyReusedError } from '#domain/errors';

const TTL_SECONDS = 24 * 3600;

/**
 * Idempotency-Key for the customer profile's creating POSTs (titles, addresses), in the same
 * item layout as applications' (one key space per account). The operation is part of the
 * hash, so a key reused on another endpoint is refused rather than answered with another
 * endpoint's response.
 */
export interface IdempotentRequest {
  accountId: string;
  key: string;
  requestHash: string;
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export function idempotentRequest(
  accountId: string,
  key: string | undefined,
  operation: string,
  body: unknown,
): IdempotentRequest | undefined {
  if (!key) return undefined;
  const requestHash = createHash('sha256')
    .update(`${operation}\n${canonicalJson(body)}`)
    .digest('hex');
  return { accountId, key, requestHash };
}

/** The first response given under this key, if any; the key with another request is refused. */
export async function replay(request: IdempotentRequest | undefined): Promise<StoredResponse | undefined> {
  if (!request) return undefined;
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.idempotency(request.accountId, request.key),
      ConsistentRead: true,
    }),
  );
  if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 < Date.now())) return undefined;
  if (Item.requestHash !== request.requestHash) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request.');
  }
  return { statusCode: Item.statusCode, body: Item.body };
}

/** Stores the response in the transaction that creates the object: both or neither. */
export function rememberResponse(
  request: IdempotentRequest,
  response: StoredResponse,
  now: Date,
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.idempotency(request.accountId, request.key),
        requestHash: request.requestHash,
        statusCode: response.statusCode,
        body: response.body,
        expiresAt: Math.floor(now.getTime() / 1000) + TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}
