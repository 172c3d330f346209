import { type AccountState, getAccountState, upsertAccountProfile } from '#adapters/account-repository';
import { logger } from '#adapters/logger';
import {
  getInvoiceableCache,
  getRecords,
  listLedger,
  listRecordsPage,
  putInvoiceableCache,
  writeUpsertPlan,
} from '#adapters/record-repository';
import { settings } from '#config/settings';
import { type BillingRecord, describeRecord, NEGATIVE_KINDS } from '#domain/billing-record';
import { toShanghaiIso } from '#domain/calendar';
import { ValidationError } from '#domain/errors';
import {
  FORMULA_VERSION,
  type InvoiceableBasis,
  type InvoiceableSnapshot,
  snapshotHolds,
  snapshotInvoiceable,
} from '#domain/invoiceable';
import { planRecordUpserts, type RecordInput, withoutUnchanged } from '#domain/record-upsert';
import type { PutAccountBody } from '#schemas/accounts';
import type { BillingRecordList, BillingRecordQuery, BillingRecordView } from '#schemas/billing-records';

/**
 * Whether every write that moves reserved amounts without moving the ledger version (settling
 * an invoice, releasing a cancelled, rejected or failed application) also adds
 * invalidateInvoiceable to its transaction. Until then a cached amount computed while something
 * was reserved is not reused.
 */
const RESERVATION_WRITES_INVALIDATE = false;

export function listEntities() {
  return { items: settings.entities().map(({ entityId, name, taxId }) => ({ entityId, name, taxId })) };
}

export async function putAccount(accountId: string, body: PutAccountBody, now: Date) {
  const account = await upsertAccountProfile(accountId, body, now);
  const { ledgerVersion: _v, recordsVersion: _r, lastUsed: _l, ...view } = account;
  return { ...view, updatedAt: toShanghaiIso(new Date(account.updatedAt)) };
}

/** Billing-system batch upsert: validated whole, then written idempotently (see planRecordUpserts). */
export async function upsertBillingRecords(records: RecordInput[]) {
  const refs = records.flatMap((r) => [
    { accountId: r.accountId, recordId: r.recordId },
    ...(r.parentRecordId ? [{ accountId: r.accountId, recordId: r.parentRecordId }] : []),
  ]);
  const existing = await getRecords(refs);
  const entities = new Set(settings.entities().map((e) => e.entityId));
  const plan = withoutUnchanged(
    asBodyPaths(() => planRecordUpserts(records, existing, settings.paymentSyncDays(), { entities })),
    existing,
  );
  await writeUpsertPlan(
    plan,
    records.map((r) => r.accountId),
  );
  const written = plan.positives.length + plan.negatives.length;
  logger.info('billing records upserted', { received: records.length, written });
  return { upserted: records.length, written };
}

/** Field errors name the place in the request body, as schema validation does ("body.records.3.entity"). */
function asBodyPaths<T>(plan: () => T): T {
  try {
    return plan();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.message,
      error.errors?.map((e) => ({ ...e, path: `body.${e.path.replace(/\[(\d+)\]/g, '.$1')}` })),
    );
  }
}

/** GET /v1/invoiceable (R10): the amount, by entity and tax rate, with its formula. */
export async function getInvoiceable(accountId: string, now: Date) {
  const {
    amount,
    byEntity,
    formula: f,
  } = await currentInvoiceable(accountId, await getAccountState(accountId), now);
  // Built field by field: a cached snapshot comes back from DynamoDB in another key order.
  return {
    amount,
    byEntity: byEntity.map((g) => ({ entity: g.entity, taxRate: g.taxRate, amount: g.amount })),
    formula: {
      consumedCash: f.consumedCash,
      negatives: f.negatives,
      invoiced: f.invoiced,
      reserved: f.reserved,
      arrearsOffset: f.arrearsOffset,
      deficit: f.deficit,
      amount: f.amount,
    },
  };
}

