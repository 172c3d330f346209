import { type BillingRecord, NEGATIVE_KINDS, netInvoiceable, type RecordKind } from '#domain/billing-record';
import { type FieldError, ValidationError } from '#domain/errors';
import type { Fen } from '#domain/money';

/** A record as the billing system sends it (POST /v1/internal/billing-records). */
export interface RecordInput {
  accountId: string;
  recordId: string;
  kind: RecordKind;
  parentRecordId?: string;
  period: string;
  paidAt: string;
  entity: string;
  taxRate: string;
  cashAmount: Fen;
  voucherAmount: Fen;
  fulfilment: BillingRecord['fulfilment'];
  fulfilledCashAmount?: Fen;
  productName?: string;
  eligibleFrom?: string;
  notInvoiceableReason?: string;
}

export interface RecordWrite {
  record: BillingRecord;
  /** The ledger fields as read; the write is conditional on them (undefined: must not exist). */
  expected?: Pick<BillingRecord, 'negativesAmount' | 'invoicedAmount' | 'reservedAmount'>;
}

/**
 * A negative's effect on its parent, conditional on the parent standing as planned: its
 * negatives and the fields its net depends on (the change in net is not linear).
 */
export interface ParentDelta {
  accountId: string;
  parentRecordId: string;
  expectedParent: Pick<BillingRecord, 'cashAmount' | 'fulfilment' | 'fulfilledCashAmount'>;
  expectedNegatives: Fen;
  negativesAmount: Fen;
  availableDelta: Fen;
}

export interface UpsertPlan {
  positives: RecordWrite[];
  negatives: { write: RecordWrite; parent: ParentDelta | undefined }[];
}

const DAY_MS = 86_400_000;

/**
 * Plans an idempotent batch upsert. Validates the whole batch first so bad input writes
 * nothing: negatives need a positive parent of the same account (in the store or the
 * batch), amounts have the right sign, and a record never moves to another account or flips
 * between positive and negative. Ledger fields are kept across updates and the available
 * amount is recomputed, so a record changed after part of it was invoiced stays consistent
 * (it may go below zero: a deficit, R13). A negative moves its parent by the change in its
 * cash amount, so sending the same batch twice changes nothing; the parent's available
 * amount moves by the change in its net (see netInvoiceable), which need not be linear.
 */
export function planRecordUpserts(
  inputs: readonly RecordInput[],
  existing: ReadonlyMap<string, BillingRecord>,
  paymentSyncDays: number,
): UpsertPlan {
  const errors: FieldError[] = [];
  const batch = new Map<string, RecordInput>();
  inputs.forEach((input, i) => {
    const at = (field: string) => `records[${i}].${field}`;
    if (batch.has(input.recordId))
      errors.push({ path: at('recordId'), message: 'appears twice in this batch' });
    batch.set(input.recordId, input);
    const negative = NEGATIVE_KINDS.has(input.kind);
    if (negative && input.cashAmount > 0)
      errors.push({ path: at('cashAmount'), message: `must be ≤ 0 for ${input.kind}` });
    if (!negative && input.cashAmount < 0)
      errors.push({ path: at('cashAmount'), message: `must be ≥ 0 for ${input.kind}` });
    if (negative && input.parentRecordId === undefined) {
      errors.push({ path: at('parentRecordId'), message: `is required for ${input.kind}` });
    }
    if (!negative && input.parentRecordId !== undefined) {
      errors.push({
        path: at('parentRecordId'),
        message: `is only allowed on refund and adjustment records`,
      });
    }
    if (input.fulfilment === 'partially-failed') {
      if (input.fulfilledCashAmount === undefined) {
        errors.push({
          path: at('fulfilledCashAmount'),
          message: 'is required when fulfilment is partially-failed',
        });
      } else if (input.fulfilledCashAmount > input.cashAmount) {
        errors.push({ path: at('fulfilledCashAmount'), message: 'cannot exceed cashAmount' });
      }
    }
    const old = existing.get(input.recordId);
    if (old && old.accountId !== input.accountId) {
      errors.push({ path: at('accountId'), message: 'the record belongs to another account' });
    }
    if (old && NEGATIVE_KINDS.has(old.kind) !== negative) {
      errors.push({ path: at('kind'), message: 'cannot change between a positive and a negative kind' });
    }
    if (old && old.parentRecordId !== input.parentRecordId) {
      errors.push({ path: at('parentRecordId'), message: 'cannot change once set' });
    }
  });
  inputs.forEach((input, i) => {
    if (input.parentRecordId === undefined) return;
    const parent = batch.get(input.parentRecordId) ?? existing.get(input.parentRecordId);
    const path = `records[${i}].parentRecordId`;
    if (!parent || parent.accountId !== input.accountId) {
      errors.push({ path, message: 'must name an existing record of the same account' });
    } else if (NEGATIVE_KINDS.has(parent.kind) || parent.kind === 'recharge') {
      errors.push({ path, message: 'must name an order or monthly bill' });
    }
  });
  if (errors.length > 0)
    throw new ValidationError('Some billing records are invalid; nothing was written.', errors);

  const plan: UpsertPlan = { positives: [], negatives: [] };
  const eligibleFrom = (input: RecordInput) =>
    input.eligibleFrom ?? new Date(Date.parse(input.paidAt) + paymentSyncDays * DAY_MS).toISOString();
  // Parents as they will stand after this batch's positives, then after each negative.
  const parents = new Map<string, BillingRecord>();
  for (const input of inputs) {
    if (NEGATIVE_KINDS.has(input.kind)) continue;
    const old = existing.get(input.recordId);
    const ledger = {
      negativesAmount: old?.negativesAmount ?? 0,
      invoicedAmount: old?.invoicedAmount ?? 0,
      reservedAmount: old?.reservedAmount ?? 0,
    };
    const fields = { ...input, eligibleFrom: eligibleFrom(input), ...ledger };
    const record: BillingRecord = {
      ...fields,
      availableAmount: netInvoiceable(fields) - ledger.invoicedAmount - ledger.reservedAmount,
    };
    plan.positives.push({ record, expected: old ? ledger : undefined });
    parents.set(record.recordId, record);
  }
  for (const input of inputs) {
    if (!NEGATIVE_KINDS.has(input.kind)) continue;
    const old = existing.get(input.recordId);
    const ledger = { negativesAmount: 0, invoicedAmount: 0, reservedAmount: 0 };
    const write: RecordWrite = {
      record: { ...input, eligibleFrom: eligibleFrom(input), ...ledger, availableAmount: 0 },
      expected: old ? ledger : undefined,
    };
    const delta = input.cashAmount - (old?.cashAmount ?? 0);
    const parentId = input.parentRecordId!;
    const parent = parents.get(parentId) ?? existing.get(parentId)!;
    let parentDelta: ParentDelta | undefined;
    if (delta !== 0) {
      const moved = { ...parent, negativesAmount: parent.negativesAmount + delta };
      parentDelta = {
        accountId: input.accountId,
        parentRecordId: parentId,
        expectedParent: {
          cashAmount: parent.cashAmount,
          fulfilment: parent.fulfilment,
          fulfilledCashAmount: parent.fulfilledCashAmount,
        },
        expectedNegatives: parent.negativesAmount,
        negativesAmount: moved.negativesAmount,
        availableDelta: netInvoiceable(moved) - netInvoiceable(parent),
      };
      parents.set(parentId, moved);
    }
    plan.negatives.push({ write, parent: parentDelta });
  }
  return plan;
}
