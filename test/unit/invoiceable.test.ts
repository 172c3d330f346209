import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocateAmount } from '#domain/application';
import {
  type BillingRecord,
  describeRecord,
  type Fulfilment,
  invoiceableBase,
  NEGATIVE_KINDS,
  netInvoiceable,
  type RecordKind,
} from '#domain/billing-record';
import {
  type ArrearsPolicy,
  computeInvoiceable,
  formulaParts,
  type InvoiceableFormula,
  oldestFirst,
  uncoveredDeficit,
} from '#domain/invoiceable';
import { planRecordUpserts, recordRef } from '#domain/record-upsert';

const NOW = new Date('2025-06-15T04:00:00.000Z');
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A positive record whose availableAmount is consistent with its ledger unless given explicitly. */
function record(overrides: Partial<BillingRecord> = {}): BillingRecord {
  const merged: BillingRecord = {
    accountId: 'acc-1',
    recordId: 'rec-1',
    kind: 'order',
    period: '2025-05',
    paidAt: '2025-05-10T02:00:00.000Z',
    entity: 'entity-bj',
    taxRate: '0.06',
    cashAmount: 10_000,
    voucherAmount: 0,
    fulfilment: 'succeeded',
    eligibleFrom: '2025-05-13T02:00:00.000Z',
    negativesAmount: 0,
    invoicedAmount: 0,
    reservedAmount: 0,
    availableAmount: 0,
    ...overrides,
  };
  if (overrides.availableAmount === undefined) {
    merged.availableAmount = NEGATIVE_KINDS.has(merged.kind)
      ? 0
      : netInvoiceable(merged) - merged.invoicedAmount - merged.reservedAmount;
  }
  return merged;
}

function negative(parent: BillingRecord, recordId: string, cashAmount: number, kind: RecordKind = 'refund') {
  return record({
    recordId,
    kind,
    parentRecordId: parent.recordId,
    cashAmount,
    entity: parent.entity,
    taxRate: parent.taxRate,
  });
}

