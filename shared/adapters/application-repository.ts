import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type {
  Allocation,
  Application,
  ApplicationStatus,
  Delivery,
  TimelineEntry,
} from '#domain/application';
import { ConflictError } from '#domain/errors';

export interface StoredIdempotency {
  requestHash: string;
  statusCode: number;
  body: unknown;
}

export interface NewApplication {
  application: Application;
  ledgerVersion: number;
  lastUsed: { titleId: string; delivery: Delivery };
  idempotency?: { key: string; requestHash: string; statusCode: number; body: unknown; expiresAt: number };
}

/** Records per transaction next to the application, account and idempotency items. */
const RECORDS_PER_CHUNK = MAX_TRANSACTION_ITEMS - 3;

/**
 * Accepts an application: reserves every allocation and stores the application, the
 * account's prefill and the idempotency answer. Up to 97 records this is one transaction.
 * Larger selections are reserved in chunks while the application is `reserving` (not yet
 * accepted); if a chunk fails, the chunks already reserved are released and the
 * application is removed, so the caller sees all or nothing.
 */
export async function createApplication(input: NewApplication): Promise<void> {
  const { application } = input;
  const chunks: Allocation[][] = [];
  for (let i = 0; i < application.allocations.length; i += RECORDS_PER_CHUNK) {
    chunks.push(application.allocations.slice(i, i + RECORDS_PER_CHUNK));
  }
  if (chunks.length <= 1) {
    await transact([
      putApplication(application, application.status),
      updateAccount(input),
      ...(chunks[0] ?? []).map((a) => reserve(application.accountId, a)),
      ...idempotencyItems(input),
    ]);
    return;
  }
  const done: Allocation[][] = [];
  try {
    for (const [index, chunk] of chunks.entries()) {
      const first = index === 0;
      const last = index === chunks.length - 1;
      const items: TransactItem[] = chunk.map((a) => reserve(application.accountId, a));
      if (first) items.push(putApplication(application, 'reserving'), updateAccount(input));
      if (last) items.push(markAccepted(application), ...idempotencyItems(input));
      else if (!first) items.push(touchReserving(application));
      await transact(items);
      done.push(chunk);
    }
  } catch (error) {
    for (const chunk of done.reverse()) {
      await transact(chunk.map((a) => release(application.accountId, a)));
    }
    if (done.length > 0) {
      await documentClient.send(
        new DeleteCommand({ TableName: tableName, Key: keys.application(application.applicationId) }),
      );
    }
    throw error;
  }
}

function putApplication(application: Application, status: ApplicationStatus | 'reserving'): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.application(application.applicationId),
        gsi1pk: keys.applicationsOf(application.accountId),
        gsi1sk: `${application.submittedAt}#${application.applicationId}`,
        gsi2pk: keys.workflowPending,
        gsi2sk: application.submittedAt,
        ...application,
        status,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function markAccepted(application: Application): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.application(application.applicationId),
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: '#status = :reserving',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': application.status, ':reserving': 'reserving' },
    },
  };
}

function touchReserving(application: Application): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.application(application.applicationId),
      ConditionExpression: '#status = :reserving',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':reserving': 'reserving' },
    },
  };
}

/** The account's ledger version must not have moved since it was read (arrears, other applications). */
function updateAccount(input: NewApplication): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.account(input.application.accountId),
      UpdateExpression: 'SET ledgerVersion = :next, lastUsed = :lastUsed',
      ConditionExpression: 'ledgerVersion = :seen',
      ExpressionAttributeValues: {
        ':seen': input.ledgerVersion,
        ':next': input.ledgerVersion + 1,
        ':lastUsed': input.lastUsed,
      },
    },
  };
}

function idempotencyItems(input: NewApplication): TransactItem[] {
  if (!input.idempotency) return [];
  const { key, ...stored } = input.idempotency;
  return [
    {
      Put: {
        TableName: tableName,
        Item: { ...keys.idempotency(input.application.accountId, key), ...stored },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

export function reserve(accountId: string, allocation: Allocation): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.record(accountId, allocation.recordId),
      UpdateExpression: 'ADD reservedAmount :x, availableAmount :minus',
      ConditionExpression: 'availableAmount >= :x',
      ExpressionAttributeValues: { ':x': allocation.amount, ':minus': -allocation.amount },
    },
  };
}

export function release(accountId: string, allocation: Allocation): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.record(accountId, allocation.recordId),
      UpdateExpression: 'ADD reservedAmount :minus, availableAmount :x',
      ConditionExpression: 'reservedAmount >= :x',
      ExpressionAttributeValues: { ':x': allocation.amount, ':minus': -allocation.amount },
    },
  };
}

