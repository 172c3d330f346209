import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  paginateQuery,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { requireEnv } from '#config/env';
import { ConflictError } from '#domain/errors';

export const tableName = requireEnv('TABLE_NAME');

export const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

/** Key builders: the only place that knows how items are laid out in the single table. */
export const keys = {
  account: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'PROFILE' }),
  record: (accountId: string, recordId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `RECORD#${recordId}` }),
  recordPrefix: 'RECORD#',
  /** The ledger's aggregates (shared/adapters/ledger-aggregates.ts): the main item, then one per instant. */
  ledger: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'LEDGER' }),
  ledgerAt: (accountId: string, instant: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `LEDGER#${instant}` }),
  /** gsi3 (sparse): an account's records that may have something available, by payment instant. */
  openRecords: (accountId: string) => `OPEN#${accountId}`,
  title: (accountId: string, titleId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: `TITLE#${titleId}` }),
  titlePrefix: 'TITLE#',
  /** Issue 14: an address of the account no mail goes to (a hard bounce or a complaint). */
  suppressedAddress: (accountId: string, address: string) => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `SUPPRESSED#${address}`,
  }),
  address: (accountId: string, addressId: string) => ({
    pk: `ACCOUNT#${accountId}`,
    sk: `ADDRESS#${addressId}`,
  }),
  /**
   * The account's address book: a version every address change bumps (one default, at most
   * 20). Its sort key shares the `addressBookPrefix` with the addresses, so one query reads both.
   */
  addressBook: (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ADDRESS' }),
  addressBookPrefix: 'ADDRESS',
  application: (applicationId: string) => ({ pk: `APPLICATION#${applicationId}`, sk: 'APPLICATION' }),
  applicationsOf: (accountId: string) => `ACCOUNT#${accountId}#APPLICATIONS`,
  /** The allocations of one reservation chunk of a large application (beside its item). */
  applicationChunk: (applicationId: string, chunk: number) => ({
    pk: `APPLICATION#${applicationId}`,
    sk: `ALLOCATIONS#${String(chunk).padStart(4, '0')}`,
  }),
  applicationChunkPrefix: 'ALLOCATIONS#',
  invoice: (invoiceId: string) => ({ pk: `INVOICE#${invoiceId}`, sk: 'INVOICE' }),
  invoicesOf: (accountId: string) => `ACCOUNT#${accountId}#INVOICES`,
  invoiceCounter: (entityId: string) => ({ pk: `COUNTER#INVOICE_NUMBER#${entityId}`, sk: 'COUNTER' }),
  idempotency: (accountId: string, key: string) => ({
    pk: `IDEMPOTENCY#${accountId}#${key}`,
    sk: 'IDEMPOTENCY',
  }),
  /** gsi2 (sparse, keys only): applications accepted but whose workflow has not been seen to start. */
  workflowPending: 'WORKFLOW_PENDING',
  /** gsi2 (sparse, keys only): returns recorded but whose workflow has not been seen to start. */
  returnWorkflowPending: 'RETURN_WORKFLOW_PENDING',
  /** gsi2: what waits for finance staff (GET /v1/admin/reviews), oldest first by gsi2sk. */
  pendingReview: (kind: 'TITLE' | 'APPLICATION') => `PENDING_REVIEW#${kind}`,
  /**
   * R28: one item per open application under the China day of its expectedBy, sorted by the
   * instant; removed when the provider's part is done (or once finance was told), so the
   * hourly check reads only what is due: a query per recent day, never a scan.
   */
  deadline: (day: string, expectedBy: string, applicationId: string) => ({
    pk: `DEADLINE#${day}`,
    sk: `${expectedBy}#${applicationId}`,
  }),
  deadlineDay: (day: string) => `DEADLINE#${day}`,
  /** Applications whose failure handling itself failed: the hourly check finishes them (invariant 5). */
  recovery: (applicationId: string) => ({ pk: 'RECOVERY#APPLICATION', sk: applicationId }),
  recoveryPartition: 'RECOVERY#APPLICATION',
  /** R36: the one paper-stock notice in force. */
  paperStockNotice: { pk: 'NOTICE#PAPER_STOCK', sk: 'NOTICE' },
  /**
   * The audit trail of one application, invoice or title: its entries in seq order and its head
   * (last seq and hash). Written only by the stream consumer; infra denies every other function
   * writes under `auditPrefix` (dynamodb:LeadingKeys).
   */
  auditTrail: (subjectType: string, subjectId: string) => `AUDIT#${subjectType}#${subjectId}`,
  auditEntry: (subjectType: string, subjectId: string, seq: number) => ({
    pk: `AUDIT#${subjectType}#${subjectId}`,
    sk: `ENTRY#${String(seq).padStart(10, '0')}`,
  }),
  auditEntryPrefix: 'ENTRY#',
  auditHead: (subjectType: string, subjectId: string) => ({
    pk: `AUDIT#${subjectType}#${subjectId}`,
    sk: 'HEAD',
  }),
  auditPrefix: 'AUDIT#',
  /**
   * R31: accounts with monthly invoicing on, sparse on gsi2 (set on the account item, removed
   * when turned off), one partition per shard (shared/domain/monthly.ts), sorted by account id.
   */
  autoInvoicingShard: (shard: string) => `AUTO_INVOICING#${shard}`,
  /** R31: the permanent once-per-(account, month) marker of the monthly run. */
  monthlyMarker: (accountId: string, month: string) => ({
    pk: `MONTHLY#${accountId}#${month}`,
    sk: 'MARKER',
  }),
  /** The run of a month: its item, a counter item per shard, a skipped entry per account. */
  monthlyRun: (month: string) => ({ pk: `MONTHLY_RUN#${month}`, sk: 'RUN' }),
  monthlyRunShard: (month: string, shard: string, slot: number) => ({
    pk: `MONTHLY_RUN#${month}`,
    sk: `SHARD#${shard}#${slot}`,
  }),
  monthlyRunShardPrefix: 'SHARD#',
  monthlyRunSkipped: (month: string, accountId: string) => ({
    pk: `MONTHLY_RUN#${month}`,
    sk: `SKIPPED#${accountId}`,
  }),
  monthlyRunSkippedPrefix: 'SKIPPED#',
  /** R34: one return of an invoice (its own partition: the workflow reads and marks it). */
  invoiceReturn: (returnId: string) => ({ pk: `RETURN#${returnId}`, sk: 'RETURN' }),
  /** R35: the invoice's copy request (one open at a time), beside the invoice item. */
  copyRequest: (invoiceId: string) => ({ pk: `INVOICE#${invoiceId}`, sk: 'COPY_REQUEST' }),
  /** gsi2 (sparse): open copy requests for finance staff, oldest first by gsi2sk. */
  openCopyRequests: 'OPEN_COPY_REQUESTS',
  /**
   * R32: an application that includes records of another account than its own is listed in
   * that account's applications too, through a small pointer item beside it on gsi1.
   */
  applicationPointer: (applicationId: string, accountId: string) => ({
    pk: `APPLICATION#${applicationId}`,
    sk: `VISIBLE#${accountId}`,
  }),
  applicationPointerPrefix: 'VISIBLE#',
  /** R32 R33: an organization's settings (the billing system's), and its member accounts on gsi1. */
  organization: (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' }),
  organizationMembers: (orgId: string) => `ORG#${orgId}#MEMBERS`,
};

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB allows 100 items per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

/** Tries of a transaction cancelled only because another one held its items at the time. */
const CONFLICT_TRIES = 4;

/**
 * Runs a transaction; a cancelled one (a condition failed, or a concurrent transaction on
 * the same items) becomes a ConflictError, which callers may retry from a fresh read. One
 * cancelled only by a concurrent transaction (no condition failed: nothing it read is stale,
 * the ledger's aggregate items are shared by every write of an account) is sent again first.
 */
export async function transact(items: TransactItem[], token?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await documentClient.send(
        new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }),
      );
      return;
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const reasons = (error.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        const onlyConcurrency = reasons.every((r) => r === 'None' || r === 'TransactionConflict');
        if (onlyConcurrency && reasons.includes('TransactionConflict') && attempt < CONFLICT_TRIES) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw new ConflictError('A concurrent change won; please retry.', undefined, reasons);
      }
      throw error;
    }
  }
}

