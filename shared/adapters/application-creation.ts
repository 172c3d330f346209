import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { release, reserve } from '#adapters/allocation-moves';
import {
  getStoredApplication,
  isUnaccepted,
  listedUnder,
  readChunks,
  SINGLE_TRANSACTION_RECORDS,
  type StoredStatus,
  withoutRecordIds,
} from '#adapters/application-repository';
import {
  documentClient,
  isConditionFailure,
  keys,
  MAX_TRANSACTION_ITEMS,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { putIdempotency } from '#adapters/idempotency';
import { itemsWithLedger, ledgerChunks, ledgerMoves } from '#adapters/ledger-aggregates';
import type { Allocation, Application, Delivery } from '#domain/application';
import { ConflictError } from '#domain/errors';

export interface NewApplication {
  application: Application;
  ledgerVersion: number;
  lastUsed: { titleId: string; delivery: Delivery };
  idempotency?: { key: string; requestHash: string; statusCode: number; body: unknown; expiresAt: number };
  /** Whether its workflow runs already; if not, it goes on the sweeper's list, which starts it. */
  workflowStarted: boolean;
  /**
   * Written with the acceptance, all or nothing (the monthly run's marker and counters): in the
   * single transaction, or in the last chunk's.
   */
  alongside?: TransactItem[];
  /** Records (by id) whose allocation takes everything they had available when read: they leave the open-records index. */
  whole?: ReadonlySet<string>;
}

/**
 * Larger ones reserve in chunks next to: the application, the account, the chunk item, the
 * idempotency item; each chunk's room holds its reservations and their aggregate updates.
 */
const CHUNK_ROOM = MAX_TRANSACTION_ITEMS - 4;

/**
 * Accepts an application: reserves every allocation and stores the application, the
 * account's prefill (R19) and the idempotency answer, all or nothing.
 *
 * Up to 96 records this is one transaction (with one aggregate update per account). Larger
 * selections (DynamoDB allows 100 items per transaction) are reserved in chunks of 95 while the application is `reserving` (never shown
 * or listed). Each chunk's allocations are stored in their own item (`keys.applicationChunk`)
 * in the same transaction as the chunk's reservations, so the application item stays small
 * whatever the selection (1,200 records would be ~130 KB inline; 5,000 long ids would pass
 * DynamoDB's 400 KB item limit) and a chunk item exists exactly when its chunk is reserved.
 * Every chunk also moves the account's ledger version on, so no other application of the
 * account can commit between two chunks on a ledger it read before. If a chunk fails, the
 * chunks already reserved are released (see abandonReservation) and the caller sees the error;
 * if the process dies half-way, the sweeper does the same (invariant 4).
 */
export async function createApplication(input: NewApplication): Promise<void> {
  const { application } = input;
  const reserveAll = (allocations: Allocation[]) => [
    ...allocations.map((a) =>
      reserve(
        application.accountId,
        a,
        application.title.titleId,
        application.submittedAt,
        input.whole?.has(a.recordId) === true && a.accountId === undefined,
      ),
    ),
    ...ledgerMoves('available', 'reserved', application.accountId, allocations),
  ];
  const alongside = input.alongside ?? [];
  const room = SINGLE_TRANSACTION_RECORDS - alongside.length;
  if (
    application.allocations.length <= room &&
    itemsWithLedger(application.allocations, application.accountId) <= room
  ) {
    await transact([
      putApplication(input, application.status, 0),
      updateAccount(input, 0),
      ...reserveAll(application.allocations),
      ...idempotencyPut(input, false),
      ...alongside,
    ]);
    return;
  }
  const chunks = ledgerChunks(application.allocations, application.accountId, CHUNK_ROOM - alongside.length);
  try {
    for (const [index, chunk] of chunks.entries()) {
      const items: TransactItem[] = [
        updateAccount(input, index),
        putChunk(application.applicationId, index, chunk),
        ...reserveAll(chunk),
      ];
      if (index === 0) {
        items.push(putApplication(input, 'reserving', chunks.length), ...idempotencyPut(input, true));
      } else if (index === chunks.length - 1) {
        items.push(
          acceptApplication(application, input.workflowStarted),
          ...idempotencyComplete(input),
          ...alongside,
        );
      } else {
        items.push(whileReserving(application.applicationId));
      }
      await transact(items);
    }
  } catch (error) {
    const outcome = await abandonReservation(application.applicationId);
    // The last chunk may have committed though its answer was lost: then it is accepted.
    if (outcome === 'accepted') return;
    throw error;
  }
}

function putApplication(input: NewApplication, status: StoredStatus, chunks: number): TransactItem {
  const { application } = input;
  const accepted = status !== 'reserving';
  const { allocations, invoices, ...rest } = application;
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.application(application.applicationId),
        // Listed only once accepted. On the sweeper's list (invariant 4) while it reserves in
        // chunks (undone from there if never finished), or when its workflow did not start.
        ...(accepted ? listedUnder(application) : {}),
        ...(accepted && input.workflowStarted
          ? {}
          : { gsi2pk: keys.workflowPending, gsi2sk: application.submittedAt }),
        ...rest,
        ...(chunks > 0
          ? { allocationChunks: chunks, invoices: invoices.map(withoutRecordIds) }
          : { allocations, invoices }),
        // A reservation left half-done is undone with its idempotency answer.
        ...(input.idempotency && chunks > 0 ? { idempotencyKey: input.idempotency.key } : {}),
        status,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function putChunk(applicationId: string, index: number, allocations: Allocation[]): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: { ...keys.applicationChunk(applicationId, index), applicationId, chunk: index, allocations },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function acceptApplication(application: Application, workflowStarted: boolean): TransactItem {
  const listed = listedUnder(application);
  return {
    Update: {
      TableName: tableName,
      Key: keys.application(application.applicationId),
      // Off the sweeper's list once accepted, unless its workflow is still to be started.
      UpdateExpression: `SET #status = :status, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk${workflowStarted ? ' REMOVE gsi2pk, gsi2sk' : ''}`,
      ConditionExpression: '#status = :reserving',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': application.status,
        ':reserving': 'reserving',
        ':gsi1pk': listed.gsi1pk,
        ':gsi1sk': listed.gsi1sk,
      },
    },
  };
}

function whileReserving(applicationId: string): TransactItem {
  return {
    ConditionCheck: {
      TableName: tableName,
      Key: keys.application(applicationId),
      ConditionExpression: '#status = :reserving',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':reserving': 'reserving' },
    },
  };
}

