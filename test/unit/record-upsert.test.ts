import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BillingRecord,
  describeRecord,
  type Fulfilment,
  NEGATIVE_KINDS,
  netInvoiceable,
  type RecordKind,
} from '#domain/billing-record';
import { type FieldError, ValidationError } from '#domain/errors';
import {
  type PlanOptions,
  planRecordUpserts,
  type RecordInput,
  recordRef,
  type UpsertPlan,
  withoutUnchanged,
} from '#domain/record-upsert';

const SYNC_DAYS = 3;
const DAY_MS = 86_400_000;
/** Later than every default eligibleFrom below. */
const AFTER_SYNC = new Date('2025-06-15T04:00:00.000Z');
const PARTIAL = { fulfilment: 'partially-failed', cashAmount: 10_000, fulfilledCashAmount: 6_000 } as const;

function input(overrides: Partial<RecordInput> = {}): RecordInput {
  return {
    accountId: 'acc-1',
    recordId: 'order-1',
    kind: 'order',
    period: '2025-05',
    paidAt: '2025-05-10T02:00:00.000Z',
    entity: 'entity-bj',
    taxRate: '0.06',
    cashAmount: 10_000,
    voucherAmount: 0,
    fulfilment: 'succeeded',
    ...overrides,
  };
}

function refund(overrides: Partial<RecordInput> = {}): RecordInput {
  return input({
    recordId: 'refund-1',
    kind: 'refund',
    parentRecordId: 'order-1',
    cashAmount: -1_000,
    ...overrides,
  });
}

/** What the ledger holds after an input was written, with the given ledger fields. */
function stored(from: RecordInput, ledger: Partial<BillingRecord> = {}): BillingRecord {
  const merged: BillingRecord = {
    ...from,
    eligibleFrom: from.eligibleFrom ?? new Date(Date.parse(from.paidAt) + SYNC_DAYS * DAY_MS).toISOString(),
    negativesAmount: 0,
    invoicedAmount: 0,
    reservedAmount: 0,
    availableAmount: 0,
    ...ledger,
  };
  if (ledger.availableAmount === undefined && !NEGATIVE_KINDS.has(merged.kind)) {
    merged.availableAmount = netInvoiceable(merged) - merged.invoicedAmount - merged.reservedAmount;
  }
  return merged;
}

function mapOf(...records: BillingRecord[]): Map<string, BillingRecord> {
  return new Map(records.map((r) => [r.recordId, r]));
}

/** The planner looks records up by account and record id; most tests keep one account's ledger by id. */
function byRef(ledger: ReadonlyMap<string, BillingRecord>): Map<string, BillingRecord> {
  return new Map([...ledger.values()].map((r) => [recordRef(r.accountId, r.recordId), r]));
}

function planFor(
  inputs: readonly RecordInput[],
  ledger: ReadonlyMap<string, BillingRecord>,
  paymentSyncDays: number,
  options?: PlanOptions,
): UpsertPlan {
  return planRecordUpserts(inputs, byRef(ledger), paymentSyncDays, options);
}

function validationErrors(act: () => unknown): FieldError[] {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    return (error as ValidationError).errors ?? [];
  }
  throw new Error('expected a ValidationError');
}

/** Fails like a cancelled transaction when a write's condition does not hold. */
function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`condition failed: ${what}`);
}

/**
 * Applies a plan the way record-repository.writeUpsertPlan does, conditions included: positives
 * (each conditional on the ledger as read), then each negative together with its parent's update
 * `SET negativesAmount = :negatives ADD availableAmount :d` if the parent stands as planned, both
 * in one transaction (checked before either is written).
 */
function apply(plan: UpsertPlan, ledger: Map<string, BillingRecord>): void {
  const checkPut = ({ record, expected }: UpsertPlan['positives'][number]) => {
    const current = ledger.get(record.recordId);
    if (expected === undefined) check(current === undefined, `${record.recordId} does not exist`);
    else
      check(
        current !== undefined &&
          current.negativesAmount === expected.negativesAmount &&
          current.invoicedAmount === expected.invoicedAmount &&
          current.reservedAmount === expected.reservedAmount,
        `${record.recordId} ledger unchanged`,
      );
  };
  for (const write of plan.positives) {
    checkPut(write);
    ledger.set(write.record.recordId, structuredClone(write.record));
  }
  for (const { write, parent } of plan.negatives) {
    checkPut(write);
    const target = parent && ledger.get(parent.parentRecordId);
    if (parent)
      check(
        target?.negativesAmount === parent.expectedNegatives &&
          target.cashAmount === parent.expectedParent.cashAmount &&
          target.fulfilment === parent.expectedParent.fulfilment &&
          target.fulfilledCashAmount === parent.expectedParent.fulfilledCashAmount,
        `${parent.parentRecordId} stands as planned`,
      );
    ledger.set(write.record.recordId, structuredClone(write.record));
    if (!parent || !target) continue;
    target.negativesAmount = parent.negativesAmount;
    target.availableAmount += parent.availableDelta;
  }
}

