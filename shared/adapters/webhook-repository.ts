import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  isConditionFailure,
  itemsOnList,
  keys,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { type IdempotentRequest, rememberResponse, type StoredResponse } from '#adapters/idempotency';
import { type Delivery, type DeliveryAttempt, MAX_WEBHOOKS, type Webhook } from '#domain/webhooks';

/**
 * Webhook endpoints and their deliveries in the single table (kept here rather than in
 * `keys`, so only the functions that deal with webhooks carry the layout):
 *
 * - an endpoint beside the account: `ACCOUNT#<account>` / `WEBHOOK#<id>`, and the account's
 *   endpoint count `ACCOUNT#<account>` / `WEBHOOKS` (at most MAX_WEBHOOKS, kept by a condition);
 * - a delivery under its endpoint: `WEBHOOK#<id>` / `DELIVERY#<deliveryId>` (ids sort by event
 *   time, so the log reads newest first), expiring DELIVERY_TTL_DAYS after creation;
 * - a delivery waiting for an attempt is on gsi2's sparse list `WEBHOOK_DUE`, by the time of
 *   its next attempt: the dispatcher's periodic run reads what is due, never a scan.
 */
export const webhookKeys = {
  webhook: (accountId: string, webhookId: string) => ({
    pk: keys.account(accountId).pk,
    sk: `WEBHOOK#${webhookId}`,
  }),
  prefix: 'WEBHOOK#',
  count: (accountId: string) => ({ pk: keys.account(accountId).pk, sk: 'WEBHOOKS' }),
  delivery: (webhookId: string, deliveryId: string) => ({
    pk: `WEBHOOK#${webhookId}`,
    sk: `DELIVERY#${deliveryId}`,
  }),
  due: 'WEBHOOK_DUE',
};

export const DELIVERY_TTL_DAYS = 30;

const epochSeconds = (iso: string, days = 0) => Math.floor(Date.parse(iso) / 1000) + days * 86400;

export async function listWebhooks(accountId: string): Promise<Webhook[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': webhookKeys.prefix },
    ConsistentRead: true,
  });
  return items.map((item) => stripKeys<Webhook>(item)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export async function getWebhook(accountId: string, webhookId: string): Promise<Webhook | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: webhookKeys.webhook(accountId, webhookId),
      ConsistentRead: true,
    }),
  );
  return Item ? stripKeys<Webhook>(Item) : undefined;
}

/**
 * Adds an endpoint and counts it in one transaction: the count item's condition keeps the
 * account at MAX_WEBHOOKS however many requests race. Answers false when the account is full.
 */
export async function putNewWebhook(
  webhook: Webhook,
  idempotency?: { request: IdempotentRequest; response: StoredResponse; now: Date },
): Promise<boolean> {
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: webhookKeys.count(webhook.accountId),
        UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one',
        ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': MAX_WEBHOOKS },
      },
    },
    {
      Put: {
        TableName: tableName,
        Item: { ...webhookKeys.webhook(webhook.accountId, webhook.webhookId), ...webhook },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
  if (idempotency) items.push(rememberResponse(idempotency.request, idempotency.response, idempotency.now));
  try {
    await transact(items);
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: tableName,
        Key: webhookKeys.count(webhook.accountId),
        ConsistentRead: true,
      }),
    );
    if (Number(Item?.count ?? 0) >= MAX_WEBHOOKS) return false;
    throw error;
  }
}

/** Replaces an endpoint as read (`updatedAt` unchanged since): a concurrent change is a ConflictError. */
export async function replaceWebhook(next: Webhook, seenUpdatedAt: string): Promise<void> {
  await transact([
    {
      Put: {
        TableName: tableName,
        Item: { ...webhookKeys.webhook(next.accountId, next.webhookId), ...next },
        ConditionExpression: 'updatedAt = :seen',
        ExpressionAttributeValues: { ':seen': seenUpdatedAt },
      },
    },
  ]);
}

export async function deleteWebhook(accountId: string, webhookId: string): Promise<void> {
  await transact([
    {
      Delete: {
        TableName: tableName,
        Key: webhookKeys.webhook(accountId, webhookId),
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: webhookKeys.count(accountId),
        UpdateExpression: 'SET #count = #count - :one',
        ConditionExpression: '#count > :zero',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
      },
    },
  ]);
}

/** One page of an endpoint's delivery log, newest first. */
export async function listDeliveries(
  webhookId: string,
  limit: number,
  before: string | undefined,
): Promise<{ items: Delivery[]; last?: string }> {
  const { Items = [], LastEvaluatedKey } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: before ? 'pk = :pk AND sk < :before' : 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: {
        ':pk': `WEBHOOK#${webhookId}`,
        ...(before ? { ':before': `DELIVERY#${before}` } : { ':prefix': 'DELIVERY#' }),
      },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  const items = Items.map((item) => stripKeys<Delivery>(item));
  return { items, last: LastEvaluatedKey ? items.at(-1)?.deliveryId : undefined };
}

export async function getDelivery(webhookId: string, deliveryId: string): Promise<Delivery | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: webhookKeys.delivery(webhookId, deliveryId),
      ConsistentRead: true,
    }),
  );
  return Item ? stripKeys<Delivery>(Item) : undefined;
}

const dueKey = (at: string, deliveryId: string) => `${at}#${deliveryId}`;

/**
 * Writes a new delivery already claimed by its writer for its first attempt: on the due list
 * at the end of the lease (`nextAttemptAt`), so a writer that dies before recording the
 * attempt leaves it to the periodic run. A duplicated event finds it written: false.
 */
