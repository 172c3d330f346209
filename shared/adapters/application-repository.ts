import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { moveAllocations, release } from '#adapters/allocation-moves';
import {
  assignments,
  documentClient,
  isConditionFailure,
  keys,
  MAX_TRANSACTION_ITEMS,
  queryAll,
  statusIn,
  stripKeys,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { ledgerChunks, ledgerMoves } from '#adapters/ledger-aggregates';
import type {
  Allocation,
  Application,
  ApplicationStatus,
  PlannedInvoice,
  TimelineEntry,
} from '#domain/application';
import { ConflictError } from '#domain/errors';

/**
 * An accepted application: reading it whole (chunked allocations included) and changing it.
 * Creation (with chunked reservation and its abandonment) is in application-creation.ts, the
 * listings in application-listing.ts.
 */

/** Internal statuses of an application that is not accepted (yet): never shown, never listed. */
type ReservationStatus = 'reserving' | 'abandoned';

export type StoredStatus = ApplicationStatus | ReservationStatus;

/** A stored application item that is not accepted (yet). */
export function isUnaccepted(item: Record<string, unknown>): boolean {
  return item.status === 'reserving' || item.status === 'abandoned';
}

/**
 * Up to this many records an application is one transaction (with the application, the
 * account and the idempotency answer) and its allocations are kept inline on its item.
 */
export const SINGLE_TRANSACTION_RECORDS = MAX_TRANSACTION_ITEMS - 3;

export function listedUnder(application: Application) {
  return {
    gsi1pk: keys.applicationsOf(application.accountId),
    gsi1sk: `${application.submittedAt}#${application.applicationId}`,
  };
}

export function withoutRecordIds({
  recordIds: _r,
  ...invoice
}: PlannedInvoice): Omit<PlannedInvoice, 'recordIds'> {
  return invoice;
}

export async function readChunks(
  applicationId: string,
): Promise<{ chunk: number; allocations: Allocation[] }[]> {
  const chunks: { chunk: number; allocations: Allocation[] }[] = [];
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: {
      ':pk': keys.application(applicationId).pk,
      ':prefix': keys.applicationChunkPrefix,
    },
    ConsistentRead: true,
  })) {
    chunks.push({ chunk: item.chunk as number, allocations: item.allocations as Allocation[] });
  }
  return chunks.sort((a, b) => a.chunk - b.chunk);
}

export async function getStoredApplication(
  applicationId: string,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.application(applicationId), ConsistentRead: true }),
  );
  return Item;
}

/**
 * An accepted application, whole: allocations from its chunk items when it has them, and each
 * planned invoice with the records it covers (a record has one entity and tax rate, so an
 * invoice covers the records of its allocations with the same pair).
 */
export async function getApplication(applicationId: string): Promise<Application | undefined> {
  const item = await getStoredApplication(applicationId);
  if (!item || isUnaccepted(item)) return undefined;
  if (typeof item.allocationChunks !== 'number') return toApplication(item);
  const chunks = await readChunks(applicationId);
  return toApplication(
    item,
    chunks.flatMap((c) => c.allocations),
  );
}

export function toApplication(item: Record<string, unknown>, chunked?: Allocation[]): Application {
  const { allocationChunks: _c, idempotencyKey: _k, ...stored } = stripKeys<Record<string, unknown>>(item);
  const application = stored as unknown as Application;
  const allocations = chunked ?? application.allocations ?? [];
  const byGroup = new Map<string, string[]>();
  for (const a of allocations) {
    const group = `${a.entity}|${a.taxRate}`;
    const ids = byGroup.get(group) ?? [];
    if (!ids.includes(a.recordId)) ids.push(a.recordId);
    byGroup.set(group, ids);
  }
  return {
    ...application,
    allocations,
    invoices: (application.invoices ?? []).map((invoice) => ({
      ...invoice,
      recordIds: invoice.recordIds ?? byGroup.get(`${invoice.entity}|${invoice.taxRate}`) ?? [],
    })),
  };
}