describe('planRecordUpserts validation', () => {
  it('R7 a negative document needs a parent record', () => {
    // Prepare
    const orphan = refund({ parentRecordId: undefined });

    // Act
    const errors = validationErrors(() => planFor([orphan], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toContainEqual({ path: 'records[0].parentRecordId', message: 'is required for refund' });
  });

  it('R7 a positive record cannot name a parent', () => {
    // Prepare
    const order = input({ recordId: 'order-2', parentRecordId: 'order-1' });

    // Act
    const errors = validationErrors(() => planFor([input(), order], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[1].parentRecordId', message: 'is only allowed on refund and adjustment records' },
    ]);
  });

  it.each<RecordKind>(['refund', 'adjustment'])('R7 a %s must not have a positive cash amount', (kind) => {
    // Prepare
    const wrongSign = refund({ kind, cashAmount: 1 });

    // Act
    const errors = validationErrors(() => planFor([input(), wrongSign], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([{ path: 'records[1].cashAmount', message: `must be ≤ 0 for ${kind}` }]);
  });

  it.each<RecordKind>(['order', 'monthly-bill', 'recharge'])(
    'R7 a %s must not have a negative cash amount',
    (kind) => {
      // Prepare
      const wrongSign = input({ kind, cashAmount: -1 });

      // Act
      const errors = validationErrors(() => planFor([wrongSign], new Map(), SYNC_DAYS));

      // Assess
      expect(errors).toEqual([{ path: 'records[0].cashAmount', message: `must be ≥ 0 for ${kind}` }]);
    },
  );

  it('R7 zero amounts are accepted on both positive and negative records', () => {
    // Prepare
    const batch = [input({ cashAmount: 0 }), refund({ cashAmount: 0 })];

    // Act
    const plan = planFor(batch, new Map(), SYNC_DAYS);

    // Assess
    expect(plan.positives).toHaveLength(1);
    expect(plan.negatives).toHaveLength(1);
    expect(plan.negatives[0]!.parent).toBeUndefined();
  });

  it('R6 a partially failed order needs its fulfilled amount', () => {
    // Prepare
    const partial = input({ fulfilment: 'partially-failed' });

    // Act
    const errors = validationErrors(() => planFor([partial], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[0].fulfilledCashAmount', message: 'is required when fulfilment is partially-failed' },
    ]);
  });

  it('R6 the fulfilled amount cannot exceed the cash paid', () => {
    // Prepare
    const partial = input({ fulfilment: 'partially-failed', cashAmount: 5_000, fulfilledCashAmount: 5_001 });

    // Act
    const errors = validationErrors(() => planFor([partial], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([{ path: 'records[0].fulfilledCashAmount', message: 'cannot exceed cashAmount' }]);
  });

  it('rejects a record id sent twice in one batch', () => {
    // Prepare
    const batch = [input(), input({ cashAmount: 20_000 })];

    // Act
    const errors = validationErrors(() => planFor(batch, new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([{ path: 'records[1].recordId', message: 'appears twice in this batch' }]);
  });

  it('R32 the same record id in another account is that account’s own record', () => {
    // Prepare
    const existing = mapOf(stored(input()));
    const otherAccount = input({ accountId: 'acc-2', cashAmount: 3_000 });

    // Act
    const plan = planFor([otherAccount], existing, SYNC_DAYS);

    // Assess: a new record of acc-2; acc-1's record is not read, changed or conditioned on.
    expect(plan.positives).toHaveLength(1);
    expect(plan.positives[0]!.expected).toBeUndefined();
    expect(plan.positives[0]!.record).toMatchObject({ accountId: 'acc-2', availableAmount: 3_000 });
  });

  it('R7 R32 a batch that mixes accounts looks every parent up in its own account', () => {
    // Prepare: both accounts have an order-1; each sends a refund of its own.
    const existing = new Map(
      [
        stored(input({ cashAmount: 10_000 }), { negativesAmount: -100 }),
        stored(input({ accountId: 'acc-2', ...PARTIAL })),
      ].map((r) => [recordRef(r.accountId, r.recordId), r]),
    );
    const batch = [
      refund({ accountId: 'acc-2', recordId: 'refund-b', cashAmount: -5_000 }),
      refund({ accountId: 'acc-1', recordId: 'refund-a', cashAmount: -500 }),
    ];

    // Act
    const plan = planRecordUpserts(batch, existing, SYNC_DAYS);

    // Assess
    expect(plan.negatives.map((n) => n.parent)).toEqual([
      {
        accountId: 'acc-2',
        parentRecordId: 'order-1',
        expectedParent: { cashAmount: 10_000, fulfilment: 'partially-failed', fulfilledCashAmount: 6_000 },
        expectedNegatives: 0,
        negativesAmount: -5_000,
        availableDelta: -1_000,
      },
      {
        accountId: 'acc-1',
        parentRecordId: 'order-1',
        expectedParent: { cashAmount: 10_000, fulfilment: 'succeeded', fulfilledCashAmount: undefined },
        expectedNegatives: -100,
        negativesAmount: -600,
        availableDelta: -500,
      },
    ]);
  });

  it('R32 one batch may carry the same record id for two accounts', () => {
    // Prepare
    const batch = [input(), input({ accountId: 'acc-2' }), refund({ accountId: 'acc-2' })];

    // Act
    const plan = planRecordUpserts(batch, new Map(), SYNC_DAYS);

    // Assess
    expect(plan.positives.map((p) => p.record.accountId)).toEqual(['acc-1', 'acc-2']);
    expect(plan.negatives[0]!.parent).toMatchObject({ accountId: 'acc-2', availableDelta: -1_000 });
  });

  it('R11 a record must name a configured invoicing entity', () => {
    // Prepare
    const entities = new Set(['entity-bj', 'entity-sh']);
    const batch = [input(), input({ recordId: 'order-2', entity: 'entity-xx' })];

    // Act
    const errors = validationErrors(() => planFor(batch, new Map(), SYNC_DAYS, { entities }));

    // Assess
    expect(errors).toEqual([
      { path: 'records[1].entity', message: 'is not one of the configured invoicing entities' },
    ]);
  });

  it('R7 R11 a negative has the entity and tax rate of its parent', () => {
    // Prepare
    const existing = mapOf(stored(input()));
    const batch = [refund({ entity: 'entity-sh', taxRate: '0.13' })];

    // Act
    const errors = validationErrors(() => planFor(batch, existing, SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[0].entity', message: 'must be the entity of the parent record' },
      { path: 'records[0].taxRate', message: 'must be the tax rate of the parent record' },
    ]);
  });

  it('R7 a positive record cannot become a negative one', () => {
    // Prepare
    const existing = mapOf(stored(input()), stored(input({ recordId: 'order-2' })));
    const flipped = input({
      recordId: 'order-2',
      kind: 'refund',
      parentRecordId: 'order-1',
      cashAmount: -100,
    });

    // Act
    const errors = validationErrors(() => planFor([flipped], existing, SYNC_DAYS));

    // Assess
    expect(errors).toContainEqual({
      path: 'records[0].kind',
      message: 'cannot change between a positive and a negative kind',
    });
  });

  it('R7 a negative record cannot become a positive one', () => {
    // Prepare
    const existing = mapOf(stored(input()), stored(refund()));
    const flipped = input({ recordId: 'refund-1', kind: 'order', cashAmount: 100 });

    // Act
    const errors = validationErrors(() => planFor([flipped], existing, SYNC_DAYS));

    // Assess
    expect(errors).toContainEqual({
      path: 'records[0].kind',
      message: 'cannot change between a positive and a negative kind',
    });
  });

  it('R7 a refund may become an adjustment (both negative) under the same parent', () => {
    // Prepare
    const existing = mapOf(stored(input(), { negativesAmount: -1_000 }), stored(refund()));
    const relabelled = refund({ kind: 'adjustment' });

    // Act
    const plan = planFor([relabelled], existing, SYNC_DAYS);

    // Assess
    expect(plan.negatives[0]!.write.record.kind).toBe('adjustment');
    expect(plan.negatives[0]!.parent).toBeUndefined();
  });

  it('R7 a negative document cannot move to another parent', () => {
    // Prepare
    const existing = mapOf(stored(input()), stored(input({ recordId: 'order-2' })), stored(refund()));
    const moved = refund({ parentRecordId: 'order-2' });

    // Act
    const errors = validationErrors(() => planFor([moved], existing, SYNC_DAYS));

    // Assess
    expect(errors).toEqual([{ path: 'records[0].parentRecordId', message: 'cannot change once set' }]);
  });

  it('R7 the parent must exist in the ledger or in the batch', () => {
    // Prepare
    const orphan = refund({ parentRecordId: 'order-404' });

    // Act
    const errors = validationErrors(() => planFor([orphan], new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[0].parentRecordId', message: 'must name an existing record of the same account' },
    ]);
  });

  it('R7 R32 the parent must belong to the same account (stored parent)', () => {
    // Prepare
    const existing = mapOf(stored(input({ accountId: 'acc-2' })));
    const crossAccount = refund({ accountId: 'acc-1' });

    // Act
    const errors = validationErrors(() => planFor([crossAccount], existing, SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[0].parentRecordId', message: 'must name an existing record of the same account' },
    ]);
  });

  it('R7 R32 the parent must belong to the same account (parent in the batch)', () => {
    // Prepare
    const batch = [input({ accountId: 'acc-2' }), refund({ accountId: 'acc-1' })];

    // Act
    const errors = validationErrors(() => planFor(batch, new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[1].parentRecordId', message: 'must name an existing record of the same account' },
    ]);
  });

  it.each<[string, RecordInput]>([
    ['a recharge', input({ recordId: 'order-1', kind: 'recharge' })],
    ['another refund', refund({ recordId: 'order-1', parentRecordId: 'order-0' })],
  ])('R5 R7 the parent must be an order or monthly bill, not %s', (_label, parent) => {
    // Prepare
    const batch = [input({ recordId: 'order-0' }), parent, refund({ recordId: 'refund-9' })];

    // Act
    const errors = validationErrors(() => planFor(batch, new Map(), SYNC_DAYS));

    // Assess
    expect(errors).toEqual([
      { path: 'records[2].parentRecordId', message: 'must name an order or monthly bill' },
    ]);
  });

  it('R7 a monthly bill may be the parent of an adjustment', () => {
    // Prepare
    const batch = [
      input({ recordId: 'bill-1', kind: 'monthly-bill' }),
      refund({ recordId: 'adj-1', kind: 'adjustment', parentRecordId: 'bill-1' }),
    ];

    // Act
    const plan = planFor(batch, new Map(), SYNC_DAYS);

    // Assess
    expect(plan.negatives[0]!.parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'bill-1',
      expectedNegatives: 0,
      negativesAmount: -1_000,
      availableDelta: -1_000,
    });
  });

  it('reports every invalid record with its path and writes nothing', () => {
    // Prepare
    const batch = [
      input(),
      input({ recordId: 'order-2', cashAmount: -5 }),
      refund({ recordId: 'refund-2', cashAmount: 7, parentRecordId: undefined }),
      input({ recordId: 'order-3', fulfilment: 'partially-failed' }),
    ];

    // Act
    const errors = validationErrors(() => planFor(batch, new Map(), SYNC_DAYS));

    // Assess
    expect(errors.map((e) => e.path)).toEqual([
      'records[1].cashAmount',
      'records[2].cashAmount',
      'records[2].parentRecordId',
      'records[3].fulfilledCashAmount',
    ]);
  });
});

describe('planRecordUpserts plan', () => {
  it('R5 a new order is written with an empty ledger and its cash as available amount', () => {
    // Prepare
    const order = input({ cashAmount: 7_000, voucherAmount: 3_000 });

    // Act
    const plan = planFor([order], new Map(), SYNC_DAYS);

    // Assess
    expect(plan.negatives).toEqual([]);
    expect(plan.positives).toEqual([
      {
        record: {
          ...order,
          eligibleFrom: '2025-05-13T02:00:00.000Z',
          negativesAmount: 0,
          invoicedAmount: 0,
          reservedAmount: 0,
          availableAmount: 7_000,
        },
        expected: undefined,
      },
    ]);
  });

  it.each<[string, Partial<RecordInput>, number]>([
    ['R5 a recharge', { kind: 'recharge', cashAmount: 9_000 }, 0],
    ['R6 a failed order', { fulfilment: 'failed', cashAmount: 9_000 }, 0],
    [
      'R6 a partially failed order',
      { fulfilment: 'partially-failed', cashAmount: 9_000, fulfilledCashAmount: 4_000 },
      4_000,
    ],
  ])('%s is written with only its invoiceable cash available', (_label, overrides, available) => {
    // Prepare
    const record = input(overrides);

    // Act
    const plan = planFor([record], new Map(), SYNC_DAYS);

    // Assess
    expect(plan.positives[0]!.record.availableAmount).toBe(available);
  });

  it('R8 eligibleFrom defaults to the payment time plus the payment sync days', () => {
    // Prepare
    const order = input({ paidAt: '2025-12-30T20:15:00.000Z' });

    // Act
    const threeDays = planFor([order], new Map(), 3).positives[0]!.record;
    const noDelay = planFor([order], new Map(), 0).positives[0]!.record;

    // Assess
    expect(threeDays.eligibleFrom).toBe('2026-01-02T20:15:00.000Z');
    expect(noDelay.eligibleFrom).toBe('2025-12-30T20:15:00.000Z');
  });

  it('R8 eligibleFrom defaults from a payment time given with an offset', () => {
    // Prepare
    const order = input({ paidAt: '2025-05-10T10:00:00+08:00' });

    // Act
    const record = planFor([order], new Map(), 3).positives[0]!.record;

    // Assess
    expect(record.eligibleFrom).toBe('2025-05-13T02:00:00.000Z');
  });

  it("R8 the billing system's own eligibleFrom and reason are kept", () => {
    // Prepare
    const order = input({
      eligibleFrom: '2025-06-30T16:00:00.000Z',
      notInvoiceableReason: 'BANK_TRANSFER_CLEARING',
    });

    // Act
    const record = planFor([order], new Map(), SYNC_DAYS).positives[0]!.record;

    // Assess
    expect(record.eligibleFrom).toBe('2025-06-30T16:00:00.000Z');
    expect(record.notInvoiceableReason).toBe('BANK_TRANSFER_CLEARING');
  });

  it('invariant 1 an update keeps the ledger fields and recomputes the available amount', () => {
    // Prepare: 10 000 paid, 1 000 refunded, 3 000 invoiced, 2 000 reserved; the cash is corrected to 12 000.
    const old = stored(input(), { negativesAmount: -1_000, invoicedAmount: 3_000, reservedAmount: 2_000 });
    const update = input({ cashAmount: 12_000, productName: 'ECS' });

    // Act
    const plan = planFor([update], mapOf(old), SYNC_DAYS);

    // Assess
    expect(old.availableAmount).toBe(4_000);
    const [write] = plan.positives;
    expect(write!.expected).toEqual({
      negativesAmount: -1_000,
      invoicedAmount: 3_000,
      reservedAmount: 2_000,
    });
    expect(write!.record).toMatchObject({
      cashAmount: 12_000,
      productName: 'ECS',
      negativesAmount: -1_000,
      invoicedAmount: 3_000,
      reservedAmount: 2_000,
      availableAmount: 6_000,
    });
  });

  it('R13 an update that lowers the cash below what was invoiced leaves a deficit', () => {
    // Prepare
    const old = stored(input({ cashAmount: 10_000 }), { invoicedAmount: 10_000 });

    // Act
    const plan = planFor([input({ cashAmount: 7_000 })], mapOf(old), SYNC_DAYS);

    // Assess
    expect(plan.positives[0]!.record.availableAmount).toBe(-3_000);
    expect(describeRecord(plan.positives[0]!.record, AFTER_SYNC).status).toBe('deficit');
  });

  it('R6 R13 an invoiced order later reported failed is written as a deficit of the invoiced amount', () => {
    // Prepare
    const old = stored(input({ cashAmount: 10_000 }), { invoicedAmount: 8_000 });

    // Act
    const plan = planFor([input({ fulfilment: 'failed' })], mapOf(old), SYNC_DAYS);

    // Assess
    const record = plan.positives[0]!.record;
    expect(record.availableAmount).toBe(-8_000);
    expect(describeRecord(record, AFTER_SYNC)).toEqual({
      status: 'deficit',
      invoiceableAmount: 0,
      notInvoiceableReason: 'NEGATIVE_AFTER_INVOICING',
    });
  });

  it('R6 an order that turns out partially failed keeps only the fulfilled part available', () => {
    // Prepare
    const old = stored(input({ cashAmount: 10_000 }), { reservedAmount: 1_000 });
    const update = input({ cashAmount: 10_000, fulfilment: 'partially-failed', fulfilledCashAmount: 6_000 });

    // Act
    const plan = planFor([update], mapOf(old), SYNC_DAYS);

    // Assess
    expect(plan.positives[0]!.record.availableAmount).toBe(5_000);
  });

  it("R7 a new negative sets its parent's negatives and moves a succeeded parent by its cash amount", () => {
    // Prepare
    const existing = mapOf(stored(input()));

    // Act
    const plan = planFor([refund({ cashAmount: -2_500 })], existing, SYNC_DAYS);

    // Assess
    expect(plan.positives).toEqual([]);
    expect(plan.negatives).toHaveLength(1);
    const [{ write, parent }] = plan.negatives as [UpsertPlan['negatives'][number]];
    expect(parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'order-1',
      expectedNegatives: 0,
      negativesAmount: -2_500,
      availableDelta: -2_500,
    });
    expect(write.expected).toBeUndefined();
    expect(write.record).toMatchObject({
      recordId: 'refund-1',
      kind: 'refund',
      parentRecordId: 'order-1',
      cashAmount: -2_500,
      negativesAmount: 0,
      invoicedAmount: 0,
      reservedAmount: 0,
      availableAmount: 0,
    });
  });

  it.each([
    [-1_000, -1_500, -500],
    [-1_500, -1_000, 500],
    [-1_000, 0, 1_000],
  ])('R7 a negative changed from %d to %d moves a succeeded parent by %d', (before, after, delta) => {
    // Prepare
    const existing = mapOf(
      stored(input(), { negativesAmount: before }),
      stored(refund({ cashAmount: before })),
    );

    // Act
    const plan = planFor([refund({ cashAmount: after })], existing, SYNC_DAYS);

    // Assess
    expect(plan.negatives[0]!.parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'order-1',
      expectedNegatives: before,
      negativesAmount: after,
      availableDelta: delta,
    });
    expect(plan.negatives[0]!.write.expected).toEqual({
      negativesAmount: 0,
      invoicedAmount: 0,
      reservedAmount: 0,
    });
  });

  it('R7 a parent and its negatives can arrive in the same batch, in any order', () => {
    // Prepare
    const batch = [refund({ cashAmount: -300 }), refund({ recordId: 'refund-2', cashAmount: -200 }), input()];
    const ledger = new Map<string, BillingRecord>();

    // Act
    apply(planFor(batch, ledger, SYNC_DAYS), ledger);

    // Assess
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -500, availableAmount: 9_500 });
  });

  it('idempotence: applying the same batch twice changes nothing the second time', () => {
    // Prepare
    const batch = [
      input(),
      input({ recordId: 'bill-1', kind: 'monthly-bill', cashAmount: 3_000 }),
      refund({ cashAmount: -400 }),
      refund({ recordId: 'adj-1', kind: 'adjustment', parentRecordId: 'bill-1', cashAmount: -100 }),
    ];
    const ledger = new Map<string, BillingRecord>();
    apply(planFor(batch, ledger, SYNC_DAYS), ledger);
    const afterFirst = structuredClone([...ledger.entries()]);

    // Act
    const second = planFor(batch, ledger, SYNC_DAYS);
    apply(second, ledger);

    // Assess
    expect(second.negatives.map((n) => n.parent)).toEqual([undefined, undefined]);
    expect(second.positives.map((p) => p.record)).toEqual([ledger.get('order-1'), ledger.get('bill-1')]);
    expect([...ledger.entries()]).toEqual(afterFirst);
    expect(ledger.get('order-1')!.availableAmount).toBe(9_600);
    expect(ledger.get('bill-1')!.availableAmount).toBe(2_900);
  });

  it('R6 R7 refunding the failed part of a partially failed order leaves its fulfilled part; a further refund lowers it', () => {
    // Prepare: 10 000 paid, 6 000 fulfilled.
    const ledger = mapOf(stored(input(PARTIAL)));

    // Act
    const first = planFor([refund({ cashAmount: -4_000 })], ledger, SYNC_DAYS);
    apply(first, ledger);
    const afterFailedPart = structuredClone(ledger.get('order-1')!);
    const second = planFor([refund({ recordId: 'refund-2', cashAmount: -1_000 })], ledger, SYNC_DAYS);
    apply(second, ledger);

    // Assess
    expect(first.negatives[0]!.parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'order-1',
      expectedNegatives: 0,
      negativesAmount: -4_000,
      availableDelta: 0,
    });
    expect(afterFailedPart).toMatchObject({ negativesAmount: -4_000, availableAmount: 6_000 });
    expect(second.negatives[0]!.parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'order-1',
      expectedNegatives: -4_000,
      negativesAmount: -5_000,
      availableDelta: -1_000,
    });
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -5_000, availableAmount: 5_000 });
  });

  it('R7 several negatives of one parent in a batch chain their expected negatives', () => {
    // Prepare
    const ledger = mapOf(stored(input(PARTIAL)));
    const batch = [
      refund({ cashAmount: -3_000 }),
      refund({ recordId: 'refund-2', kind: 'adjustment', cashAmount: -1_000 }),
      refund({ recordId: 'refund-3', cashAmount: -1_500 }),
    ];

    // Act
    const plan = planFor(batch, ledger, SYNC_DAYS);
    apply(plan, ledger);

    // Assess: 10 000 → 7 000 → 6 000 leave the 6 000 fulfilled; 4 500 cash left lowers it by 1 500.
    expect(plan.negatives.map((n) => n.parent)).toMatchObject([
      {
        accountId: 'acc-1',
        parentRecordId: 'order-1',
        expectedNegatives: 0,
        negativesAmount: -3_000,
        availableDelta: 0,
      },
      {
        accountId: 'acc-1',
        parentRecordId: 'order-1',
        expectedNegatives: -3_000,
        negativesAmount: -4_000,
        availableDelta: 0,
      },
      {
        accountId: 'acc-1',
        parentRecordId: 'order-1',
        expectedNegatives: -4_000,
        negativesAmount: -5_500,
        availableDelta: -1_500,
      },
    ]);
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -5_500, availableAmount: 4_500 });
  });

  it('R6 R7 a changed negative moves a partially failed parent by the change in its net', () => {
    // Prepare: 10 000 paid, 6 000 fulfilled, 5 000 refunded; the refund is corrected to 3 000.
    const ledger = mapOf(
      stored(input(PARTIAL), { negativesAmount: -5_000 }),
      stored(refund({ cashAmount: -5_000 })),
    );

    // Act
    const plan = planFor([refund({ cashAmount: -3_000 })], ledger, SYNC_DAYS);
    apply(plan, ledger);

    // Assess
    expect(plan.negatives[0]!.parent).toMatchObject({
      expectedNegatives: -5_000,
      negativesAmount: -3_000,
      availableDelta: 1_000,
    });
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -3_000, availableAmount: 6_000 });
  });

  it('R6 R13 a failed order fully refunded and never invoiced is written as 0 available, not a deficit', () => {
    // Prepare
    const ledger = mapOf(stored(input({ fulfilment: 'failed', cashAmount: 10_000 })));

    // Act
    const plan = planFor([refund({ cashAmount: -10_000 })], ledger, SYNC_DAYS);
    apply(plan, ledger);

    // Assess
    expect(plan.negatives[0]!.parent).toMatchObject({ negativesAmount: -10_000, availableDelta: 0 });
    const order = ledger.get('order-1')!;
    expect(order).toMatchObject({ negativesAmount: -10_000, availableAmount: 0 });
    expect(describeRecord(order, AFTER_SYNC)).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'FULFILMENT_FAILED',
    });
  });

  it('R6 R7 a parent updated in the same batch is taken as it will stand after the batch', () => {
    // Prepare: stored as a succeeded 10 000 order; the batch reports 6 000 fulfilled and refunds the failed 4 000.
    const ledger = mapOf(stored(input()));
    const batch = [refund({ cashAmount: -4_000 }), input(PARTIAL)];

    // Act
    const plan = planFor(batch, ledger, SYNC_DAYS);
    apply(plan, ledger);

    // Assess: measured on the stored succeeded order the refund would have taken 4 000 more.
    expect(plan.positives[0]!.record.availableAmount).toBe(6_000);
    expect(plan.negatives[0]!.parent).toMatchObject({
      accountId: 'acc-1',
      parentRecordId: 'order-1',
      expectedNegatives: 0,
      negativesAmount: -4_000,
      availableDelta: 0,
    });
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -4_000, availableAmount: 6_000 });
  });

  it('invariant 1 a negative planned on a parent whose negatives changed since is refused, not misapplied', () => {
    // Prepare: two billing batches planned on the same read of a partially failed order.
    const ledger = mapOf(stored(input(PARTIAL)));
    const first = planFor([refund({ cashAmount: -4_000 })], ledger, SYNC_DAYS);
    const second = planFor([refund({ recordId: 'refund-2', cashAmount: -1_000 })], ledger, SYNC_DAYS);
    apply(first, ledger);
    const afterFirst = structuredClone([...ledger.entries()]);

    // Act
    const applySecond = () => apply(second, ledger);

    // Assess: the second plan expected no negatives yet, so nothing of it is written; replanned,
    // it takes the 1 000.
    expect(second.negatives[0]!.parent).toMatchObject({ expectedNegatives: 0, availableDelta: 0 });
    expect(applySecond).toThrow(/stands as planned/);
    expect([...ledger.entries()]).toEqual(afterFirst);
    apply(planFor([refund({ recordId: 'refund-2', cashAmount: -1_000 })], ledger, SYNC_DAYS), ledger);
    expect(ledger.get('order-1')).toMatchObject({ negativesAmount: -5_000, availableAmount: 5_000 });
  });

  it('invariant 1 a negative planned before a concurrent update of its parent is refused, not misapplied', () => {
    // Prepare: batch A (a refund) reads the partially failed order; batch B then reports it as
    // fully succeeded and is written first. B's write is conditional on the ledger fields only,
    // which A has not touched yet, so it goes through.
    const ledger = mapOf(stored(input(PARTIAL)));
    const refundPlan = planFor([refund({ cashAmount: -4_000 })], ledger, SYNC_DAYS);
    apply(planFor([input()], ledger, SYNC_DAYS), ledger);

    // Act: A's parent update is conditional on negativesAmount alone, which B did not change.
    let refused = false;
    try {
      apply(refundPlan, ledger);
    } catch {
      refused = true;
    }

    // Assess: A's delta (0: the refund only took the failed part) was computed for the partially
    // failed order. It must either be refused, writing nothing, and then replanned, or be applied
    // so that the parent stays consistent: 10 000 succeeded − 4 000 refunded = 6 000.
    if (refused) {
      expect(ledger.get('order-1')).toMatchObject({ negativesAmount: 0, availableAmount: 10_000 });
      expect(ledger.has('refund-1')).toBe(false);
      apply(planFor([refund({ cashAmount: -4_000 })], ledger, SYNC_DAYS), ledger);
    }
    const order = ledger.get('order-1')!;
    expect(order.availableAmount).toBe(netInvoiceable(order) - order.invoicedAmount - order.reservedAmount);
    expect(order).toMatchObject({ fulfilment: 'succeeded', negativesAmount: -4_000, availableAmount: 6_000 });
  });

  it('does not change the existing records it is given', () => {
    // Prepare
    const old = stored(input(), { invoicedAmount: 1_000 });
    const existing = mapOf(old);
    const snapshot = structuredClone(old);

    // Act
    planFor([input({ cashAmount: 50 }), refund()], existing, SYNC_DAYS);

    // Assess
    expect(existing.get('order-1')).toEqual(snapshot);
  });
});

