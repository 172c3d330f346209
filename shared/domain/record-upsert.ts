import {
  type BillingRecord,
  NEGATIVE_KINDS,
  netInvoiceable,
  RECORD_FIELDS,
  type RecordKind,
} from '#domain/billing-record';
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
 * A record's identity: record ids are unique within an account (the table keys records under
 * their account), so every lookup goes by account and record id together.
 */
export function recordRef(accountId: string, recordId: string): string {
  return `${accountId}|${recordId}`;
}

export interface PlanOptions {
  /** R11: the configured invoicing entities; a record naming another one is refused. */
  entities?: ReadonlySet<string>;
}

/**
 * Plans an idempotent batch upsert. Validates the whole batch first so bad input writes
 * nothing: entities must be configured ones, negatives need a positive parent of the same
 * account (in the store or the batch) with the same entity and tax rate, amounts have the
 * right sign, and a record never flips between positive and negative. `existing` is keyed by
 * recordRef, so a batch that mixes accounts looks every parent up in its own account. Ledger
 * fields are kept across updates and the available amount is recomputed, so a record changed
 * after part of it was invoiced stays consistent (it may go below zero: a deficit, R13). A
 * negative moves its parent by the change in its cash amount, so sending the same batch twice
 * changes nothing; the parent's available amount moves by the change in its net (see
 * netInvoiceable), which need not be linear. Instants are stored in UTC, so they sort as text.
 */
export function planRecordUpserts(
  inputs: readonly RecordInput[],
  existing: ReadonlyMap<string, BillingRecord>,
  paymentSyncDays: number,
  options: PlanOptions = {},
): UpsertPlan {
  const errors: FieldError[] = [];
  const batch = new Map<string, RecordInput>();
  inputs.forEach((input, i) => {
    const at = (field: string) => `records[${i}].${field}`;
    const ref = recordRef(input.accountId, input.recordId);
    if (batch.has(ref)) errors.push({ path: at('recordId'), message: 'appears twice in this batch' });
    batch.set(ref, input);
    if (options.entities && !options.entities.has(input.entity)) {
      errors.push({ path: at('entity'), message: 'is not one of the configured invoicing entities' });
    }
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
    const old = existing.get(ref);
    if (old && NEGATIVE_KINDS.has(old.kind) !== negative) {
      errors.push({ path: at('kind'), message: 'cannot change between a positive and a negative kind' });
    }
    if (old && old.parentRecordId !== input.parentRecordId) {
      errors.push({ path: at('parentRecordId'), message: 'cannot change once set' });
    }
  });
  inputs.forEach((input, i) => {
    if (input.parentRecordId === undefined) return;
    const parentRef = recordRef(input.accountId, input.parentRecordId);
    const parent = batch.get(parentRef) ?? existing.get(parentRef);
    const path = `records[${i}].parentRecordId`;
    if (!parent || parent.accountId !== input.accountId) {
      errors.push({ path, message: 'must name an existing record of the same account' });
    } else if (NEGATIVE_KINDS.has(parent.kind) || parent.kind === 'recharge') {
      errors.push({ path, message: 'must name an order or monthly bill' });
    } else {
      // R11: a negative reduces its parent's invoice line, so it is sold by the same entity at the same rate.
      if (parent.entity !== input.entity)
        errors.push({ path: `records[${i}].entity`, message: 'must be the entity of the parent record' });
      if (parent.taxRate !== input.taxRate)
        errors.push({ path: `records[${i}].taxRate`, message: 'must be the tax rate of the parent record' });
    }
  });
  if (errors.length > 0)
    throw new ValidationError('Some billing records are invalid; nothing was written.', errors);

  const plan: UpsertPlan = { positives: [], negatives: [] };
  const normalized = (input: RecordInput): RecordInput => ({
    ...input,
    paidAt: utc(input.paidAt),
    eligibleFrom: utc(
      input.eligibleFrom ?? new Date(Date.parse(input.paidAt) + paymentSyncDays * DAY_MS).toISOString(),
    ),
  });
  // Parents as they will stand after this batch's positives, then after each negative.
  const parents = new Map<string, BillingRecord>();
  for (const input of inputs) {
    if (NEGATIVE_KINDS.has(input.kind)) continue;
    const ref = recordRef(input.accountId, input.recordId);
    const old = existing.get(ref);
    const ledger = {
      negativesAmount: old?.negativesAmount ?? 0,
      invoicedAmount: old?.invoicedAmount ?? 0,
      reservedAmount: old?.reservedAmount ?? 0,
    };
    const fields = { ...normalized(input), ...ledger };
    const record: BillingRecord = {
      ...fields,
      availableAmount: netInvoiceable(fields) - ledger.invoicedAmount - ledger.reservedAmount,
    };
    plan.positives.push({ record, expected: old ? ledger : undefined });
    parents.set(ref, record);
  }
  for (const input of inputs) {
    if (!NEGATIVE_KINDS.has(input.kind)) continue;
    const old = existing.get(recordRef(input.accountId, input.recordId));
    const ledger = { negativesAmount: 0, invoicedAmount: 0, reservedAmount: 0 };
    const write: RecordWrite = {
      record: { ...normalized(input), ...ledger, availableAmount: 0 },
      expected: old ? ledger : undefined,
    };
    const delta = input.cashAmount - (old?.cashAmount ?? 0);
    const parentId = input.parentRecordId!;
    const parentRef = recordRef(input.accountId, parentId);
    const parent = parents.get(parentRef) ?? existing.get(parentRef)!;
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
      parents.set(parentRef, moved);
    }
    plan.negatives.push({ write, parent: parentDelta });
  }
  return plan;
}

/**
 * The plan without the writes that would store a record exactly as it is: a resent batch then
 * writes nothing, so it neither moves the ledger version (which open applications reserve
 * under) nor competes with them for the items.
 */
export function withoutUnchanged(plan: UpsertPlan, existing: ReadonlyMap<string, BillingRecord>): UpsertPlan {
  const unchanged = ({ record }: RecordWrite) => {
    const old = existing.get(recordRef(record.accountId, record.recordId));
    return old !== undefined && sameFields(old, record);
  };
  return {
    positives: plan.positives.filter((w) => !unchanged(w)),
    negatives: plan.negatives.filter((n) => n.parent !== undefined || !unchanged(n.write)),
  };
}

/** Equal in every field the ledger owns (what others keep on the item does not count). */
function sameFields(a: BillingRecord, b: BillingRecord): boolean {
  return RECORD_FIELDS.every((field) => a[field] === b[field]);
}

/** ISO instants are stored in UTC ("…Z"), whatever offset they came with, so they compare as text. */
function utc(instant: string): string {
  return new Date(Date.parse(instant)).toISOString();
}
