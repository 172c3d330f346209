import { type AccountState, accountStateOf } from '#adapters/account-repository';
import { keys } from '#adapters/dynamodb';
import {
  FOLD_AFTER,
  foldPassed,
  readAggregates,
  readExceptions,
  readLedger,
  type StoredAggregates,
} from '#adapters/ledger-aggregates-read';
import { logger } from '#adapters/logger';
import { getRecords, readOpenRecords, writeUpsertPlan } from '#adapters/record-repository';
import * as settings from '#config/settings';
import { isEligible } from '#domain/billing-record';
import { ValidationError } from '#domain/errors';
import { type Invoiceable, oldestFirst } from '#domain/invoiceable';
import { invoiceableFromAggregates, takeOffsets } from '#domain/ledger-aggregate';
import { planRecordUpserts, type RecordInput, withoutUnchanged } from '#domain/record-upsert';

/**
 * The billing system's record batches and the invoiceable amount (R10). Each Lambda bundles only
 * the use-case module it calls: entities, account, account-profile and billing-records are apart.
 */

/** Billing-system batch upsert: validated whole, then written idempotently (see planRecordUpserts). */
export async function upsertBillingRecords(records: RecordInput[], now = new Date()) {
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
  await writeUpsertPlan(plan, existing, now);
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
  const profile = keys.account(accountId);
  const { aggregates, items } = await readLedger(accountId, now, [profile]);
  const state = accountStateOf(items.get(profile.sk));
  const { amount, byEntity, formula: f } = await invoiceableFrom(accountId, state, aggregates, now);
  // Instants that have passed are folded into the main item by this read (the others need no
  // transaction in their bundles for it, and a billing batch spans too many accounts to read each).
  if (aggregates.passed.length >= FOLD_AFTER) await foldPassed(accountId, aggregates.passed);
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
 * The account's invoiceable amount at `now` from its ledger aggregates (see
 * shared/domain/ledger-aggregate.ts): one query for the main item and the instants up to now,
 * the listed exceptions (usually none), and only where a deficit or arrears must be taken off
 * byEntity, the newest invoiceable records as far as that reaches. Passed instants are folded
 * into the main item by GET /v1/invoiceable (getInvoiceable).
 */
export async function currentInvoiceable(
  accountId: string,
  state: AccountState,
  now: Date,
): Promise<Omit<Invoiceable, 'eligible'>> {
  return invoiceableFrom(accountId, state, await readAggregates(accountId, now), now);
}

export async function invoiceableFrom(
  accountId: string,
  state: Pick<AccountState, 'account'>,
  aggregates: StoredAggregates,
  now: Date,
): Promise<Omit<Invoiceable, 'eligible'>> {
  const arrears = state.account?.arrears ?? 0;
  const exceptions =
    aggregates.exceptions.length === 0 ? [] : await readExceptions(accountId, aggregates.exceptions);
  const result = invoiceableFromAggregates(
    aggregates.sum,
    exceptions,
    arrears,
    settings.arrearsPolicy(),
    now,
  );
  let newest: Awaited<ReturnType<typeof readOpenRecords>> = [];
  if (result.amount > 0 && result.offsets > 0) {
    let covered = 0;
    newest = (
      await readOpenRecords(accountId, false, (record) => {
        if (isEligible(record, now)) covered += record.availableAmount;
        return covered >= result.offsets;
      })
    )
      .filter((record) => isEligible(record, now))
      .sort(oldestFirst)
      .reverse();
  }
  const { groups: _g, offsets: _o, ...rest } = result;
  return { ...rest, byEntity: takeOffsets(result, newest) };
}
