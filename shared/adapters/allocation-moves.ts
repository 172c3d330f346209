import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, type TransactItem, tableName, transact } from '#adapters/dynamodb';
import { ledgerChunks, ledgerMoves } from '#adapters/ledger-aggregates';
import type { Allocation } from '#domain/application';
import { ConflictError } from '#domain/errors';
import type { Bucket } from '#domain/ledger-aggregate';

/**
 * A billing record's amount is split over three buckets that always sum to its amount
 * (invariant 1): available, reserved by an application, invoiced. Every change of an
 * allocation moves its amount from one bucket to another, never below zero, and adds the
 * change to its account's ledger aggregates in the same transaction (ledgerMoves).
 */
export type { Bucket };

/**
 * Moves one allocation's amount between buckets of its record (on the allocation's account,
 * R32). What becomes available puts the record back on the open-records index.
 */
export function moveAllocation(
  from: Bucket,
  to: Bucket,
  accountId: string,
  allocation: Allocation,
): TransactItem {
  const account = allocation.accountId ?? accountId;
  return {
    Update: {
      TableName: tableName,
      Key: keys.record(account, allocation.recordId),
      UpdateExpression:
        to === 'available'
          ? `SET gsi3pk = :open, gsi3sk = paidAt ADD ${from}Amount :minus, ${to}Amount :x`
          : `ADD ${from}Amount :minus, ${to}Amount :x`,
      ConditionExpression: `${from}Amount >= :x`,
      ExpressionAttributeValues: {
        ':x': allocation.amount,
        ':minus': -allocation.amount,
        ...(to === 'available' ? { ':open': keys.openRecords(account) } : {}),
      },
    },
  };
}

/**
 * Reserves an allocation on its record: never more than is available (invariant 1), and never
 * under a second title while the record is reserved or invoiced under another (R16). The
 * record remembers the title; see isBoundToAnotherTitle for when the binding lapses. Its
 * aggregate parts must be kept where a read at `now` counts them (aggAt ≤ now), which is what
 * lets every later move of this allocation go to the main aggregate item. `whole`: the
 * allocation takes everything available as read; then it must still be exactly that, and the
 * record leaves the open-records index.
 */
export function reserve(
  accountId: string,
  allocation: Allocation,
  titleId: string,
  now: string,
  whole = false,
): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: keys.record(allocation.accountId ?? accountId, allocation.recordId),
      UpdateExpression: `SET titleId = :title ADD reservedAmount :x, availableAmount :minus${whole ? ' REMOVE gsi3pk, gsi3sk' : ''}`,
      ConditionExpression:
        `availableAmount ${whole ? '=' : '>='} :x AND (attribute_not_exists(aggAt) OR aggAt <= :now) AND ` +
        '(attribute_not_exists(titleId) OR titleId = :title OR (reservedAmount = :zero AND invoicedAmount = :zero))',
      ExpressionAttributeValues: {
        ':x': allocation.amount,
        ':minus': -allocation.amount,
        ':title': titleId,
        ':zero': 0,
        ':now': now,
      },
    },
  };
}

/** Gives a reserved allocation back to its record. */
export function release(accountId: string, allocation: Allocation): TransactItem {
  return moveAllocation('reserved', 'available', accountId, allocation);
}

export interface AllocationMove {
  from: Bucket;
  to: Bucket;
  /** The account of allocations that do not name theirs. */
  accountId: string;
  allocations: readonly Allocation[];
  /** The item that marks each chunk once moved (the invoice, the return, the application). */
  ownerKey: { pk: string; sk: string };
  /** Its list attribute of moved chunk numbers. */
  markerField: string;
  /** Chunks already moved, as last read. */
  done: readonly number[];
  /** Items per transaction for the allocations and their aggregate updates (see ledgerChunks). */
  chunkSize: number;
  /** The first chunk to move here (an earlier one may travel with a status change). */
  firstChunk?: number;
}

/**
 * Moves allocations between buckets in chunks, exactly once: each chunk is marked on its owner
 * item in the same transaction, so a retry moves only what is left (invariants 1, 3 and 5).
 * A concurrent run that marked a chunk first is fine; any other failure is thrown.
 */
export async function moveAllocations(move: AllocationMove): Promise<void> {
  const chunks = ledgerChunks(move.allocations, move.accountId, move.chunkSize);
  for (let chunk = move.firstChunk ?? 0; chunk < chunks.length; chunk++) {
    if (move.done.includes(chunk)) continue;
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: move.ownerKey,
            UpdateExpression: 'SET #marker = list_append(#marker, :chunk)',
            ConditionExpression: 'NOT contains(#marker, :n)',
            ExpressionAttributeNames: { '#marker': move.markerField },
            ExpressionAttributeValues: { ':chunk': [chunk], ':n': chunk },
          },
        },
        ...chunks[chunk]!.map((a) => moveAllocation(move.from, move.to, move.accountId, a)),
        ...ledgerMoves(move.from, move.to, move.accountId, chunks[chunk]!),
      ]);
    } catch (error) {
      if (!(error instanceof ConflictError && (await markedChunks(move)).includes(chunk))) throw error;
    }
  }
}

async function markedChunks(move: AllocationMove): Promise<number[]> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: move.ownerKey,
      ConsistentRead: true,
      ProjectionExpression: '#marker',
      ExpressionAttributeNames: { '#marker': move.markerField },
    }),
  );
  return (Item?.[move.markerField] as number[] | undefined) ?? [];
}