/**
 * The account's invoiceable amount as of `now`, from the cached snapshot while it holds (see
 * InvoiceableSnapshot), else from every record's ledger fields (a projected read), cached for the
 * next request. `state` must be read before this is called: a snapshot is only stored with the
 * versions read before its records.
 */
export async function currentInvoiceable(
  accountId: string,
  state: AccountState,
  now: Date,
): Promise<InvoiceableSnapshot> {
  const basis: InvoiceableBasis = {
    ledgerVersion: state.ledgerVersion,
    recordsVersion: state.recordsVersion,
    policy: settings.arrearsPolicy(),
    formulaVersion: FORMULA_VERSION,
  };
  const cache = await getInvoiceableCache(accountId);
  if (cache.cached && snapshotHolds(cache.cached, basis, now, RESERVATION_WRITES_INVALIDATE)) {
    return cache.cached.snapshot;
  }
  const records = await listLedger(accountId);
  const snapshot = snapshotInvoiceable(records, state.account?.arrears ?? 0, basis.policy, now);
  if (RESERVATION_WRITES_INVALIDATE || snapshot.reservedOutstanding === 0) {
    await putInvoiceableCache(accountId, cache.generation, { basis, snapshot });
  }
  return snapshot;
}

/**
 * GET /v1/billing-records: the account's records in record-id order with, for each, what is
 * invoiceable and why not (R10). The cursor is opaque to clients; it names the last record
 * returned and is only ever read within the caller's own account.
 */
export async function listBillingRecords(
  accountId: string,
  query: BillingRecordQuery,
  now: Date,
): Promise<BillingRecordList> {
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const wanted = query.invoiceable;
  const page = await listRecordsPage(accountId, {
    limit: query.limit,
    after,
    filter: {
      kind: query.kind,
      entity: query.entity,
      period: query.period,
      availableOnly: wanted === true,
    },
    keep: (record) =>
      wanted === undefined || (describeRecord(record, now).status === 'invoiceable') === wanted,
  });
  return {
    items: page.records.map((record) => billingRecordView(record, now)),
    ...(page.lastRecordId === undefined ? {} : { nextCursor: encodeCursor(page.lastRecordId) }),
  };
}

export function billingRecordView(record: BillingRecord, now: Date): BillingRecordView {
  const view = describeRecord(record, now);
  const positive = !NEGATIVE_KINDS.has(record.kind) && record.kind !== 'recharge';
  return {
    recordId: record.recordId,
    kind: record.kind,
    ...(record.parentRecordId === undefined ? {} : { parentRecordId: record.parentRecordId }),
    period: record.period,
    paidAt: toShanghaiIso(new Date(record.paidAt)),
    entity: record.entity,
    taxRate: record.taxRate,
    ...(record.productName === undefined ? {} : { productName: record.productName }),
    cashAmount: record.cashAmount,
    voucherAmount: record.voucherAmount,
    fulfilment: record.fulfilment,
    ...(record.fulfilledCashAmount === undefined ? {} : { fulfilledCashAmount: record.fulfilledCashAmount }),
    negativesAmount: positive ? record.negativesAmount : 0,
    invoicedAmount: record.invoicedAmount,
    reservedAmount: record.reservedAmount,
    invoiceableAmount: view.invoiceableAmount,
    status: view.status,
    ...(view.notInvoiceableReason === undefined ? {} : { notInvoiceableReason: view.notInvoiceableReason }),
    ...(positive && record.eligibleFrom !== undefined
      ? { eligibleFrom: toShanghaiIso(new Date(record.eligibleFrom)) }
      : {}),
  };
}

function encodeCursor(recordId: string): string {
  return Buffer.from(JSON.stringify({ after: recordId }), 'utf8').toString('base64url');
}

const CURSOR_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function decodeCursor(cursor: string): string {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof decoded.after === 'string' && CURSOR_ID.test(decoded.after)) return decoded.after;
  } catch {
    // Reported below.
  }
  throw new ValidationError('The query does not match the schema.', [
    { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
  ]);
}