/**
 * The account's ledger version must not have moved since it was read (arrears, other
 * applications): chunk n expects the version the previous chunk left.
 */
function updateAccount(input: NewApplication, chunk: number): TransactItem {
  const seen = input.ledgerVersion + chunk;
  return {
    Update: {
      TableName: tableName,
      Key: keys.account(input.application.accountId),
      UpdateExpression:
        chunk === 0 ? 'SET ledgerVersion = :next, lastUsed = :lastUsed' : 'SET ledgerVersion = :next',
      ConditionExpression: 'ledgerVersion = :seen',
      ExpressionAttributeValues: {
        ':seen': seen,
        ':next': seen + 1,
        ...(chunk === 0 ? { ':lastUsed': input.lastUsed } : {}),
      },
    },
  };
}

function idempotencyPut(input: NewApplication, pending: boolean): TransactItem[] {
  if (!input.idempotency) return [];
  const { key, ...stored } = input.idempotency;
  return [
    putIdempotency(input.application.accountId, key, stored, {
      applicationId: input.application.applicationId,
      ...(pending ? { pending: true } : {}),
    }),
  ];
}

function idempotencyComplete(input: NewApplication): TransactItem[] {
  if (!input.idempotency) return [];
  return [
    {
      Update: {
        TableName: tableName,
        Key: keys.idempotency(input.application.accountId, input.idempotency.key),
        UpdateExpression: 'REMOVE pending',
        ConditionExpression: 'applicationId = :id',
        ExpressionAttributeValues: { ':id': input.application.applicationId },
      },
    },
  ];
}

export type AbandonOutcome = 'rolled-back' | 'accepted' | 'gone';

/**
 * Undoes a chunked reservation that did not finish (the creator failed, or died and the
 * sweeper found it): first `reserving` → `abandoned`, so no further chunk of a still-running
 * creator can commit; then each reserved chunk is released in one transaction with the
 * deletion of its chunk item, which makes the release happen exactly once whoever runs it and
 * however often; then the idempotency answer and the application go. Returns 'accepted' when
 * the application turned out to be accepted after all (nothing is undone).
 */
export async function abandonReservation(applicationId: string): Promise<AbandonOutcome> {
  const item = await getStoredApplication(applicationId);
  if (!item) return 'gone';
  if (!isUnaccepted(item)) return 'accepted';
  if (item.status === 'reserving') {
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.application(applicationId),
          UpdateExpression: 'SET #status = :abandoned',
          ConditionExpression: '#status = :reserving',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':abandoned': 'abandoned', ':reserving': 'reserving' },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return abandonReservation(applicationId);
    }
  }
  const accountId = item.accountId as string;
  for (const chunk of await readChunks(applicationId)) {
    await releaseChunkOnce(accountId, applicationId, chunk.chunk, chunk.allocations);
  }
  if (typeof item.idempotencyKey === 'string') {
    await documentClient.send(
      new DeleteCommand({
        TableName: tableName,
        Key: keys.idempotency(accountId, item.idempotencyKey),
        ConditionExpression: 'attribute_not_exists(pk) OR applicationId = :id',
        ExpressionAttributeValues: { ':id': applicationId },
      }),
    );
  }
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: keys.application(applicationId),
      ConditionExpression: 'attribute_not_exists(pk) OR #status = :abandoned',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':abandoned': 'abandoned' },
    }),
  );
  return 'rolled-back';
}

async function releaseChunkOnce(
  accountId: string,
  applicationId: string,
  index: number,
  allocations: Allocation[],
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await transact([
        {
          Delete: {
            TableName: tableName,
            Key: keys.applicationChunk(applicationId, index),
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        ...allocations.map((a) => release(accountId, a)),
        ...ledgerMoves('reserved', 'available', accountId, allocations),
      ]);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Someone else released this chunk already.
      if (error.reasons[0] === 'ConditionalCheckFailed') return;
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 10 * 2 ** attempt));
    }
  }
}
