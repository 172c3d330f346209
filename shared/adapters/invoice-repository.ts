import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { moveAllocations } from '#adapters/allocation-moves';
import {
  documentClient,
  keys,
  MAX_TRANSACTION_ITEMS,
  queryAll,
  stripKeys,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { Allocation } from '#domain/application';
import { ConflictError } from '#domain/errors';
import type { IssuedInvoice, Shipment } from '#domain/issued-invoice';

export async function getInvoice(invoiceId: string): Promise<IssuedInvoice | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.invoice(invoiceId), ConsistentRead: true }),
  );
  return Item ? stripKeys<IssuedInvoice>(Item) : undefined;
}

/**
 * Stores an invoice under the next number of its entity. The counter moves and the invoice
 * appears in one transaction, conditional on the counter value read: a number is used if
 * and only if its invoice exists, so a retry can neither skip nor repeat one (invariant 2).
 * Returns the stored invoice, or the one already stored under this id.
 */
export async function issueWithNextNumber(
  build: (sequence: number) => IssuedInvoice,
  maxAttempts = 20,
): Promise<IssuedInvoice> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const probe = build(0);
    const existing = await getInvoice(probe.invoiceId);
    if (existing) return existing;
    const counterKey = keys.invoiceCounter(probe.entity);
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName, Key: counterKey, ConsistentRead: true }),
    );
    const current = (Item?.sequence as number | undefined) ?? 0;
    const invoice = build(current + 1);
    try {
      await transact([
        {
          Update: {
            TableName: tableName,
            Key: counterKey,
            UpdateExpression: 'SET #seq = :next',
            ConditionExpression: current === 0 ? 'attribute_not_exists(#seq)' : '#seq = :current',
            ExpressionAttributeNames: { '#seq': 'sequence' },
            ExpressionAttributeValues:
              current === 0 ? { ':next': 1 } : { ':next': current + 1, ':current': current },
          },
        },
        newInvoicePut(invoice),
      ]);
      return invoice;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * (attempt + 1)));
    }
  }
  throw new ConflictError('Could not allocate an invoice number; another issue kept winning.');
}

/** The invoice item, listed under its account by issue instant (gsi1); written once. */
const newInvoicePut = (invoice: IssuedInvoice) => ({
  Put: {
    TableName: tableName,
    Item: {
      ...keys.invoice(invoice.invoiceId),
      gsi1pk: keys.invoicesOf(invoice.accountId),
      gsi1sk: `${invoice.issuedAt}#${invoice.invoiceId}`,
      ...invoice,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * Stores an invoice whose number someone else assigned (a tax platform provider). The invoice
 * and a claim on its number within the entity appear in one transaction, so a number names at
 * most one invoice even if the provider hands it out twice (invariant 2). Returns the stored
 * invoice (also the one already stored under this id), or `number-taken` when another invoice
 * holds the number.
 */
export async function recordIssuedInvoice(invoice: IssuedInvoice): Promise<IssuedInvoice | 'number-taken'> {
  const existing = await getInvoice(invoice.invoiceId);
  if (existing) return existing;
  try {
    await transact([
      {
        Put: {
          TableName: tableName,
          Item: {
            pk: `INVOICE_NUMBER#${invoice.entity}#${invoice.invoiceNumber}`,
            sk: 'INVOICE_NUMBER',
            invoiceId: invoice.invoiceId,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR invoiceId = :id',
          ExpressionAttributeValues: { ':id': invoice.invoiceId },
        },
      },
      newInvoicePut(invoice),
    ]);
    return invoice;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const stored = await getInvoice(invoice.invoiceId);
    if (stored) return stored;
    if (error.reasons[0] === 'ConditionalCheckFailed') return 'number-taken';
    throw error;
  }
}

/** Allocations per settlement transaction, next to the invoice item that records the chunk. */
const SETTLE_CHUNK = MAX_TRANSACTION_ITEMS - 1;

/**
 * Moves the invoice's allocations from reserved to invoiced on their records. Each chunk
 * is marked on the invoice in the same transaction, so a retry settles nothing twice.
 */
export async function settleInvoice(
  invoice: IssuedInvoice,
  allocations: readonly Allocation[],
): Promise<void> {
  await moveAllocations({
    from: 'reserved',
    to: 'invoiced',
    accountId: invoice.accountId,
    allocations,
    ownerKey: keys.invoice(invoice.invoiceId),
    markerField: 'settledChunks',
    done: invoice.settledChunks,
    chunkSize: SETTLE_CHUNK,
  });
}

export async function setInvoicePdf(invoiceId: string, pdfKey: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoice(invoiceId),
        UpdateExpression: 'SET pdfKey = :key',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':key': pdfKey },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException)
      throw new ConflictError(`Invoice ${invoiceId} does not exist`);
    throw error;
  }
}

/** The account's invoices, newest first (gsi1, sorted by issue instant). */
export async function listInvoicesOf(
  accountId: string,
  limit: number,
  cursor?: Record<string, unknown>,
): Promise<{ items: IssuedInvoice[]; next?: Record<string, unknown> }> {
  const page = await documentClient.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.invoicesOf(accountId) },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: cursor,
    }),
  );
  return { items: (page.Items ?? []).map((i) => stripKeys<IssuedInvoice>(i)), next: page.LastEvaluatedKey };
}

/** Every invoice of the account issued in [from, to) (UTC instants), oldest first. */
export async function invoicesIssuedBetween(
  accountId: string,
  from: string,
  to: string,
): Promise<IssuedInvoice[]> {
  const items = await queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :from AND :to',
    // gsi1sk is `<issuedAt>#<invoiceId>`: '#' sorts before every digit, so `to#` ends before `to`.
    ExpressionAttributeValues: { ':pk': keys.invoicesOf(accountId), ':from': from, ':to': `${to}#` },
  });
  const invoices = items.map((item) => stripKeys<IssuedInvoice>(item));
  return invoices.filter((i) => i.issuedAt < to);
}

/** R27: finance handed a paper invoice to the courier. Undefined if it is not an unshipped paper invoice. */
export async function markShipped(invoiceId: string, shipment: Shipment): Promise<IssuedInvoice | undefined> {
  return conditionalUpdate(
    invoiceId,
    'SET #status = :shipped, shipment = :shipment',
    '#status = :issued AND delivery.medium = :paper',
    {
      ':shipped': 'shipped',
      ':shipment': shipment,
      ':issued': 'issued',
      ':paper': 'paper',
    },
  );
}

/** R27: the customer confirmed receipt. Undefined if the invoice was not on its way. */
export async function markDelivered(invoiceId: string, at: string): Promise<IssuedInvoice | undefined> {
  return conditionalUpdate(invoiceId, 'SET #status = :delivered, deliveredAt = :at', '#status = :shipped', {
    ':delivered': 'delivered',
    ':at': at,
    ':shipped': 'shipped',
  });
}

async function conditionalUpdate(
  invoiceId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): Promise<IssuedInvoice | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.invoice(invoiceId),
        UpdateExpression: update,
        ConditionExpression: `attribute_exists(pk) AND ${condition}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<IssuedInvoice>(Attributes!);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
