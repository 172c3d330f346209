import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { chunksOf, moveAllocations, release, reserve } from '#adapters/allocation-moves';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { putIdempotency } from '#adapters/idempotency';
import type { Account } from '#domain/account';
import type {
  Allocation,
  Application,
  ApplicationStatus,
  Delivery,
  PlannedInvoice,
  TimelineEntry,
} from '#domain/application';
import type { BillingRecord } from '#domain/billing-record';
import { ConflictError } from '#domain/errors';
import type { Title } from '#domain/title';

export interface NewApplication {
  application: Application;
  ledgerVersion: number;
  lastUsed: { titleId: string; delivery: Delivery };
  idempotency?: { key: string; requestHash: string; statusCode: number; body: unknown; expiresAt: number };
}

/** Internal statuses of an application that is not accepted (yet): never shown, never listed. */
type ReservationStatus = 'reserving' | 'abandoned';
type StoredStatus = ApplicationStatus | ReservationStatus;

/**
 * Up to this many records an application is one transaction (with the application, the
 * account and the idempotency answer) and its allocations are kept inline on its item.
 */
const SINGLE_TRANSACTION_RECORDS = MAX_TRANSACTION_ITEMS - 3;
/** Larger ones reserve in chunks next to: the application, the account, the chunk item, the idempotency item. */
const RECORDS_PER_CHUNK = MAX_TRANSACTION_ITEMS - 4;

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof ConflictError && error.reasons.includes('ConditionalCheckFailed'));

/**
 * Accepts an application: reserves every allocation and stores the application, the
 * account's prefill (R19) and the idempotency answer, all or nothing.
 *
 * Up to 97 records this is one transaction. Larger selections (DynamoDB allows 100 items per
 * transaction) are reserved in chunks of 96 while the application is `reserving` (never shown
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
  if (application.allocations.length <= SINGLE_TRANSACTION_RECORDS) {
    await transact([
      putApplication(input, application.status, 0),
      updateAccount(input, 0),
      ...application.allocations.map((a) => reserve(application.accountId, a, application.title.titleId)),
      ...idempotencyPut(input, false),
    ]);
    return;
  }
  const chunks = chunksOf(application.allocations, RECORDS_PER_CHUNK);
  try {
    for (const [index, chunk] of chunks.entries()) {
      const items: TransactItem[] = [
        updateAccount(input, index),
        putChunk(application.applicationId, index, chunk),
        ...chunk.map((a) => reserve(application.accountId, a, application.title.titleId)),
      ];
      if (index === 0) {
        items.push(putApplication(input, 'reserving', chunks.length), ...idempotencyPut(input, true));
      } else if (index === chunks.length - 1) {
        items.push(acceptApplication(application), ...idempotencyComplete(input));
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
        // Listed only once accepted; pending for the sweeper from the start (invariant 4).
        ...(accepted ? listedUnder(application) : {}),
        gsi2pk: keys.workflowPending,
        gsi2sk: application.submittedAt,
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

function listedUnder(application: Application) {
  return {
    gsi1pk: keys.applicationsOf(application.accountId),
    gsi1sk: `${application.submittedAt}#${application.applicationId}`,
  };
}

function withoutRecordIds({ recordIds: _r, ...invoice }: PlannedInvoice): Omit<PlannedInvoice, 'recordIds'> {
  return invoice;
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

function acceptApplication(application: Application): TransactItem {
  const listed = listedUnder(application);
  return {
    Update: {
      TableName: tableName,
      Key: keys.application(application.applicationId),
      UpdateExpression: 'SET #status = :status, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
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
  if (item.status !== 'reserving' && item.status !== 'abandoned') return 'accepted';
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

async function readChunks(applicationId: string): Promise<{ chunk: number; allocations: Allocation[] }[]> {
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

async function getStoredApplication(applicationId: string): Promise<Record<string, unknown> | undefined> {
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
  if (!item || item.status === 'reserving' || item.status === 'abandoned') return undefined;
  if (typeof item.allocationChunks !== 'number') return toApplication(item);
  const chunks = await readChunks(applicationId);
  return toApplication(
    item,
    chunks.flatMap((c) => c.allocations),
  );
}

function toApplication(item: Record<string, unknown>, chunked?: Allocation[]): Application {
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
 * The workflow was seen to start: off the sweeper's list. Only while the index entry is still
 * the pending-workflow one (the review step reuses gsi2 for finance's queue).
 */
