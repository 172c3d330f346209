import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { moveAllocations } from '#adapters/allocation-moves';
import { stampUpdate } from '#adapters/audit-repository';
import {
  assignments,
  documentClient,
  isConditionFailure,
  itemsOnList,
  keys,
  MAX_TRANSACTION_ITEMS,
  statusIn,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { Allocation } from '#domain/application';
import type { ChangeStamp } from '#domain/audit';
import { ConflictError } from '#domain/errors';
import type { InvoiceStatus } from '#domain/issued-invoice';
import type { InvoiceReturn, ReturnStatus } from '#domain/returns';

type Stored = InvoiceReturn & { taskToken?: string };

export async function getReturn(returnId: string): Promise<Stored | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.invoiceReturn(returnId), ConsistentRead: true }),
  );
  return Item ? stripKeys<Stored>(Item) : undefined;
}

/**
 * Records a return and moves the original invoice to `returning` (or `returned` when it is
 * already back) in one transaction, conditional on the invoice still being as read: two
 * returns of one invoice cannot both start (ConflictError). The return is written on the
 * sweeper's list (gsi2 `RETURN_WORKFLOW_PENDING`, invariant 4) until its workflow is seen to start.
 */
export async function createReturn(
  invoiceReturn: InvoiceReturn,
  invoiceStatus: InvoiceStatus,
  stamp: ChangeStamp,
): Promise<void> {
  const s = stampUpdate(stamp);
  await transact([
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.invoiceReturn(invoiceReturn.returnId),
          ...invoiceReturn,
          gsi2pk: keys.returnWorkflowPending,
          gsi2sk: invoiceReturn.requestedAt,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Update: {
        TableName: tableName,
        Key: keys.invoice(invoiceReturn.invoiceId),
        UpdateExpression: `SET #status = :next, returnId = :returnId, ${s.set}${s.remove ? ` REMOVE ${s.remove}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #status = :previous',
        ExpressionAttributeNames: { '#status': 'status', ...s.names },
        ExpressionAttributeValues: {
          ':next': invoiceStatus,
          ':returnId': invoiceReturn.returnId,
          ':previous': invoiceReturn.previousStatus,
          ...s.values,
        },
      },
    },
  ]);
}

/** The return's workflow was seen to start (or the return has ended): off the sweeper's list. */
export async function markReturnWorkflowStarted(returnId: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoiceReturn(returnId),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2pk = :list',
        ExpressionAttributeValues: { ':list': keys.returnWorkflowPending },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Returns on the sweeper's list (gsi2 `RETURN_WORKFLOW_PENDING`) requested before `before`,
 * oldest first. gsi2 keeps keys only; the returns are read strongly consistent, and one that
 * left the list meanwhile is skipped.
 */
export async function listReturnsWorkflowPending(before: string, limit: number): Promise<InvoiceReturn[]> {
  const items = await itemsOnList(keys.returnWorkflowPending, before, limit);
  return items.map((item) => stripKeys<InvoiceReturn>(item));
}

/**
 * Moves a return from one of `from` to `to` with extra fields, and optionally the original
 * invoice from one of `invoiceFrom` to `invoiceTo` in the same transaction. False when the
 * return (or the invoice) was not in a state it could move from.
 */
export async function transitionReturn(
  invoiceReturn: InvoiceReturn,
  from: readonly ReturnStatus[],
  to: ReturnStatus,
  fields: Record<string, unknown>,
  invoice?: { from: readonly InvoiceStatus[]; to: InvoiceStatus; stamp: ChangeStamp },
): Promise<boolean> {
  const set = assignments(fields);
  const moving = statusIn(from);
  const items: TransactItem[] = [
    {
      Update: {
        TableName: tableName,
        Key: keys.invoiceReturn(invoiceReturn.returnId),
        UpdateExpression: `SET ${['#status = :to', ...set.sets].join(', ')}`,
        ConditionExpression: moving.condition,
        ExpressionAttributeNames: { '#status': 'status', ...set.names },
        ExpressionAttributeValues: { ':to': to, ...set.values, ...moving.values },
      },
    },
  ];
  if (invoice) {
    const s = stampUpdate(invoice.stamp);
    const invoiceMoving = statusIn(invoice.from);
    items.push({
      Update: {
        TableName: tableName,
        Key: keys.invoice(invoiceReturn.invoiceId),
        UpdateExpression: `SET #status = :to, ${s.set}${s.remove ? ` REMOVE ${s.remove}` : ''}`,
        ConditionExpression: `returnId = :returnId AND ${invoiceMoving.condition}`,
        ExpressionAttributeNames: { '#status': 'status', ...s.names },
        ExpressionAttributeValues: {
          ':to': invoice.to,
          ':returnId': invoiceReturn.returnId,
          ...s.values,
          ...invoiceMoving.values,
        },
      },
    });
  }
  try {
    await transact(items);
    return true;
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
}

/** Sets fields on the return whatever its status (bookkeeping: the red number, the reissue). */
export async function annotateReturn(returnId: string, fields: Record<string, unknown>): Promise<void> {
  const { sets, names, values } = assignments(fields);
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.invoiceReturn(returnId),
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Keeps the paper return's task token while it waits for the invoice to arrive. False when
 * finance already confirmed the arrival (the caller resumes the workflow itself).
 */
export async function storeArrivalToken(returnId: string, taskToken: string): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoiceReturn(returnId),
        UpdateExpression: 'SET taskToken = :token',
        ConditionExpression: '#status = :waiting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':waiting': 'awaiting-arrival' },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Allocations and their aggregate updates per restoring transaction, beside the return's chunk marker. */
const RESTORE_CHUNK = MAX_TRANSACTION_ITEMS - 1;

/**
 * R34: moves the credited invoice's allocations from invoiced back to available on their
 * records. Each chunk is marked on the return in the same transaction, so a retry restores
 * nothing twice (invariants 1 and 3); the ledger aggregates move with it.
 */
export async function restoreAllocations(
  invoiceReturn: InvoiceReturn,
  allocations: readonly Allocation[],
): Promise<void> {
  await moveAllocations({
    from: 'invoiced',
    to: 'available',
    accountId: invoiceReturn.accountId,
    allocations,
    ownerKey: keys.invoiceReturn(invoiceReturn.returnId),
    markerField: 'restoredChunks',
    done: invoiceReturn.restoredChunks,
    chunkSize: RESTORE_CHUNK,
  });
}

/** R34: finance recorded that the buyer certified the special invoice (idempotent). */
export async function markCertified(invoiceId: string, stamp: ChangeStamp): Promise<boolean> {
  const s = stampUpdate(stamp);
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoice(invoiceId),
        UpdateExpression: `SET certifiedAt = if_not_exists(certifiedAt, :at), ${s.set}${s.remove ? ` REMOVE ${s.remove}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #kind = :blue',
        ExpressionAttributeNames: { '#kind': 'kind', ...s.names },
        ExpressionAttributeValues: { ':at': stamp.changedAt, ':blue': 'blue', ...s.values },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