/** A write's condition failed, on its own or in a transaction (as transact reports it). */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof ConflictError && error.reasons.includes('ConditionalCheckFailed'));

/** `#field = :field` for each field, with the names and values: the SET part of an update. */
export function assignments(fields: Record<string, unknown>): {
  sets: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
} {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    sets.push(`#${field} = :${field}`);
  }
  return { sets, names, values };
}

/** `#status IN (:from0, :from1, …)` with its values: a move from one of several statuses. */
export function statusIn(from: readonly string[]): { condition: string; values: Record<string, unknown> } {
  return {
    condition: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
    values: Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
  };
}

type Item = NonNullable<QueryCommandOutput['Items']>[number];

/**
 * Items by key, strongly consistent, by sort key (of one partition, or of partitions whose items'
 * sort keys differ), 100 to a batch read, what is left unprocessed read again.
 */
export async function readItems(
  wanted: readonly { pk: string; sk: string }[],
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < wanted.length; i += 100) {
    let request: Record<string, unknown> | undefined = {
      [tableName]: { Keys: wanted.slice(i, i + 100), ConsistentRead: true },
    };
    while (request && Object.keys(request).length > 0) {
      const result = await documentClient.send(new BatchGetCommand({ RequestItems: request as never }));
      for (const item of result.Responses?.[tableName] ?? []) found.set(item.sk as string, item);
      request = result.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** A query of the table (or one of its indexes), page after page until the last. */
export async function* queryPages(input: Omit<QueryCommandInput, 'TableName'>): AsyncGenerator<Item[]> {
  for await (const page of paginateQuery({ client: documentClient }, { TableName: tableName, ...input })) {
    yield page.Items ?? [];
  }
}

/** Every item a query finds, all its pages read. */
export async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(input)) items.push(...page);
  return items;
}

/**
 * The items on one of the sweeper's sparse gsi2 lists (`list`) since before `before`, oldest
 * first, at most `limit`. gsi2 keeps keys only, so each item is read strongly consistent, and
 * one that left the list in the meantime is skipped. The page size shrinks to what is still
 * wanted, which `paginateQuery` cannot do.
 */
export async function itemsOnList(
  list: string,
  before: string,
  limit: number,
  read: { projection?: string; names?: Record<string, string> } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  let cursor: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk < :before',
        ExpressionAttributeValues: { ':pk': list, ':before': before },
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
            ...(read.projection
              ? { ProjectionExpression: read.projection, ExpressionAttributeNames: read.names }
              : {}),
          }),
        );
        return Item;
      }),
    );
    for (const item of items) if (item?.gsi2pk === list) found.push(item);
    cursor = page.LastEvaluatedKey;
  } while (cursor && found.length < limit);
  return found;
}

export function stripKeys<T>(item: Record<string, unknown>): T {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g1s,
    gsi2pk: _g2,
    gsi2sk: _g2s,
    gsi3pk: _g3,
    gsi3sk: _g3s,
    expiresAt: _e,
    ...rest
  } = item;
  return rest as T;
}
