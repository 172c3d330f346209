import { type AccountState, getAccountState } from '#adapters/account-repository';
import { logger } from '#adapters/logger';
import {
  getInvoiceableSummary,
  getRecords,
  listLedger,
  putInvoiceableSummary,
  writeUpsertPlan,
} from '#adapters/record-repository';
import * as settings from '#config/settings';
import { ValidationError } from '#domain/errors';
import {
  computeInvoiceable,
  FORMULA_VERSION,
  type Invoiceable,
  type InvoiceableBasis,
  invoiceableFromSummary,
  summarizeLedger,
} from '#domain/invoiceable';
import { planRecordUpserts, type RecordInput, withoutUnchanged } from '#domain/record-upsert';

/**
 * The billing system's record batches and the invoiceable amount (R10). Each Lambda bundles only
 * the use-case module it calls: entities, account, account-profile and billing-records are apart.
 */

/**
 * Whether settling an invoice and releasing an application add invalidateInvoiceable to their
 * transactions (returns do). Until they do, reserved records are read again on every request.
 */
const RESERVATION_WRITES_INVALIDATE = false;

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
 * The account's invoiceable amount at `now`. While the account's versions are those its stored
 * summary was computed under, the summary answers with its reserved records read again (see
 * LedgerSummary): two or three small reads. Otherwise every record's ledger fields are read
 * (a projected, parallel read), and the new summary is stored for the next request. `state`
 * must be read before this is called: a summary is only stored with versions read before its
 * records.
 */
export async function currentInvoiceable(
  accountId: string,
  state: AccountState,
  now: Date,
): Promise<Omit<Invoiceable, 'eligible'>> {
  const basis: InvoiceableBasis = {
    ledgerVersion: state.ledgerVersion - state.profileVersion,
    recordsVersion: state.recordsVersion,
    formulaVersion: FORMULA_VERSION,
  };
  const arrears = state.account?.arrears ?? 0;
  const policy = settings.arrearsPolicy();
  const stored = await getInvoiceableSummary(accountId);
  if (stored.cached && sameBasis(stored.cached.basis, basis)) {
    const { summary } = stored.cached;
    const hot =
      summary.hot.length === 0
        ? []
        : [...(await getRecords(summary.hot.map((recordId) => ({ accountId, recordId })))).values()];
    const result = invoiceableFromSummary(summary, hot, arrears, policy, now);
    if (result) return result;
  }
  const { records, bounds } = await listLedger(accountId, stored.bounds);
  const { eligible: _e, ...result } = computeInvoiceable(records, arrears, policy, now);
  const summary = summarizeLedger(records, arrears, now, !RESERVATION_WRITES_INVALIDATE);
  const kept = await putInvoiceableSummary(accountId, stored.generation, { basis, summary }, bounds);
  logger.info('invoiceable computed from every record', {
    records: records.length,
    hot: summary.hot.length,
    pending: summary.pending.length,
    tail: summary.tail.length,
    kept,
  });
  return result;
}

function sameBasis(a: InvoiceableBasis, b: InvoiceableBasis): boolean {
  return (
    a.ledgerVersion === b.ledgerVersion &&
    a.recordsVersion === b.recordsVersion &&
    a.formulaVersion === b.formulaVersion
  );
}