/**
 * Takes the application off a gsi2 list (the sweeper's, finance's review queue), only while
 * its index entry is still that list's: gsi2 is reused from one list to the next.
 */
export async function leaveList(applicationId: string, list: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2pk = :list',
        ExpressionAttributeValues: { ':list': list },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The workflow was seen to start: off the sweeper's list. */
export async function markWorkflowStarted(applicationId: string): Promise<void> {
  await leaveList(applicationId, keys.workflowPending);
}

/**
 * The update that moves an application from one of `from` to `to`, appends `entry` to its
 * timeline and sets `fields` beside: for an UpdateCommand or a transaction's Update.
 */
export function statusChange(
  applicationId: string,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  entry: TimelineEntry,
  fields: Record<string, unknown> = {},
) {
  const set = assignments(fields);
  const moving = statusIn(from);
  return {
    TableName: tableName,
    Key: keys.application(applicationId),
    UpdateExpression: `SET ${['#status = :to', 'timeline = list_append(timeline, :entry)', ...set.sets].join(', ')}`,
    ConditionExpression: moving.condition,
    ExpressionAttributeNames: { '#status': 'status', ...set.names },
    ExpressionAttributeValues: { ':to': to, ':entry': [entry], ...set.values, ...moving.values },
  };
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
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        ...statusChange(applicationId, from, to, entry, storable(extra)),
        ReturnValues: 'ALL_NEW',
      }),
    );
    const chunked = typeof Attributes!.allocationChunks === 'number';
    const chunks = chunked ? await readChunks(applicationId) : [];
    return toApplication(Attributes!, chunked ? chunks.flatMap((c) => c.allocations) : undefined);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Moves an application along the paper path (`issued` → `shipped` → `delivered`) when all its
 * invoices got there. False when it is not in one of `from` (already moved: nothing to do).
 */
export async function advanceApplication(
  applicationId: string,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  entry: TimelineEntry,
): Promise<boolean> {
  try {
    await documentClient.send(new UpdateCommand(statusChange(applicationId, from, to, entry)));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Planned invoices list their records only while that is small; for a chunked application
 * they are derived from the allocations on read (see toApplication).
 */
function storable<T extends { invoices?: PlannedInvoice[] }>(fields: T): T {
  if (!fields.invoices) return fields;
  const records = fields.invoices.reduce((n, i) => n + (i.recordIds?.length ?? 0), 0);
  if (records <= SINGLE_TRANSACTION_RECORDS) return fields;
  return { ...fields, invoices: fields.invoices.map(withoutRecordIds) };
}

/** Sets fields without a status change (e.g. the e-mail went out). */
export async function annotateApplication(
  applicationId: string,
  fields: Partial<Pick<Application, 'emailedAt' | 'invoices' | 'reviewTaskToken'>>,
  entry?: TimelineEntry,
): Promise<void> {
  const { sets, names, values } = assignments(storable(fields));
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
  const chunks: Allocation[][] = ledgerChunks(allocations, application.accountId, RELEASE_CHUNK);
  try {
    await transact([
      {
        Update: statusChange(application.applicationId, from, to, entry, {
          releasedChunks: chunks.length > 0 ? [0] : [],
          ...extra,
        }),
      },
      ...(chunks[0] ?? []).map((a) => release(application.accountId, a)),
      ...ledgerMoves('reserved', 'available', application.accountId, chunks[0] ?? []),
    ]);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const current = await getStoredApplication(application.applicationId);
    if (current?.status !== to) return false;
  }
  const stored = await getStoredApplication(application.applicationId);
  await moveAllocations({
    from: 'reserved',
    to: 'available',
    accountId: application.accountId,
    allocations,
    ownerKey: keys.application(application.applicationId),
    markerField: 'releasedChunks',
    done: (stored?.releasedChunks as number[] | undefined) ?? [],
    chunkSize: RELEASE_CHUNK,
    firstChunk: 1,
  });
  return true;
}
