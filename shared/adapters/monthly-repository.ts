import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { ConflictError, RealNameRequiredError } from '#domain/errors';
import {
  type AutoInvoicing,
  counterSlotOf,
  type MonthlyMarker,
  noCounters,
  type ShardCounters,
  type SkipReason,
  shardOf,
} from '#domain/monthly';

/**
 * R31 settings on the account item; when on, the item is also on gsi2 under its shard
 * (`AUTO_INVOICING#<shard>`, sorted by account id), so a run finds opted-in accounts with one
 * query per shard instead of a scan. Turning off removes it from the index.
 */
export async function saveAutoInvoicing(accountId: string, settings: AutoInvoicing): Promise<void> {
  const enabled = settings.enabled;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.account(accountId),
        UpdateExpression: enabled
          ? 'SET autoInvoicing = :settings, gsi2pk = :shard, gsi2sk = :id'
          : 'SET autoInvoicing = :settings REMOVE gsi2pk, gsi2sk',
        // Only a profile the billing system sent is an account (see account-repository).
        ConditionExpression: 'attribute_exists(#region)',
        ExpressionAttributeNames: { '#region': 'region' },
        ExpressionAttributeValues: {
          ':settings': settings,
          ...(enabled ? { ':shard': keys.autoInvoicingShard(shardOf(accountId)), ':id': accountId } : {}),
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      throw new RealNameRequiredError('This account has no verified profile yet.');
    }
    throw error;
  }
}

/** Up to `limit` opted-in account ids of a shard after `after`, in account-id order. */
export async function listShardAccounts(shard: string, after: string | undefined, limit: number) {
  const { Items } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi2',
      KeyConditionExpression: after === undefined ? 'gsi2pk = :pk' : 'gsi2pk = :pk AND gsi2sk > :after',
      ExpressionAttributeValues: {
        ':pk': keys.autoInvoicingShard(shard),
        ...(after === undefined ? {} : { ':after': after }),
      },
      Limit: limit,
    }),
  );
  return (Items ?? []).map((item) => item.gsi2sk as string);
}

export async function getMarker(accountId: string, month: string): Promise<MonthlyMarker | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.monthlyMarker(accountId, month), ConsistentRead: true }),
  );
  return Item ? stripKeys<MonthlyMarker>(Item) : undefined;
}

export type Outcome =
  | { kind: 'created'; applicationId: string; total: number }
  | { kind: 'skipped'; reason: SkipReason };

/**
 * Ends (account, month) once: the marker becomes created or skipped, and in the same
 * transaction the shard's counters move (and a skipped account gets its entry in the run's
 * list). A marker already ended means another attempt counted it: nothing moves, false.
 * Concurrent writers of the same shard's counter item are retried.
 */
export async function finishMarker(
  marker: MonthlyMarker,
  shard: string,
  outcome: Outcome,
  now: Date,
): Promise<boolean> {
  const items = finishItems(marker, shard, outcome, now);
  for (let attempt = 0; ; attempt++) {
    try {
      await transact(items);
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (error.reasons[0] === 'ConditionalCheckFailed') return false;
      if (attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10 * 2 ** attempt));
    }
  }
}

/**
 * What ends (account, month): the marker put as ended (unless another attempt ended it) and the
 * shard's counters moved, for a transaction of their own or one an application is created in.
 */
export function finishItems(
  marker: MonthlyMarker,
  shard: string,
  outcome: Outcome,
  now: Date,
): TransactItem[] {
  const finishedAt = now.toISOString();
  const ended: MonthlyMarker =
    outcome.kind === 'created'
      ? {
          ...marker,
          status: 'created',
          applicationId: outcome.applicationId,
          total: outcome.total,
          finishedAt,
        }
      : { ...marker, status: 'skipped', reason: outcome.reason, finishedAt };
  const counters: TransactItem =
    outcome.kind === 'created'
      ? {
          Update: {
            TableName: tableName,
            Key: keys.monthlyRunShard(marker.month, shard, counterSlotOf(marker.accountId)),
            UpdateExpression: 'SET #shard = :shard ADD #processed :one, #created :one, #amount :total',
            ExpressionAttributeNames: {
              '#shard': 'shard',
              '#processed': 'processed',
              '#created': 'created',
              '#amount': 'createdAmount',
            },
            ExpressionAttributeValues: { ':shard': shard, ':one': 1, ':total': outcome.total },
          },
        }
      : {
          Update: {
            TableName: tableName,
            Key: keys.monthlyRunShard(marker.month, shard, counterSlotOf(marker.accountId)),
            UpdateExpression: 'SET #shard = :shard ADD #processed :one, #skipped :one, #reason :one',
            ExpressionAttributeNames: {
              '#shard': 'shard',
              '#processed': 'processed',
              '#skipped': 'skipped',
              '#reason': `skipped:${outcome.reason.code}`,
            },
            ExpressionAttributeValues: { ':shard': shard, ':one': 1 },
          },
        };
  const items: TransactItem[] = [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.monthlyMarker(marker.accountId, marker.month), ...ended },
        ConditionExpression: 'attribute_not_exists(pk) OR #status = :claimed',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':claimed': 'claimed' },
      },
    },
    counters,
  ];
  if (outcome.kind === 'skipped') {
    items.push({
      Put: {
        TableName: tableName,
        Item: {
          ...keys.monthlyRunSkipped(marker.month, marker.accountId),
          accountId: marker.accountId,
          code: outcome.reason.code,
          detail: outcome.reason.detail,
          at: finishedAt,
        },
      },
    });
  }
  return items;
}