export async function getApplication(applicationId: string): Promise<Application | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.application(applicationId), ConsistentRead: true }),
  );
  if (!Item || Item.status === 'reserving') return undefined;
  return stripKeys<Application>(Item);
}

export async function getIdempotency(accountId: string, key: string): Promise<StoredIdempotency | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.idempotency(accountId, key), ConsistentRead: true }),
  );
  if (!Item || (typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 < Date.now())) return undefined;
  return { requestHash: Item.requestHash, statusCode: Item.statusCode, body: Item.body };
}

export async function markWorkflowStarted(applicationId: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.application(applicationId),
      UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
    }),
  );
}

/**
 * Moves an application from one of `from` to `to`, appending to its timeline. Returns the
 * updated application, or undefined when it was not in one of `from` (someone else moved it).
 */
export async function transitionApplication(
  applicationId: string,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  entry: TimelineEntry,
  extra: Partial<Pick<Application, 'failureReason' | 'emailedAt' | 'invoices'>> = {},
): Promise<Application | undefined> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':to': to, ':entry': [entry] };
  const sets = ['#status = :to', 'timeline = list_append(timeline, :entry)'];
  for (const [field, value] of Object.entries(extra)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<Application>(Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Sets fields without a status change (e.g. the e-mail went out). */
export async function annotateApplication(
  applicationId: string,
  fields: Partial<Pick<Application, 'emailedAt' | 'invoices' | 'reviewTaskToken'>>,
  entry?: TimelineEntry,
): Promise<void> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  if (entry) {
    values[':entry'] = [entry];
    sets.push('timeline = list_append(timeline, :entry)');
  }
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.application(applicationId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
      ExpressionAttributeValues: values,
    }),
  );
}

export async function listApplicationsOf(
  accountId: string,
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: Application[]; next?: Record<string, unknown> }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.applicationsOf(accountId) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (page.Items ?? []).map((i) => stripKeys<Application>(i)), next: page.LastEvaluatedKey };
}

const RELEASE_CHUNK = MAX_TRANSACTION_ITEMS - 1;

/**
 * Moves the application to `to` and releases the given allocations, exactly once: the first
 * chunk of releases travels with the status change, later chunks are marked on the
 * application as they go, so a retry releases only what is left (invariant 5).
 * Returns false when the application was moved elsewhere by someone else.
 */
export async function releaseAndTransition(
  application: Application,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  entry: TimelineEntry,
  allocations: readonly Allocation[],
  extra: Partial<Pick<Application, 'failureReason'>> = {},
): Promise<boolean> {
  const chunks: Allocation[][] = [];
  for (let i = 0; i < allocations.length; i += RELEASE_CHUNK)
    chunks.push(allocations.slice(i, i + RELEASE_CHUNK));
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = {
    ':to': to,
    ':entry': [entry],
    ':chunks': chunks.length > 0 ? [0] : [],
  };
  const sets = ['#status = :to', 'timeline = list_append(timeline, :entry)', 'releasedChunks = :chunks'];
  for (const [field, value] of Object.entries(extra)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  try {
    await transact([
      {
        Update: {
          TableName: tableName,
          Key: keys.application(application.applicationId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      ...(chunks[0] ?? []).map((a) => release(application.accountId, a)),
    ]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const current = await getApplication(application.applicationId);
    if (current?.status !== to) return false;
  }
  const done =
    ((await getApplication(application.applicationId)) as Application & { releasedChunks?: number[] })
      .releasedChunks ?? [];
  for (let n = 1; n < chunks.length; n++) {
    if (done.includes(n)) continue;
    await transact([
      {
        Update: {
          TableName: tableName,
          Key: keys.application(application.applicationId),
          UpdateExpression: 'SET releasedChunks = list_append(releasedChunks, :n)',
          ConditionExpression: 'NOT contains(releasedChunks, :i)',
          ExpressionAttributeValues: { ':n': [n], ':i': n },
        },
      },
      ...chunks[n]!.map((a) => release(application.accountId, a)),
    ]);
  }
  return true;
}