export async function putNewDelivery(delivery: Delivery): Promise<boolean> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...webhookKeys.delivery(delivery.webhookId, delivery.deliveryId),
          ...delivery,
          gsi2pk: webhookKeys.due,
          gsi2sk: dueKey(delivery.nextAttemptAt ?? delivery.createdAt, delivery.deliveryId),
          expiresAt: epochSeconds(delivery.createdAt, DELIVERY_TTL_DAYS),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Takes a pending delivery for one attempt: moves its place on the due list `leaseMs` ahead,
 * so a concurrent periodic run does not attempt it too (if this one dies, the lease runs out
 * and the delivery is due again). False when someone else took it, or it is no longer pending.
 */
export async function claimDelivery(delivery: Delivery, now: Date, leaseMs: number): Promise<boolean> {
  const leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.delivery(delivery.webhookId, delivery.deliveryId),
        UpdateExpression: 'SET gsi2sk = :lease, nextAttemptAt = :leaseUntil',
        ConditionExpression: '#status = :pending AND gsi2sk = :seen',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':lease': dueKey(leaseUntil, delivery.deliveryId),
          ':leaseUntil': leaseUntil,
          ':pending': 'pending',
          ':seen': dueKey(delivery.nextAttemptAt ?? delivery.createdAt, delivery.deliveryId),
        },
      }),
    );
    delivery.nextAttemptAt = leaseUntil;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Records one attempt: the delivery succeeded, failed for good, or waits for `nextAttemptAt`
 * (back on the due list). Only the claimant writes it, while its lease is in place: false when
 * the lease ran out and another run took the delivery (that run records its own attempt).
 */
export async function recordAttempt(
  delivery: Delivery,
  attempt: DeliveryAttempt,
  outcome: { status: 'succeeded' | 'failed' } | { status: 'pending'; nextAttemptAt: string },
): Promise<boolean> {
  const pending = outcome.status === 'pending';
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.delivery(delivery.webhookId, delivery.deliveryId),
        UpdateExpression: pending
          ? 'SET attempts = list_append(attempts, :attempt), #status = :status, nextAttemptAt = :next, gsi2sk = :due'
          : 'SET attempts = list_append(attempts, :attempt), #status = :status REMOVE nextAttemptAt, gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2sk = :lease',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':attempt': [attempt],
          ':status': outcome.status,
          ':lease': dueKey(delivery.nextAttemptAt ?? delivery.createdAt, delivery.deliveryId),
          ...(pending
            ? { ':next': outcome.nextAttemptAt, ':due': dueKey(outcome.nextAttemptAt, delivery.deliveryId) }
            : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Gives a pending delivery up without an attempt (its endpoint is gone or disabled). */
export async function abandonDelivery(delivery: Delivery): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.delivery(delivery.webhookId, delivery.deliveryId),
        UpdateExpression: 'SET #status = :failed REMOVE nextAttemptAt, gsi2pk, gsi2sk',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':failed': 'failed', ':pending': 'pending' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * A customer's resend: a delivery that is not pending starts a new series of attempts now
 * (the same id and body). False while it is still pending.
 */
export async function resendDelivery(delivery: Delivery, now: Date): Promise<boolean> {
  const at = now.toISOString();
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.delivery(delivery.webhookId, delivery.deliveryId),
        UpdateExpression:
          'SET #status = :pending, firstAttemptAt = :at, nextAttemptAt = :at, gsi2pk = :list, gsi2sk = :due',
        ConditionExpression: 'attribute_exists(pk) AND #status <> :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'pending',
          ':at': at,
          ':list': webhookKeys.due,
          ':due': dueKey(at, delivery.deliveryId),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Deliveries due before `now` (at most `limit`), read in full. */
export async function dueDeliveries(now: Date, limit: number): Promise<Delivery[]> {
  const items = await itemsOnList(webhookKeys.due, now.toISOString(), limit);
  return items.map((item) => stripKeys<Delivery>(item)).filter((d) => d.status === 'pending');
}

/**
 * An attempt's effect on its endpoint: a success clears the failure count, a failure counts
 * (the first one of a series dates `failingSince`). Answers the endpoint as it is now, or
 * undefined when it was deleted meanwhile.
 */
export async function recordEndpointOutcome(
  webhook: Webhook,
  succeeded: boolean,
  at: string,
): Promise<Webhook | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.webhook(webhook.accountId, webhook.webhookId),
        UpdateExpression: succeeded
          ? 'SET consecutiveFailures = :zero, lastSuccessAt = :at REMOVE failingSince'
          : 'SET consecutiveFailures = consecutiveFailures + :one, lastFailureAt = :at, failingSince = if_not_exists(failingSince, :at)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: succeeded ? { ':zero': 0, ':at': at } : { ':one': 1, ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? stripKeys<Webhook>(Attributes) : undefined;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** Turns a failing endpoint off; true only for the one call that did (so one e-mail is sent). */
export async function disableWebhook(webhook: Webhook, reason: string, at: string): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: webhookKeys.webhook(webhook.accountId, webhook.webhookId),
        UpdateExpression: 'SET enabled = :off, disabledAt = :at, disabledReason = :reason, updatedAt = :at',
        ConditionExpression: 'enabled = :on',
        ExpressionAttributeValues: { ':off': false, ':on': true, ':at': at, ':reason': reason },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