export interface MonthlyRun {
  month: string;
  runId: string;
  status: 'running' | 'completed';
  startedAt: string;
  completedAt?: string;
  /** Every execution that worked on the run (a duplicated schedule, a restart). */
  executions: string[];
}

/**
 * The run item of a month: created by the first execution, joined by later ones (their names
 * appended). Returns the run as it is now.
 */
export async function joinRun(
  month: string,
  runId: string,
  execution: string,
  now: Date,
): Promise<MonthlyRun> {
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.monthlyRun(month),
      UpdateExpression:
        'SET #month = :month, runId = :runId, startedAt = if_not_exists(startedAt, :now), ' +
        '#status = if_not_exists(#status, :running), executions = list_append(if_not_exists(executions, :none), :execution)',
      ExpressionAttributeNames: { '#month': 'month', '#status': 'status' },
      ExpressionAttributeValues: {
        ':month': month,
        ':runId': runId,
        ':now': now.toISOString(),
        ':running': 'running',
        ':none': [],
        ':execution': [execution],
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return stripKeys<MonthlyRun>(Attributes!);
}

export async function completeRun(month: string, totals: ShardCounters, now: Date): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.monthlyRun(month),
      UpdateExpression:
        'SET #status = :completed, completedAt = if_not_exists(completedAt, :now), totals = :totals',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':completed': 'completed', ':now': now.toISOString(), ':totals': totals },
    }),
  );
}

export async function getRun(month: string): Promise<MonthlyRun | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.monthlyRun(month), ConsistentRead: true }),
  );
  return Item ? stripKeys<MonthlyRun>(Item) : undefined;
}

/** The counters of every shard that has counted an account (at most 64 small items). */
export async function readShardCounters(month: string): Promise<ShardCounters[]> {
  const shards: ShardCounters[] = [];
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.monthlyRun(month).pk,
      ':prefix': keys.monthlyRunShardPrefix,
    },
    ConsistentRead: true,
  })) {
    const counters = noCounters();
    counters.processed = Number(item.processed ?? 0);
    counters.created = Number(item.created ?? 0);
    counters.createdAmount = Number(item.createdAmount ?? 0);
    counters.skipped = Number(item.skipped ?? 0);
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith('skipped:'))
        counters.skippedByReason[name.slice('skipped:'.length)] = Number(value);
    }
    shards.push(counters);
  }
  return shards;
}

export interface SkippedEntry {
  accountId: string;
  code: string;
  detail: string;
  at: string;
}

/** One page of the run's skipped accounts in account-id order, after `after`. */
export async function listSkipped(
  month: string,
  after: string | undefined,
  limit: number,
): Promise<{ items: SkippedEntry[]; last?: string }> {
  const pk = keys.monthlyRun(month).pk;
  const { Items, LastEvaluatedKey } = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression:
        after === undefined
          ? 'pk = :pk AND begins_with(sk, :prefix)'
          : 'pk = :pk AND sk BETWEEN :after AND :end',
      ExpressionAttributeValues: {
        ':pk': pk,
        ...(after === undefined
          ? { ':prefix': keys.monthlyRunSkippedPrefix }
          : {
              // Strictly after: the next possible key past the last one returned.
              ':after': `${keys.monthlyRunSkipped(month, after).sk}\u0000`,
              ':end': `${keys.monthlyRunSkippedPrefix}\uffff`,
            }),
      },
      Limit: limit,
    }),
  );
  const items = (Items ?? []).map((item) => ({
    accountId: item.accountId as string,
    code: item.code as string,
    detail: item.detail as string,
    at: item.at as string,
  }));
  return { items, last: LastEvaluatedKey ? items.at(-1)?.accountId : undefined };
}