export async function markWorkflowStarted(applicationId: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2pk = :pending',
        ExpressionAttributeValues: { ':pending': keys.workflowPending },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export interface PendingApplication {
  applicationId: string;
  accountId: string;
  status: StoredStatus;
  submittedAt: string;
  cancellableUntil: string;
}

/**
 * Applications on the sweeper's list (gsi2 `WORKFLOW_PENDING`) submitted before `before`,
 * oldest first: accepted ones whose workflow was not seen to start, and chunked reservations
 * that have not finished. gsi2 keeps keys only; the items are read strongly consistent.
 */
export async function listWorkflowPending(before: string, limit: number): Promise<PendingApplication[]> {
  const found: PendingApplication[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
        ExpressionAttributeValues: { ':pk': keys.workflowPending, ':before': before },
        Limit: Math.min(100, limit - found.length),
        ExclusiveStartKey: cursor,
      }),
    );
    const items = await Promise.all(
      (page.Items ?? []).map(async (key) => {
        const { Item } = await documentClient.send(
          new GetCommand({
            TableName: tableName,
            Key: { pk: key.pk, sk: key.sk },
            ConsistentRead: true,
            ProjectionExpression: 'applicationId, accountId, #status, submittedAt, cancellableUntil, gsi2pk',
            ExpressionAttributeNames: { '#status': 'status' },
          }),
        );
        return Item;
      }),
    );
    for (const item of items) {
      if (item?.gsi2pk !== keys.workflowPending) continue;
      found.push({
        applicationId: item.applicationId,
        accountId: item.accountId,
        status: item.status,
        submittedAt: item.submittedAt,
        cancellableUntil: item.cancellableUntil,
      });
    }
    cursor = page.LastEvaluatedKey;
  } while (cursor && found.length < limit);
  return found;
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
  for (const [field, value] of Object.entries(storable(extra))) {
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
    const chunked = typeof Attributes!.allocationChunks === 'number';
    const chunks = chunked ? await readChunks(applicationId) : [];
    return toApplication(Attributes!, chunked ? chunks.flatMap((c) => c.allocations) : undefined);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
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
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [field, value] of Object.entries(storable(fields))) {
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

export interface ApplicationPage {
  items: Application[];
  /** The gsi1 sort key of the last item returned, when there may be more. */
  after?: string;
}

/**
 * One page of an account's applications, newest first, optionally of one status. A status
 * filter reads past non-matching items (DynamoDB filters after reading), so this keeps
 * querying until the page is full, the list ends, or a bounded number of reads is spent.
 * Items are the listing view's: allocations of chunked applications are not read.
 */
export async function listApplicationsOf(
  accountId: string,
  options: { limit: number; status?: ApplicationStatus; after?: string },
): Promise<ApplicationPage> {
  const pk = keys.applicationsOf(accountId);
  const items: Application[] = [];
  let cursor: Record<string, unknown> | undefined = options.after
    ? {
        ...keys.application(options.after.slice(options.after.lastIndexOf('#') + 1)),
        gsi1pk: pk,
        gsi1sk: options.after,
      }
    : undefined;
  let last: string | undefined;
  for (let reads = 0; reads < 10; reads++) {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        // R32: pointers to applications that include the account's records pass the filter; their
        // application's status is checked once read.
        ...(options.status
          ? {
              FilterExpression: '#status = :status OR begins_with(sk, :pointer)',
              ExpressionAttributeNames: { '#status': 'status' },
            }
          : {}),
        ExpressionAttributeValues: {
          ':pk': pk,
          ...(options.status ? { ':status': options.status, ':pointer': keys.applicationPointerPrefix } : {}),
        },
        ScanIndexForward: false,
        Limit: options.status ? Math.max(options.limit, 50) : options.limit - items.length,
        ExclusiveStartKey: cursor,
      }),
    );
    const resolved = await Promise.all((page.Items ?? []).map(resolvePointer));
    for (const [index, item] of (page.Items ?? []).entries()) {
      if (items.length === options.limit) return { items, after: last };
      const shown = resolved[index];
      if (shown && (!options.status || shown.status === options.status)) items.push(toApplication(shown));
      last = item.gsi1sk as string;
    }
    cursor = page.LastEvaluatedKey;
    if (!cursor) return { items };
    last = cursor.gsi1sk as string;
    if (items.length === options.limit) return { items, after: last };
  }
  return { items, after: last };
}

/**
 * R32: a pointer item (`keys.applicationPointer`) lists another account's application in this
 * account's list; it is read in its place (and left out while not accepted, or if it never was).
 */
async function resolvePointer(item: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  if (!String(item.sk).startsWith(keys.applicationPointerPrefix)) return item;
  const stored = await getStoredApplication(item.applicationId as string);
  if (!stored || stored.status === 'reserving' || stored.status === 'abandoned') return undefined;
  return stored;
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
  const chunks: Allocation[][] = chunksOf(allocations, RELEASE_CHUNK);
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

/** What an application is checked and allocated against, read at once. */
export interface ApplicantState {
  account?: Account;
  title?: Title;
  /** Whether the paper delivery's address is saved in the account (R4); false when none was asked. */
  addressSaved: boolean;
  records: BillingRecord[];
}

/**
 * The account's profile, the chosen title, the delivery address and every billing record
 * share the account's partition: one strongly consistent query reads them all (instead of a
 * request each), which is what an application costs the table before it writes. The items
 * are decoded as their own repositories decode them (keys stripped; a profile without a
 * region is not an account yet).
 */
export async function readApplicantState(
  accountId: string,
  titleId: string,
  addressId?: string,
): Promise<ApplicantState> {
  const profileKey = keys.account(accountId);
  const titleSk = keys.title(accountId, titleId).sk;
  const addressSk = addressId === undefined ? undefined : keys.address(accountId, addressId).sk;
  const state: ApplicantState = { addressSaved: false, records: [] };
  for (const item of await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': profileKey.pk },
    ConsistentRead: true,
  })) {
    const sk = item.sk as string;
    if (sk.startsWith(keys.recordPrefix)) state.records.push(stripKeys<BillingRecord>(item));
    else if (sk === profileKey.sk)
      state.account = item.region === undefined ? undefined : stripKeys<Account>(item);
    else if (sk === titleSk) state.title = stripKeys<Title>(item);
    else if (sk === addressSk) state.addressSaved = true;
  }
  return state;
}
