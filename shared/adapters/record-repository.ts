import { BatchGetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { BillingRecord } from '#domain/billing-record';
import type { UpsertPlan } from '#domain/record-upsert';

export async function getRecords(
  refs: { accountId: string; recordId: string }[],
): Promise<Map<string, BillingRecord>> {
  const found = new Map<string, BillingRecord>();
  const unique = [...new Map(refs.map((r) => [`${r.accountId}|${r.recordId}`, r])).values()];
  for (let i = 0; i < unique.length; i += 100) {
    let request: Record<string, { Keys: Record<string, unknown>[]; ConsistentRead: boolean }> | undefined = {
      [tableName]: {
        Keys: unique.slice(i, i + 100).map((r) => keys.record(r.accountId, r.recordId)),
        ConsistentRead: true,
      },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of result.Responses?.[tableName] ?? []) {
        const record = stripKeys<BillingRecord>(item);
        found.set(record.recordId, record);
      }
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** Every record of an account, oldest key first. */
export async function listAllRecords(accountId: string): Promise<BillingRecord[]> {
  const records: BillingRecord[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.account(accountId).pk, ':prefix': keys.recordPrefix },
        ExclusiveStartKey: cursor,
        ConsistentRead: true,
      }),
    );
    for (const item of page.Items ?? []) records.push(stripKeys<BillingRecord>(item));
    cursor = page.LastEvaluatedKey;
  } while (cursor);
  return records;
}

/**
 * Writes an upsert plan: positives first, then negatives with their parents' adjustments.
 * Each write is conditional on the ledger as read, so a concurrent reservation or invoice
 * makes the batch fail with ConflictError; the batch is idempotent and safe to resend.
 */
export async function writeUpsertPlan(plan: UpsertPlan): Promise<void> {
  const positiveItems = plan.positives.map((w): TransactItem => putRecord(w));
  for (let i = 0; i < positiveItems.length; i += MAX_TRANSACTION_ITEMS) {
    await transact(positiveItems.slice(i, i + MAX_TRANSACTION_ITEMS));
  }

  const negativeGroups = plan.negatives.map(({ write, parent }) => {
    const items: TransactItem[] = [putRecord(write)];
    if (parent) {
      const planned = parent.expectedParent;
      items.push({
        Update: {
          TableName: tableName,
          Key: keys.record(parent.accountId, parent.parentRecordId),
          UpdateExpression: 'SET negativesAmount = :negatives ADD availableAmount :d',
          ConditionExpression:
            'negativesAmount = :expected AND cashAmount = :cash AND fulfilment = :fulfilment AND ' +
            (planned.fulfilledCashAmount === undefined
              ? 'attribute_not_exists(fulfilledCashAmount)'
              : 'fulfilledCashAmount = :fulfilled'),
          ExpressionAttributeValues: {
            ':negatives': parent.negativesAmount,
            ':expected': parent.expectedNegatives,
            ':d': parent.availableDelta,
            ':cash': planned.cashAmount,
            ':fulfilment': planned.fulfilment,
            ...(planned.fulfilledCashAmount === undefined
              ? {}
              : { ':fulfilled': planned.fulfilledCashAmount }),
          },
        },
      });
    }
    return { items, parent: parent?.parentRecordId };
  });
  // A transaction may touch an item once: negatives of one parent go to different chunks.
  let pending = negativeGroups;
  while (pending.length > 0) {
    const chunk: TransactItem[] = [];
    const parents = new Set<string>();
    const rest: typeof pending = [];
    for (const group of pending) {
      const clash = group.parent !== undefined && parents.has(group.parent);
      if (clash || chunk.length + group.items.length > MAX_TRANSACTION_ITEMS) {
        rest.push(group);
        continue;
      }
      chunk.push(...group.items);
      if (group.parent) parents.add(group.parent);
    }
    await transact(chunk);
    pending = rest;
  }
}

function putRecord({ record, expected }: UpsertPlan['positives'][number]): TransactItem {
  const item = { ...keys.record(record.accountId, record.recordId), ...record };
  if (!expected) {
    return { Put: { TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
  return {
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'negativesAmount = :n AND invoicedAmount = :i AND reservedAmount = :r',
      ExpressionAttributeValues: {
        ':n': expected.negativesAmount,
        ':i': expected.invoicedAmount,
        ':r': expected.reservedAmount,
      },
    },
  };
}
