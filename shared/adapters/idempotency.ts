import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, type TransactItem, tableName } from '#adapters/dynamodb';
import { canonicalJson } from '#domain/canonical-json';
import { IdempotencyKeyReusedError } from '#domain/errors';

/**
 * Idempotency-Key (docs/API.md) for every creating POST: one item per account and key, written
 * in the transaction that creates the object (both or neither), answering the first response
 * again for the same request and refusing the key with another one.
 */

/** How long an answer is kept: 24 h (docs/API.md) unless a caller needs longer (R31, R34). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

/** The item's TTL attribute (epoch seconds). */
export function expiresAt(now: Date, ttlSeconds = IDEMPOTENCY_TTL_SECONDS): number {
  return Math.floor(now.getTime() / 1000) + ttlSeconds;
}

/**
 * The request's hash. The customer profile's endpoints (titles, addresses) share a key space
 * with applications, so they put their operation in the hash: a key reused on another endpoint
 * is refused rather than answered with that endpoint's response.
 */
export function hashRequest(body: unknown, operation?: string): string {
  const text = canonicalJson(body);
  return createHash('sha256')
    .update(operation === undefined ? text : `${operation}\n${text}`)
    .digest('hex');
}

export interface StoredResponse {
  statusCode: number;
  body: unknown;
}

export interface StoredIdempotency extends StoredResponse {
  requestHash: string;
  /** The application is still being reserved in chunks; its answer is not final yet. */
  pending: boolean;
}

/** What a key answered, unless it expired (DynamoDB's TTL deletes late). */
export async function getIdempotency(accountId: string, key: string): Promise<StoredIdempotency | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.idempotency(accountId, key), ConsistentRead: true }),
  );
  if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 < Date.now())) return undefined;
  return {
    requestHash: Item.requestHash,
    statusCode: Item.statusCode,
    body: Item.body,
    pending: Item.pending === true,
  };
}

/** The key's item, put only if the key is new (a concurrent first request wins once). */
export function putIdempotency(
  accountId: string,
  key: string,
  stored: StoredResponse & { requestHash: string; expiresAt: number },
  extra: Record<string, unknown> = {},
): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.idempotency(accountId, key), ...stored, ...extra },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** A key as the customer profile's creating POSTs (titles, addresses) use it. */
export interface IdempotentRequest {
  accountId: string;
  key: string;
  requestHash: string;
}

export function idempotentRequest(
  accountId: string,
  key: string | undefined,
  operation: string,
  body: unknown,
): IdempotentRequest | undefined {
  if (!key) return undefined;
  return { accountId, key, requestHash: hashRequest(body, operation) };
}

/** The first response given under this key, if any; the key with another request is refused. */
export async function replay(request: IdempotentRequest | undefined): Promise<StoredResponse | undefined> {
  if (!request) return undefined;
  const stored = await getIdempotency(request.accountId, request.key);
  if (!stored) return undefined;
  if (stored.requestHash !== request.requestHash) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request.');
  }
  return { statusCode: stored.statusCode, body: stored.body };
}

/** Stores the response in the transaction that creates the object: both or neither. */
export function rememberResponse(
  request: IdempotentRequest,
  response: StoredResponse,
  now: Date,
): TransactItem {
  return putIdempotency(request.accountId, request.key, {
    requestHash: request.requestHash,
    statusCode: response.statusCode,
    body: response.body,
    expiresAt: expiresAt(now),
  });
}