describe('planRecordUpserts instants', () => {
  it('R8 instants are stored in UTC whatever offset they came with', () => {
    // Prepare
    const order = input({ paidAt: '2025-05-10T10:00:00+08:00', eligibleFrom: '2025-05-20T08:30:00+08:00' });
    const defaulted = input({ recordId: 'order-2', paidAt: '2025-05-10T10:00:00+08:00' });

    // Act
    const plan = planFor([order, defaulted], new Map(), SYNC_DAYS);

    // Assess
    expect(plan.positives.map((p) => [p.record.paidAt, p.record.eligibleFrom])).toEqual([
      ['2025-05-10T02:00:00.000Z', '2025-05-20T00:30:00.000Z'],
      ['2025-05-10T02:00:00.000Z', '2025-05-13T02:00:00.000Z'],
    ]);
  });
});

describe('withoutUnchanged', () => {
  it('idempotence: a resent batch writes nothing at all', () => {
    // Prepare
    const batch = [
      input(),
      refund({ cashAmount: -400 }),
      input({ recordId: 'bill-1', kind: 'monthly-bill' }),
    ];
    const ledger = new Map<string, BillingRecord>();
    apply(planFor(batch, ledger, SYNC_DAYS), ledger);

    // Act
    const replay = withoutUnchanged(planFor(batch, ledger, SYNC_DAYS), byRef(ledger));

    // Assess
    expect(replay).toEqual({ positives: [], negatives: [] });
  });

  it('R16 what others keep on a record item (the title an application bound it to) does not make it changed', () => {
    // Prepare
    const ledger = new Map<string, BillingRecord>();
    apply(planFor([input()], ledger, SYNC_DAYS), ledger);
    const bound = { ...ledger.get('order-1')!, titleId: 'title-9' } as BillingRecord;
    ledger.set('order-1', bound);

    // Act
    const replay = withoutUnchanged(planFor([input()], ledger, SYNC_DAYS), byRef(ledger));
    const changed = withoutUnchanged(
      planFor([input({ cashAmount: 9_000 })], ledger, SYNC_DAYS),
      byRef(ledger),
    );

    // Assess
    expect(replay.positives).toEqual([]);
    expect(changed.positives.map((p) => p.record.cashAmount)).toEqual([9_000]);
  });

  it('idempotence: only what changed is written, and a negative that moves its parent always is', () => {
    // Prepare
    const ledger = new Map<string, BillingRecord>();
    apply(planFor([input(), input({ recordId: 'order-2' }), refund()], ledger, SYNC_DAYS), ledger);
    const changed = [
      input(),
      input({ recordId: 'order-2', productName: 'ECS' }),
      refund({ cashAmount: -1_500 }),
      refund({ recordId: 'refund-2', cashAmount: 0 }),
    ];

    // Act
    const plan = withoutUnchanged(planFor(changed, ledger, SYNC_DAYS), byRef(ledger));

    // Assess
    expect(plan.positives.map((p) => p.record.recordId)).toEqual(['order-2']);
    expect(plan.negatives.map((n) => [n.write.record.recordId, n.parent?.availableDelta])).toEqual([
      ['refund-1', -500],
      ['refund-2', undefined],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: invariant 1 under random sequences of upserts, reservations and invoicing.

type Step =
  | {
      type: 'parent';
      cashAmount: number;
      voucherAmount: number;
      fulfilment: Fulfilment;
      fulfilledShare: number;
    }
  | { type: 'negative'; index: number; kind: RecordKind; cashAmount: number }
  | { type: 'batch'; parent: Step & { type: 'parent' }; negatives: (Step & { type: 'negative' })[] }
  | { type: 'replay' }
  | { type: 'reserve'; share: number }
  | { type: 'invoice'; share: number }
  | { type: 'release'; share: number };

const parentStep = fc.record({
  type: fc.constant('parent' as const),
  cashAmount: fc.integer({ min: 0, max: 1_000_000 }),
  voucherAmount: fc.integer({ min: 0, max: 100_000 }),
  fulfilment: fc.constantFrom<Fulfilment>('succeeded', 'succeeded', 'partially-failed', 'failed'),
  fulfilledShare: fc.integer({ min: 0, max: 100 }),
});
const negativeStep = fc.record({
  type: fc.constant('negative' as const),
  index: fc.integer({ min: 0, max: 3 }),
  kind: fc.constantFrom<RecordKind>('refund', 'adjustment'),
  cashAmount: fc.integer({ min: -300_000, max: 0 }),
});
const ratio = fc.integer({ min: 1, max: 100 });
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: parentStep, weight: 2 },
  { arbitrary: negativeStep, weight: 4 },
  {
    arbitrary: fc.record({
      type: fc.constant('batch' as const),
      parent: parentStep,
      negatives: fc.uniqueArray(negativeStep, { maxLength: 3, selector: (n) => n.index }),
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ type: 'replay' as const }), weight: 1 },
  { arbitrary: fc.record({ type: fc.constant('reserve' as const), share: ratio }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('invoice' as const), share: ratio }), weight: 2 },
  { arbitrary: fc.record({ type: fc.constant('release' as const), share: ratio }), weight: 1 },
);

function parentInput(step: Step & { type: 'parent' }): RecordInput {
  return input({
    cashAmount: step.cashAmount,
    voucherAmount: step.voucherAmount,
    fulfilment: step.fulfilment,
    fulfilledCashAmount:
      step.fulfilment === 'partially-failed'
        ? Math.floor((step.cashAmount * step.fulfilledShare) / 100)
        : undefined,
  });
}

function negativeInput(step: Step & { type: 'negative' }): RecordInput {
  return refund({ recordId: `neg-${step.index}`, kind: step.kind, cashAmount: step.cashAmount });
}

describe('planRecordUpserts applied to a ledger', () => {
  it('invariant 1 the parent always has available = netInvoiceable − invoiced − reserved (property)', () => {
    fc.assert(
      fc.property(parentStep, fc.array(stepArb, { minLength: 1, maxLength: 40 }), (first, steps) => {
        // Prepare
        const ledger = new Map<string, BillingRecord>();
        let lastBatch: RecordInput[] = [parentInput(first)];
        apply(planFor(lastBatch, ledger, SYNC_DAYS), ledger);

        for (const step of steps) {
          // Act
          const parent = ledger.get('order-1')!;
          switch (step.type) {
            case 'parent':
            case 'negative':
            case 'batch': {
              const batch =
                step.type === 'parent'
                  ? [parentInput(step)]
                  : step.type === 'negative'
                    ? [negativeInput(step)]
                    : [...step.negatives.map(negativeInput), parentInput(step.parent)];
              apply(planFor(batch, ledger, SYNC_DAYS), ledger);
              lastBatch = batch;
              break;
            }
            case 'replay': {
              const replay = planFor(lastBatch, ledger, SYNC_DAYS);
              expect(replay.negatives.every((n) => n.parent === undefined)).toBe(true);
              apply(replay, ledger);
              break;
            }
            case 'reserve': {
              // An application reserves part of what is available (conditional on availableAmount ≥ x).
              const x = Math.floor((Math.max(0, parent.availableAmount) * step.share) / 100);
              parent.reservedAmount += x;
              parent.availableAmount -= x;
              break;
            }
            case 'invoice': {
              const x = Math.floor((parent.reservedAmount * step.share) / 100);
              parent.reservedAmount -= x;
              parent.invoicedAmount += x;
              break;
            }
            case 'release': {
              const x = Math.floor((parent.reservedAmount * step.share) / 100);
              parent.reservedAmount -= x;
              parent.availableAmount += x;
              break;
            }
          }

          // Assess
          const now = ledger.get('order-1')!;
          const negatives = [...ledger.values()].filter((r) => r.parentRecordId === 'order-1');
          expect(now.negativesAmount).toBe(negatives.reduce((total, n) => total + n.cashAmount, 0));
          expect(now.availableAmount).toBe(netInvoiceable(now) - now.invoicedAmount - now.reservedAmount);
          expect(describeRecord(now, AFTER_SYNC).invoiceableAmount).toBeGreaterThanOrEqual(0);
          expect(now.invoicedAmount).toBeGreaterThanOrEqual(0);
          expect(now.reservedAmount).toBeGreaterThanOrEqual(0);
          for (const n of negatives) expect(n.availableAmount).toBe(0);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('idempotence: replaying any valid batch yields no parent delta and the same records (property)', () => {
    fc.assert(
      fc.property(
        parentStep,
        fc.array(fc.uniqueArray(negativeStep, { maxLength: 4, selector: (n) => n.index }), { maxLength: 4 }),
        (parent, batches) => {
          // Prepare
          const ledger = new Map<string, BillingRecord>();
          apply(planFor([parentInput(parent)], ledger, SYNC_DAYS), ledger);
          for (const negatives of batches) {
            const batch = negatives.map(negativeInput);
            apply(planFor(batch, ledger, SYNC_DAYS), ledger);
            const before = structuredClone([...ledger.entries()]);

            // Act
            const replay = planFor(batch, ledger, SYNC_DAYS);
            apply(replay, ledger);

            // Assess
            expect(replay.negatives.map((n) => n.parent)).toEqual(batch.map(() => undefined));
            expect([...ledger.entries()]).toEqual(before);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