function formulaTotal(f: InvoiceableFormula): number {
  return f.consumedCash - f.negatives - f.invoiced - f.reserved - f.arrearsOffset - f.deficit;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('computeInvoiceable', () => {
  it('R10 an empty ledger has nothing invoiceable and an all-zero formula', () => {
    // Act
    const result = computeInvoiceable([], 0, 'offset', NOW);

    // Assess
    expect(result).toEqual({
      amount: 0,
      byEntity: [],
      formula: {
        consumedCash: 0,
        negatives: 0,
        invoiced: 0,
        reserved: 0,
        arrearsOffset: 0,
        deficit: 0,
        amount: 0,
      },
      outstandingDeficit: 0,
      eligible: [],
    });
  });

  it("R10 the formula's parts add up to the amount: cash − negatives − invoiced − reserved", () => {
    // Prepare
    const a = record({
      recordId: 'a',
      paidAt: '2025-03-01T00:00:00.000Z',
      cashAmount: 10_000,
      voucherAmount: 2_000,
      negativesAmount: -1_000,
      invoicedAmount: 4_000,
      reservedAmount: 2_000,
    });
    const b = record({
      recordId: 'b',
      kind: 'monthly-bill',
      paidAt: '2025-04-01T00:00:00.000Z',
      cashAmount: 5_000,
    });
    const refundOfA = negative(a, 'a-refund', -1_000);

    // Act
    const result = computeInvoiceable([refundOfA, b, a], 0, 'offset', NOW);

    // Assess
    expect(a.availableAmount).toBe(3_000);
    expect(result.formula).toEqual({
      consumedCash: 15_000,
      negatives: 1_000,
      invoiced: 4_000,
      reserved: 2_000,
      arrearsOffset: 0,
      deficit: 0,
      amount: 8_000,
    });
    expect(formulaTotal(result.formula)).toBe(result.amount);
    expect(result.amount).toBe(8_000);
    expect(result.byEntity).toEqual([{ entity: 'entity-bj', taxRate: '0.06', amount: 8_000 }]);
    expect(result.eligible.map((r) => r.recordId)).toEqual(['a', 'b']);
  });

  it('R5 vouchers and recharges never add to the invoiceable amount', () => {
    // Prepare
    const voucherPaid = record({ recordId: 'v', cashAmount: 0, voucherAmount: 30_000 });
    const mixed = record({ recordId: 'm', cashAmount: 1_000, voucherAmount: 9_000 });
    const recharge = record({ recordId: 'r', kind: 'recharge', cashAmount: 500_000 });

    // Act
    const result = computeInvoiceable([voucherPaid, mixed, recharge], 0, 'offset', NOW);

    // Assess
    expect(result.amount).toBe(1_000);
    expect(result.formula.consumedCash).toBe(1_000);
    expect(result.eligible.map((r) => r.recordId)).toEqual(['m']);
  });

  it('R6 failed orders count for nothing and partially failed ones for the fulfilled part', () => {
    // Prepare
    const failed = record({ recordId: 'f', fulfilment: 'failed', cashAmount: 7_000 });
    const partial = record({
      recordId: 'p',
      fulfilment: 'partially-failed',
      cashAmount: 7_000,
      fulfilledCashAmount: 2_500,
    });

    // Act
    const result = computeInvoiceable([failed, partial], 0, 'offset', NOW);

    // Assess
    expect(result.amount).toBe(2_500);
    expect(result.formula.consumedCash).toBe(2_500);
    expect(result.eligible.map((r) => r.recordId)).toEqual(['p']);
  });

  it('R8 records not yet eligible are left out of the amount and of the eligible list', () => {
    // Prepare
    const syncing = record({ recordId: 's', cashAmount: 9_000, eligibleFrom: '2025-06-16T00:00:00.000Z' });
    const ready = record({ recordId: 'r', cashAmount: 1_000, eligibleFrom: '2025-06-14T00:00:00.000Z' });

    // Act
    const now = computeInvoiceable([syncing, ready], 0, 'offset', NOW);
    const later = computeInvoiceable([syncing, ready], 0, 'offset', new Date('2025-06-16T00:00:00.000Z'));

    // Assess
    expect(now.amount).toBe(1_000);
    expect(now.formula.consumedCash).toBe(1_000);
    expect(now.eligible.map((r) => r.recordId)).toEqual(['r']);
    expect(later.amount).toBe(10_000);
  });

  it('R7 negative documents in the ledger count only through their parent', () => {
    // Prepare
    const parent = record({ recordId: 'p', cashAmount: 10_000, negativesAmount: -2_000 });
    const refund = negative(parent, 'n1', -1_500, 'refund');
    const adjustment = negative(parent, 'n2', -500, 'adjustment');

    // Act
    const withNegatives = computeInvoiceable([parent, refund, adjustment], 0, 'offset', NOW);
    const parentOnly = computeInvoiceable([parent], 0, 'offset', NOW);

    // Assess
    expect(withNegatives).toEqual(parentOnly);
    expect(withNegatives.amount).toBe(8_000);
    expect(withNegatives.formula.negatives).toBe(2_000);
    expect(withNegatives.eligible.map((r) => r.recordId)).toEqual(['p']);
  });

  it('R13 a negative that hits already-invoiced cash is a deficit that later consumption covers', () => {
    // Prepare: a was invoiced in full, then refunded 3 000; b is new consumption.
    const a = record({
      recordId: 'a',
      paidAt: '2025-03-01T00:00:00.000Z',
      invoicedAmount: 10_000,
      negativesAmount: -3_000,
    });
    const b = record({ recordId: 'b', paidAt: '2025-04-01T00:00:00.000Z', cashAmount: 20_000 });

    // Act
    const result = computeInvoiceable([a, b], 0, 'offset', NOW);

    // Assess: of a's 10 000 invoiced, 7 000 is covered by its net consumption; the rest is owed.
    expect(a.availableAmount).toBe(-3_000);
    expect(result.formula).toEqual({
      consumedCash: 30_000,
      negatives: 3_000,
      invoiced: 7_000,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 3_000,
      amount: 17_000,
    });
    expect(result.outstandingDeficit).toBe(3_000);
    expect(result.eligible.map((r) => r.recordId)).toEqual(['b']);
    expect(result.byEntity).toEqual([{ entity: 'entity-bj', taxRate: '0.06', amount: 17_000 }]);
  });

  it('R10 R13 a refund after invoicing shows in full as negatives, and what was invoiced beyond the net as deficit', () => {
    // Prepare: 10 000 paid, 6 000 invoiced, then a 5 000 refund: net 5 000, so 1 000 is owed.
    const a = record({ recordId: 'a', invoicedAmount: 6_000, negativesAmount: -5_000 });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const result = computeInvoiceable([a, b], 0, 'offset', NOW);

    // Assess
    expect(a.availableAmount).toBe(-1_000);
    expect(result.formula).toEqual({
      consumedCash: 30_000,
      negatives: 5_000,
      invoiced: 5_000,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 1_000,
      amount: 19_000,
    });
    expect(result.outstandingDeficit).toBe(1_000);
    expect(formulaTotal(result.formula)).toBe(19_000);
  });

  it('R6 R7 a partially failed order stays at its fulfilled part after the failed part is refunded, then drops', () => {
    // Prepare: 10 000 paid, 6 000 fulfilled; the failed 4 000 is refunded, later another 1 000.
    const partial = {
      recordId: 'p',
      fulfilment: 'partially-failed' as const,
      cashAmount: 10_000,
      fulfilledCashAmount: 6_000,
    };
    const refundedFailedPart = record({ ...partial, negativesAmount: -4_000 });
    const refundedFurther = record({ ...partial, negativesAmount: -5_000 });

    // Act
    const afterFailedPart = computeInvoiceable([refundedFailedPart], 0, 'offset', NOW);
    const afterFurther = computeInvoiceable([refundedFurther], 0, 'offset', NOW);

    // Assess
    expect(afterFailedPart.formula).toEqual({
      consumedCash: 6_000,
      negatives: 0,
      invoiced: 0,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 0,
      amount: 6_000,
    });
    expect(afterFurther.formula).toEqual({
      consumedCash: 6_000,
      negatives: 1_000,
      invoiced: 0,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 0,
      amount: 5_000,
    });
    expect(afterFurther.byEntity).toEqual([{ entity: 'entity-bj', taxRate: '0.06', amount: 5_000 }]);
  });

  it('R6 R13 a failed order fully refunded and never invoiced is not a deficit and changes nothing', () => {
    // Prepare
    const failedRefunded = record({
      recordId: 'f',
      fulfilment: 'failed',
      cashAmount: 10_000,
      negativesAmount: -10_000,
    });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const withFailed = computeInvoiceable([failedRefunded, b], 0, 'offset', NOW);
    const without = computeInvoiceable([b], 0, 'offset', NOW);

    // Assess
    expect(failedRefunded.availableAmount).toBe(0);
    expect(withFailed.outstandingDeficit).toBe(0);
    expect(withFailed.formula.deficit).toBe(0);
    expect(withFailed).toEqual(without);
    expect(withFailed.amount).toBe(20_000);
  });

  it('R13 a deficit larger than the new consumption leaves nothing invoiceable and stays outstanding', () => {
    // Prepare
    const a = record({ recordId: 'a', invoicedAmount: 10_000, negativesAmount: -3_000 });
    const b = record({ recordId: 'b', cashAmount: 1_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const result = computeInvoiceable([a, b], 0, 'offset', NOW);

    // Assess
    expect(result.amount).toBe(0);
    expect(result.formula.deficit).toBe(1_000);
    expect(result.outstandingDeficit).toBe(3_000);
    expect(result.byEntity).toEqual([]);
    expect(formulaTotal(result.formula)).toBe(0);
    expect(Object.values(result.formula).every((part) => part >= 0)).toBe(true);
  });

  it('R12 under offset, arrears are taken from the invoiceable amount', () => {
    // Prepare
    const a = record({ recordId: 'a', cashAmount: 8_000 });

    // Act
    const result = computeInvoiceable([a], 3_000, 'offset', NOW);

    // Assess
    expect(result.amount).toBe(5_000);
    expect(result.formula.arrearsOffset).toBe(3_000);
    expect(formulaTotal(result.formula)).toBe(5_000);
    expect(result.byEntity).toEqual([{ entity: 'entity-bj', taxRate: '0.06', amount: 5_000 }]);
  });

  it('R12 under offset, arrears above the invoiceable amount leave nothing, never less than zero', () => {
    // Prepare
    const a = record({ recordId: 'a', cashAmount: 8_000 });

    // Act
    const result = computeInvoiceable([a], 10_000, 'offset', NOW);

    // Assess
    expect(result.amount).toBe(0);
    expect(result.formula.arrearsOffset).toBe(8_000);
    expect(result.byEntity).toEqual([]);
  });

  it('R12 under block, any arrears leave nothing invoiceable', () => {
    // Prepare
    const a = record({ recordId: 'a', cashAmount: 8_000 });

    // Act
    const result = computeInvoiceable([a], 1, 'block', NOW);

    // Assess
    expect(result.amount).toBe(0);
    expect(result.formula.arrearsOffset).toBe(8_000);
    expect(formulaTotal(result.formula)).toBe(0);
    expect(result.byEntity).toEqual([]);
  });

  it('R12 under block without arrears, the amount is the same as under offset', () => {
    // Prepare
    const a = record({ recordId: 'a', cashAmount: 8_000 });
    const b = record({ recordId: 'b', cashAmount: 1_000, invoicedAmount: 1_000 });

    // Act
    const blocked = computeInvoiceable([a, b], 0, 'block', NOW);
    const offset = computeInvoiceable([a, b], 0, 'offset', NOW);

    // Assess
    expect(blocked).toEqual(offset);
    expect(blocked.amount).toBe(8_000);
  });

  it('R12 R13 the deficit is covered before the arrears', () => {
    // Prepare
    const a = record({ recordId: 'a', invoicedAmount: 10_000, negativesAmount: -3_000 });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const result = computeInvoiceable([a, b], 5_000, 'offset', NOW);

    // Assess
    expect(result.formula.deficit).toBe(3_000);
    expect(result.formula.arrearsOffset).toBe(5_000);
    expect(result.amount).toBe(12_000);
  });

  it('R11 R17 the amount is grouped by (entity, tax rate), sorted, with offsets taken from the newest records', () => {
    // Prepare
    const r1 = record({
      recordId: 'r1',
      entity: 'E-BJ',
      taxRate: '0.06',
      cashAmount: 1_000,
      paidAt: '2025-01-01T00:00:00Z',
    });
    const r2 = record({
      recordId: 'r2',
      entity: 'E-BJ',
      taxRate: '0.13',
      cashAmount: 2_000,
      paidAt: '2025-01-02T00:00:00Z',
    });
    const r3 = record({
      recordId: 'r3',
      entity: 'E-SH',
      taxRate: '0.06',
      cashAmount: 3_000,
      paidAt: '2025-01-03T00:00:00Z',
    });
    const r4 = record({
      recordId: 'r4',
      entity: 'E-SH',
      taxRate: '0.13',
      cashAmount: 4_000,
      paidAt: '2025-01-04T00:00:00Z',
    });
    const ledger = [r3, r1, r4, r2];

    // Act
    const full = computeInvoiceable(ledger, 0, 'offset', NOW);
    const withArrears = computeInvoiceable(ledger, 5_000, 'offset', NOW);

    // Assess
    expect(full.byEntity).toEqual([
      { entity: 'E-BJ', taxRate: '0.06', amount: 1_000 },
      { entity: 'E-BJ', taxRate: '0.13', amount: 2_000 },
      { entity: 'E-SH', taxRate: '0.06', amount: 3_000 },
      { entity: 'E-SH', taxRate: '0.13', amount: 4_000 },
    ]);
    expect(withArrears.amount).toBe(5_000);
    expect(withArrears.byEntity).toEqual([
      { entity: 'E-BJ', taxRate: '0.06', amount: 1_000 },
      { entity: 'E-BJ', taxRate: '0.13', amount: 2_000 },
      { entity: 'E-SH', taxRate: '0.06', amount: 2_000 },
    ]);
  });

  it('R14 the grouped view agrees with what "by amount" draws, oldest first', () => {
    // Prepare
    const ledger = [
      record({
        recordId: 'r1',
        entity: 'E-BJ',
        taxRate: '0.06',
        cashAmount: 1_000,
        paidAt: '2025-01-01T00:00:00Z',
      }),
      record({
        recordId: 'r2',
        entity: 'E-SH',
        taxRate: '0.13',
        cashAmount: 2_000,
        paidAt: '2025-01-02T00:00:00Z',
      }),
      record({
        recordId: 'r3',
        entity: 'E-BJ',
        taxRate: '0.06',
        cashAmount: 3_000,
        paidAt: '2025-01-03T00:00:00Z',
      }),
    ];
    const result = computeInvoiceable(ledger, 2_500, 'offset', NOW);

    // Act
    const drawn = allocateAmount(result.eligible, result.amount);

    // Assess
    const drawnByGroup = new Map<string, number>();
    for (const a of drawn)
      drawnByGroup.set(
        `${a.entity}|${a.taxRate}`,
        (drawnByGroup.get(`${a.entity}|${a.taxRate}`) ?? 0) + a.amount,
      );
    expect(result.byEntity.map((g) => [`${g.entity}|${g.taxRate}`, g.amount])).toEqual(
      [...drawnByGroup.entries()].sort(),
    );
  });

  it('R14 eligible records come oldest payment first, then by record id', () => {
    // Prepare
    const sameTime = '2025-02-01T00:00:00.000Z';
    const ledger = [
      record({ recordId: 'c', paidAt: '2025-03-01T00:00:00.000Z' }),
      record({ recordId: 'b', paidAt: sameTime }),
      record({ recordId: 'a', paidAt: sameTime }),
      record({ recordId: 'z', paidAt: '2025-01-01T00:00:00.000Z' }),
    ];

    // Act
    const result = computeInvoiceable(ledger, 0, 'offset', NOW);

    // Assess
    expect(result.eligible.map((r) => r.recordId)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('R10 R13 a record whose cash is reduced after invoicing never shows a negative formula part', () => {
    // Prepare: 10 000 paid and invoiced; the billing system then corrects the cash to 6 000.
    const invoiced = record({ recordId: 'a', cashAmount: 10_000, invoicedAmount: 10_000 });
    const corrected = planRecordUpserts(
      [
        {
          accountId: invoiced.accountId,
          recordId: 'a',
          kind: 'order',
          period: invoiced.period,
          paidAt: invoiced.paidAt,
          entity: invoiced.entity,
          taxRate: invoiced.taxRate,
          cashAmount: 6_000,
          voucherAmount: 0,
          fulfilment: 'succeeded',
          eligibleFrom: invoiced.eligibleFrom,
        },
      ],
      new Map([[recordRef(invoiced.accountId, 'a'), invoiced]]),
      3,
    ).positives[0]!.record;
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const result = computeInvoiceable([corrected, b], 0, 'offset', NOW);

    // Assess: 26 000 consumed − 10 000 invoiced = 16 000, and no negative documents exist:
    // 6 000 of the invoiced amount is covered by a's consumption, the other 4 000 is owed.
    expect(corrected.availableAmount).toBe(-4_000);
    expect(formulaParts(corrected)).toEqual({
      consumedCash: 6_000,
      negatives: 0,
      invoiced: 6_000,
      reserved: 0,
      deficit: 4_000,
    });
    expect(result.formula).toEqual({
      consumedCash: 26_000,
      negatives: 0,
      invoiced: 6_000,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 4_000,
      amount: 16_000,
    });
    expect(formulaTotal(result.formula)).toBe(16_000);
    expect(Object.entries(result.formula).filter(([, part]) => part < 0)).toEqual([]);
  });

  it('R6 R13 an invoiced order later reported failed owes the same deficit as one reported 0% fulfilled', () => {
    // Prepare: 10 000 invoiced, then the billing system reports the fulfilment as failed.
    const failedAfterInvoicing = record({ recordId: 'a', fulfilment: 'failed', invoicedAmount: 10_000 });
    const nothingFulfilledAfterInvoicing = record({
      recordId: 'a',
      fulfilment: 'partially-failed',
      fulfilledCashAmount: 0,
      invoicedAmount: 10_000,
    });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const failed = computeInvoiceable([failedAfterInvoicing, b], 0, 'offset', NOW);
    const nothingFulfilled = computeInvoiceable([nothingFulfilledAfterInvoicing, b], 0, 'offset', NOW);

    // Assess
    expect(failedAfterInvoicing.availableAmount).toBe(-10_000);
    expect(describeRecord(failedAfterInvoicing, NOW).status).toBe('deficit');
    expect(nothingFulfilled.outstandingDeficit).toBe(10_000);
    expect(nothingFulfilled.amount).toBe(10_000);
    expect(failed.outstandingDeficit).toBe(nothingFulfilled.outstandingDeficit);
    expect(failed.amount).toBe(nothingFulfilled.amount);
    expect(failed.formula).toEqual(nothingFulfilled.formula);
  });

  it("R6 R13 an invoiced order later reported failed is a deficit of the invoiced amount that reduces the account's invoiceable amount", () => {
    // Prepare: a was invoiced for 7 000 of its 10 000, then reported failed; b is new consumption.
    const a = record({ recordId: 'a', fulfilment: 'failed', cashAmount: 10_000, invoicedAmount: 7_000 });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const withFailed = computeInvoiceable([a, b], 0, 'offset', NOW);
    const withoutA = computeInvoiceable([b], 0, 'offset', NOW);

    // Assess
    expect(a.availableAmount).toBe(-7_000);
    expect(withFailed.outstandingDeficit).toBe(7_000);
    expect(withFailed.formula).toEqual({
      consumedCash: 20_000,
      negatives: 0,
      invoiced: 0,
      reserved: 0,
      arrearsOffset: 0,
      deficit: 7_000,
      amount: 13_000,
    });
    expect(withoutA.amount).toBe(20_000);
    expect(withFailed.amount).toBe(withoutA.amount - 7_000);
    expect(withFailed.eligible.map((r) => r.recordId)).toEqual(['b']);
    expect(withFailed.byEntity).toEqual([{ entity: 'entity-bj', taxRate: '0.06', amount: 13_000 }]);
  });

  it('R8 R13 a deficit still in its syncing window counts, while its consumption does not', () => {
    // Prepare: a was invoiced for 10 000 then refunded 3 000, and is not yet eligible again.
    const a = record({
      recordId: 'a',
      invoicedAmount: 10_000,
      negativesAmount: -3_000,
      eligibleFrom: '2025-07-01T00:00:00.000Z',
    });
    const b = record({ recordId: 'b', cashAmount: 20_000, paidAt: '2025-05-20T00:00:00.000Z' });

    // Act
    const result = computeInvoiceable([a, b], 0, 'offset', NOW);

    // Assess
    expect(result.outstandingDeficit).toBe(3_000);
    expect(result.amount).toBe(17_000);
    expect(formulaTotal(result.formula)).toBe(17_000);
  });
});

describe('formulaParts', () => {
  it('R10 an untouched order contributes its whole cash as consumption', () => {
    // Act
    const parts = formulaParts(record({ cashAmount: 8_000, voucherAmount: 1_000 }));

    // Assess
    expect(parts).toEqual({ consumedCash: 8_000, negatives: 0, invoiced: 0, reserved: 0, deficit: 0 });
  });

  it('R10 R13 a refund beyond what is left shows the covered invoiced amount and the excess as deficit', () => {
    // Prepare: 10 000 paid, 6 000 invoiced, 3 000 reserved, then 4 000 refunded.
    const order = record({ invoicedAmount: 6_000, reservedAmount: 3_000, negativesAmount: -4_000 });

    // Act
    const parts = formulaParts(order);

    // Assess
    expect(order.availableAmount).toBe(-3_000);
    expect(parts).toEqual({
      consumedCash: 10_000,
      negatives: 4_000,
      invoiced: 3_000,
      reserved: 3_000,
      deficit: 3_000,
    });
  });

  it('R6 R7 an over-refunded failed order shows nothing negative', () => {
    // Prepare: inconsistent input from the billing system: more refunded than paid.
    const order = record({ fulfilment: 'failed', cashAmount: 10_000, negativesAmount: -12_000 });

    // Act
    const parts = formulaParts(order);

    // Assess
    expect(order.availableAmount).toBe(-2_000);
    expect(parts).toEqual({ consumedCash: 0, negatives: 0, invoiced: 0, reserved: 0, deficit: 2_000 });
  });

  it('R10 R13 every part is ≥ 0 and consumption − negatives − invoiced − reserved is what is left (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RecordKind>('order', 'monthly-bill'),
        fc.constantFrom<Fulfilment>('succeeded', 'failed', 'partially-failed'),
        fc.integer({ min: 0, max: 10_000_000 }),
        share,
        share,
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (kind, fulfilment, cashAmount, fulfilledShare, refundedShare, invoicedAmount, reservedAmount) => {
          // Prepare: invoiced and reserved need not fit the net (changes after invoicing).
          const rec = record({
            kind,
            fulfilment,
            cashAmount,
            fulfilledCashAmount: Math.floor((cashAmount * fulfilledShare) / 100),
            negativesAmount: -Math.floor((cashAmount * refundedShare) / 100),
            invoicedAmount,
            reservedAmount,
          });

          // Act
          const parts = formulaParts(rec);

          // Assess
          for (const [part, value] of Object.entries(parts)) expect(value, part).toBeGreaterThanOrEqual(0);
          expect(parts.consumedCash).toBe(invoiceableBase(rec));
          expect(parts.consumedCash - parts.negatives - parts.invoiced - parts.reserved).toBe(
            Math.max(0, rec.availableAmount),
          );
          expect(parts.deficit).toBe(Math.max(0, -rec.availableAmount));
          expect(parts.invoiced).toBeLessThanOrEqual(invoicedAmount);
          expect(parts.reserved).toBeLessThanOrEqual(reservedAmount);
          // Net ≥ 0 here (at most the cash is refunded): what was used is either covered or owed.
          expect(parts.negatives).toBe(invoiceableBase(rec) - netInvoiceable(rec));
          expect(parts.invoiced + parts.reserved + parts.deficit).toBe(invoicedAmount + reservedAmount);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('oldestFirst', () => {
  it('R14 orders by payment time, then by record id, and is zero only for the same key', () => {
    // Prepare
    const early = record({ recordId: 'b', paidAt: '2025-01-01T00:00:00.000Z' });
    const late = record({ recordId: 'a', paidAt: '2025-01-02T00:00:00.000Z' });
    const sameTimeA = record({ recordId: 'a', paidAt: '2025-01-01T00:00:00.000Z' });

    // Act / Assess
    expect(oldestFirst(early, late)).toBeLessThan(0);
    expect(oldestFirst(late, early)).toBeGreaterThan(0);
    expect(oldestFirst(sameTimeA, early)).toBeLessThan(0);
    expect(oldestFirst(early, sameTimeA)).toBeGreaterThan(0);
    expect(oldestFirst(early, { ...early })).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Property: random but consistent ledgers.

const ENTITIES = ['entity-bj', 'entity-sh', 'entity-hz'] as const;
const TAX_RATES = ['0.06', '0.13', '0.09'] as const;
const START_MS = Date.parse('2025-01-01T00:00:00.000Z');
const share = fc.oneof(fc.constant(0), fc.constant(100), fc.integer({ min: 0, max: 100 }));
/** Mostly nothing, sometimes a little, rarely everything: keeps plenty of records invoiceable. */
const smallShare = fc.oneof(
  { arbitrary: fc.constant(0), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 40 }), weight: 3 },
  { arbitrary: share, weight: 2 },
);

const positiveSpec = fc.record({
  kind: fc.constantFrom<RecordKind>('order', 'order', 'monthly-bill', 'recharge'),
  entity: fc.constantFrom(...ENTITIES),
  taxRate: fc.constantFrom(...TAX_RATES),
  cashAmount: fc.oneof(
    { arbitrary: fc.constant(0), weight: 1 },
    { arbitrary: fc.integer({ min: 1, max: 5_000_000 }), weight: 4 },
    { arbitrary: fc.integer({ min: 1, max: 100 }), weight: 1 },
  ),
  voucherAmount: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 500_000 })),
  fulfilment: fc.constantFrom<Fulfilment>(
    'succeeded',
    'succeeded',
    'succeeded',
    'failed',
    'partially-failed',
  ),
  fulfilledShare: share,
  // Few distinct days and hours so equal payment times (ties broken by record id) are common.
  paidDay: fc.integer({ min: 0, max: 40 }),
  paidHour: fc.integer({ min: 0, max: 2 }),
  eligibleInHours: fc.oneof(
    { arbitrary: fc.constant(undefined), weight: 3 },
    { arbitrary: fc.integer({ min: -240, max: 0 }), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 240 }), weight: 1 },
  ),
  reason: fc.option(fc.constantFrom('BANK_TRANSFER_CLEARING', 'MARKETPLACE_SETTLEMENT'), { nil: undefined }),
  invoicedShare: smallShare,
  reservedShare: smallShare,
  // Invoiced or reserved before the fulfilment was reported (as failed or partial): measured on the cash.
  usedBeforeFulfilmentReport: fc.boolean(),
  negatives: fc.array(
    fc.record({ kind: fc.constantFrom<RecordKind>('refund', 'adjustment'), share: smallShare }),
    {
      maxLength: 3,
    },
  ),
});

type PositiveSpec = typeof positiveSpec extends fc.Arbitrary<infer T> ? T : never;

/** Builds a positive record and its negatives the way the ledger would hold them. */
function buildRecords(spec: PositiveSpec, index: number): BillingRecord[] {
  const recordId = `rec-${String(index).padStart(3, '0')}`;
  const fulfilledCashAmount =
    spec.fulfilment === 'partially-failed'
      ? Math.floor((spec.cashAmount * spec.fulfilledShare) / 100)
      : undefined;
  const descriptive = {
    accountId: 'acc-1',
    kind: spec.kind,
    period: `2025-${String(1 + Math.floor(spec.paidDay / 31)).padStart(2, '0')}`,
    paidAt: new Date(START_MS + spec.paidDay * DAY_MS + spec.paidHour * HOUR_MS).toISOString(),
    entity: spec.entity,
    taxRate: spec.taxRate,
    cashAmount: spec.cashAmount,
    voucherAmount: spec.voucherAmount,
    fulfilment: spec.fulfilment,
    fulfilledCashAmount,
    eligibleFrom:
      spec.eligibleInHours === undefined
        ? undefined
        : new Date(NOW.getTime() + spec.eligibleInHours * HOUR_MS).toISOString(),
    notInvoiceableReason: spec.reason,
  };
  // What could be invoiced when the application was made; negatives arrive afterwards.
  const usable =
    spec.kind === 'recharge'
      ? 0
      : spec.usedBeforeFulfilmentReport
        ? spec.cashAmount
        : invoiceableBase(descriptive);
  const invoicedAmount = Math.floor((usable * spec.invoicedShare) / 100);
  const reservedAmount = Math.floor(((usable - invoicedAmount) * spec.reservedShare) / 100);
  // Negatives: never on recharges (record-upsert refuses them); in total at most the cash paid.
  const negatives: BillingRecord[] = [];
  let refundable = spec.cashAmount;
  if (spec.kind !== 'recharge') {
    spec.negatives.forEach((n, i) => {
      const magnitude = Math.min(refundable, Math.floor((spec.cashAmount * n.share) / 100));
      refundable -= magnitude;
      negatives.push({
        ...descriptive,
        recordId: `${recordId}-n${i}`,
        kind: n.kind,
        parentRecordId: recordId,
        cashAmount: 0 - magnitude,
        voucherAmount: 0,
        fulfilment: 'succeeded',
        fulfilledCashAmount: undefined,
        negativesAmount: 0,
        invoicedAmount: 0,
        reservedAmount: 0,
        availableAmount: 0,
      });
    });
  }
  const negativesAmount = sum(negatives.map((n) => n.cashAmount));
  const positive: BillingRecord = {
    ...descriptive,
    recordId,
    negativesAmount,
    invoicedAmount,
    reservedAmount,
    availableAmount: netInvoiceable({ ...descriptive, negativesAmount }) - invoicedAmount - reservedAmount,
  };
  return [positive, ...negatives];
}

const ledgerArb = fc
  .array(positiveSpec, { minLength: 1, maxLength: 12, size: 'medium' })
  .map((specs) => specs.flatMap(buildRecords))
  .chain((records) => fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }));

const arrearsArb = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 1_000 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 5_000_000 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 50_000_000 }), weight: 1 },
);

describe('computeInvoiceable on random ledgers', () => {
  it('R10 R12 R13 the formula adds up, nothing is negative, and the amount is derived as specified (property)', () => {
    fc.assert(
      fc.property(
        ledgerArb,
        arrearsArb,
        fc.constantFrom<ArrearsPolicy>('offset', 'block'),
        (ledger, arrears, policy) => {
          // Prepare: an independent derivation from the per-record views.
          const positives = ledger.filter((r) => !NEGATIVE_KINDS.has(r.kind));
          const views = positives.map((r) => ({ r, view: describeRecord(r, NOW) }));
          const counted = views
            .filter((v) => v.r.kind !== 'recharge' && v.view.status !== 'temporarily-not-invoiceable')
            .map((v) => v.r);
          const invoiceableRecords = views.filter((v) => v.view.status === 'invoiceable').map((v) => v.r);
          const positiveAvailable = sum(invoiceableRecords.map((r) => r.availableAmount));
          const owed = sum(views.filter((v) => v.view.status === 'deficit').map((v) => -v.r.availableAmount));
          const expectedAmount =
            policy === 'block' && arrears > 0 ? 0 : Math.max(0, positiveAvailable - owed - arrears);

          // Act
          const result = computeInvoiceable(ledger, arrears, policy, NOW);

          // Assess: the formula (R10).
          const { formula } = result;
          expect(formulaTotal(formula)).toBe(result.amount);
          expect(formula.amount).toBe(result.amount);
          for (const [part, value] of Object.entries(formula)) {
            expect(value, part).toBeGreaterThanOrEqual(0);
            expect(Number.isSafeInteger(value), part).toBe(true);
          }
          // The amount (R12, R13).
          expect(result.amount).toBe(expectedAmount);
          if (policy === 'block' && arrears > 0) expect(result.amount).toBe(0);
          expect(result.outstandingDeficit).toBe(owed);
          expect(formula.deficit).toBe(Math.min(owed, positiveAvailable));
          // What the parts show: consumption of the counted records, and what it leaves (R10, R13).
          expect(formula.consumedCash).toBe(sum(counted.map(invoiceableBase)));
          expect(formula.consumedCash - formula.negatives - formula.invoiced - formula.reserved).toBe(
            positiveAvailable,
          );
          expect(formula.invoiced).toBeLessThanOrEqual(sum(counted.map((r) => r.invoicedAmount)));
          expect(formula.reserved).toBeLessThanOrEqual(sum(counted.map((r) => r.reservedAmount)));
          expect(formula.negatives).toBe(
            sum(counted.map((r) => invoiceableBase(r) - Math.max(0, netInvoiceable(r)))),
          );
          // Grouping (R11, R17).
          expect(sum(result.byEntity.map((g) => g.amount))).toBe(result.amount);
          const keys = result.byEntity.map((g) => `${g.entity}|${g.taxRate}`);
          expect(new Set(keys).size).toBe(keys.length);
          for (const group of result.byEntity) {
            expect(group.amount).toBeGreaterThan(0);
            const groupAvailable = sum(
              invoiceableRecords
                .filter((r) => r.entity === group.entity && r.taxRate === group.taxRate)
                .map((r) => r.availableAmount),
            );
            expect(group.amount).toBeLessThanOrEqual(groupAvailable);
          }
          // Per record (invariant 1: never below zero).
          for (const r of ledger) expect(describeRecord(r, NOW).invoiceableAmount).toBeGreaterThanOrEqual(0);
          // The eligible list: exactly the invoiceable records, oldest payment first.
          expect(result.eligible.every((r) => describeRecord(r, NOW).status === 'invoiceable')).toBe(true);
          expect(new Set(result.eligible.map((r) => r.recordId))).toEqual(
            new Set(invoiceableRecords.map((r) => r.recordId)),
          );
          for (let i = 1; i < result.eligible.length; i++) {
            const previous = result.eligible[i - 1]!;
            const current = result.eligible[i]!;
            expect(
              previous.paidAt < current.paidAt ||
                (previous.paidAt === current.paidAt && previous.recordId < current.recordId),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('R12 under offset, more arrears never give a larger amount (property)', () => {
    fc.assert(
      fc.property(ledgerArb, arrearsArb, arrearsArb, (ledger, x, y) => {
        // Prepare
        const [less, more] = x <= y ? [x, y] : [y, x];

        // Act
        const withLess = computeInvoiceable(ledger, less, 'offset', NOW);
        const withMore = computeInvoiceable(ledger, more, 'offset', NOW);

        // Assess
        expect(withMore.amount).toBeLessThanOrEqual(withLess.amount);
        expect(withLess.amount - withMore.amount).toBeLessThanOrEqual(more - less);
      }),
      { numRuns: 300 },
    );
  });

  // Orders only: a monthly bill is drawn whole or not at all (R15), so an offset that cuts into
  // the newest bill leaves part of the shown amount that "by amount" cannot draw.
  it('R14 the whole invoiceable amount of orders can be drawn by amount, group by group as shown (property)', () => {
    fc.assert(
      fc.property(
        ledgerArb.map((records) =>
          records.map((r) => (r.kind === 'monthly-bill' ? { ...r, kind: 'order' as const } : r)),
        ),
        arrearsArb,
        fc.constantFrom<ArrearsPolicy>('offset', 'block'),
        (ledger, arrears, policy) => {
          // Prepare
          const result = computeInvoiceable(ledger, arrears, policy, NOW);

          // Act
          const drawn = allocateAmount(result.eligible, result.amount);

          // Assess
          const drawnByGroup = new Map<string, number>();
          for (const a of drawn) {
            const key = `${a.entity}|${a.taxRate}`;
            drawnByGroup.set(key, (drawnByGroup.get(key) ?? 0) + a.amount);
          }
          expect(new Map(result.byEntity.map((g) => [`${g.entity}|${g.taxRate}`, g.amount]))).toEqual(
            drawnByGroup,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('uncoveredDeficit', () => {
  it('R13 the uncovered deficit is what consumption does not cover yet', () => {
    // Prepare: 10 000 invoiced, then refunded 3 000; later 2 000 and then 5 000 of new consumption.
    const refunded = record({ recordId: 'a', invoicedAmount: 10_000, negativesAmount: -3_000 });
    const small = record({ recordId: 'b', cashAmount: 2_000, paidAt: '2025-05-20T00:00:00.000Z' });
    const more = record({ recordId: 'c', cashAmount: 5_000, paidAt: '2025-05-21T00:00:00.000Z' });

    // Act
    const alone = computeInvoiceable([refunded], 0, 'offset', NOW);
    const partly = computeInvoiceable([refunded, small], 0, 'offset', NOW);
    const covered = computeInvoiceable([refunded, small, more], 0, 'offset', NOW);

    // Assess
    expect([alone, partly, covered].map(uncoveredDeficit)).toEqual([3_000, 1_000, 0]);
    expect([alone, partly, covered].map((r) => r.amount)).toEqual([0, 0, 4_000]);
    expect(covered.formula.deficit).toBe(3_000);
  });
});
