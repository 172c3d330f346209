import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BillingRecord,
  describeRecord,
  type Fulfilment,
  invoiceableBase,
  isEligible,
  NEGATIVE_KINDS,
  netInvoiceable,
  type RecordKind,
} from '#domain/billing-record';

const NOW = new Date('2025-06-15T04:00:00.000Z');

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

describe('invoiceableBase', () => {
  it('R5 a paid order is invoiceable for its cash part only, never the voucher part', () => {
    // Prepare
    const order = record({ cashAmount: 7_000, voucherAmount: 3_000 });

    // Act
    const base = invoiceableBase(order);

    // Assess
    expect(base).toBe(7_000);
  });

  it('R5 a monthly bill paid entirely by voucher has nothing invoiceable', () => {
    // Prepare
    const bill = record({ kind: 'monthly-bill', cashAmount: 0, voucherAmount: 12_000 });

    // Act
    const base = invoiceableBase(bill);

    // Assess
    expect(base).toBe(0);
  });

  it('R5 a recharge is never invoiceable, whatever its cash', () => {
    // Prepare
    const recharge = record({ kind: 'recharge', cashAmount: 500_000 });

    // Act
    const base = invoiceableBase(recharge);

    // Assess
    expect(base).toBe(0);
  });

  it.each<RecordKind>(['refund', 'adjustment'])(
    'R7 a %s document has no invoiceable base of its own',
    (kind) => {
      // Prepare
      const negative = record({ kind, cashAmount: -2_000, parentRecordId: 'rec-0' });

      // Act
      const base = invoiceableBase(negative);

      // Assess
      expect(base).toBe(0);
    },
  );

  it('R6 an order whose fulfilment failed is not invoiceable', () => {
    // Prepare
    const order = record({ fulfilment: 'failed', cashAmount: 9_900 });

    // Act
    const base = invoiceableBase(order);

    // Assess
    expect(base).toBe(0);
  });

  it('R6 a partially failed order is invoiceable for the fulfilled part only', () => {
    // Prepare
    const order = record({ fulfilment: 'partially-failed', cashAmount: 10_000, fulfilledCashAmount: 6_000 });

    // Act
    const base = invoiceableBase(order);

    // Assess
    expect(base).toBe(6_000);
  });

  it('R6 the fulfilled part never exceeds the cash paid', () => {
    // Prepare
    const order = record({ fulfilment: 'partially-failed', cashAmount: 4_000, fulfilledCashAmount: 9_000 });

    // Act
    const base = invoiceableBase(order);

    // Assess
    expect(base).toBe(4_000);
  });

  it('R6 a partially failed order without a fulfilled amount counts as nothing fulfilled', () => {
    // Prepare
    const order = record({
      fulfilment: 'partially-failed',
      cashAmount: 4_000,
      fulfilledCashAmount: undefined,
    });

    // Act
    const base = invoiceableBase(order);

    // Assess
    expect(base).toBe(0);
  });

  it('R5 R6 the base is between zero and the cash paid and ignores vouchers (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RecordKind>('order', 'monthly-bill', 'recharge'),
        fc.constantFrom<Fulfilment>('succeeded', 'failed', 'partially-failed'),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.integer({ min: 0, max: 100_000_000 }),
        fc.option(fc.integer({ min: 0, max: 100_000_000 }), { nil: undefined }),
        (kind, fulfilment, cashAmount, voucherAmount, fulfilledCashAmount) => {
          // Prepare
          const withVoucher = record({ kind, fulfilment, cashAmount, voucherAmount, fulfilledCashAmount });
          const withoutVoucher = { ...withVoucher, voucherAmount: 0 };

          // Act
          const base = invoiceableBase(withVoucher);

          // Assess
          expect(base).toBeGreaterThanOrEqual(0);
          expect(base).toBeLessThanOrEqual(cashAmount);
          expect(base).toBe(invoiceableBase(withoutVoucher));
          if (kind === 'recharge' || fulfilment === 'failed') expect(base).toBe(0);
          if (kind !== 'recharge' && fulfilment === 'succeeded') expect(base).toBe(cashAmount);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('netInvoiceable', () => {
  it('R7 a succeeded order is reduced by its negatives fen for fen', () => {
    // Prepare
    const order = record({ cashAmount: 10_000, negativesAmount: -2_500 });

    // Act
    const net = netInvoiceable(order);

    // Assess
    expect(net).toBe(7_500);
    expect(order.availableAmount).toBe(7_500);
  });

  it('R6 R7 a refund of the failed part of a partially failed order is not subtracted twice', () => {
    // Prepare: 10 000 paid, 6 000 fulfilled; the failed 4 000 is refunded, then another 1 000.
    const partial = {
      fulfilment: 'partially-failed' as const,
      cashAmount: 10_000,
      fulfilledCashAmount: 6_000,
    };
    const beforeRefund = record(partial);
    const failedPartRefunded = record({ ...partial, negativesAmount: -4_000 });
    const furtherRefund = record({ ...partial, negativesAmount: -5_000 });

    // Act
    const nets = [beforeRefund, failedPartRefunded, furtherRefund].map(netInvoiceable);

    // Assess
    expect(nets).toEqual([6_000, 6_000, 5_000]);
    expect(furtherRefund.availableAmount).toBe(5_000);
  });

  it('R6 R7 a failed order fully refunded is invoiceable for 0, not less', () => {
    // Prepare
    const order = record({ fulfilment: 'failed', cashAmount: 10_000, negativesAmount: -10_000 });

    // Act
    const net = netInvoiceable(order);

    // Assess
    expect(net).toBe(0);
    expect(order.availableAmount).toBe(0);
  });

  it.each<RecordKind>(['recharge', 'refund', 'adjustment'])('R5 R7 a %s has no net of its own', (kind) => {
    // Prepare
    const rec = record({ kind, cashAmount: kind === 'recharge' ? 9_000 : -9_000, negativesAmount: -1_000 });

    // Act
    const net = netInvoiceable(rec);

    // Assess
    expect(net).toBe(0);
  });

  it('R6 R7 the net never exceeds the fulfilled cash nor the cash left after negatives, and each fen refunded lowers it by at most one fen (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<RecordKind>('order', 'monthly-bill'),
        fc.constantFrom<Fulfilment>('succeeded', 'failed', 'partially-failed'),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000_000 }),
        (kind, fulfilment, cashAmount, fulfilled, refunded, more) => {
          // Prepare
          const fulfilledCashAmount = Math.min(fulfilled, cashAmount);
          const rec = record({
            kind,
            fulfilment,
            cashAmount,
            fulfilledCashAmount,
            negativesAmount: -refunded,
          });
          const refundedMore = { ...rec, negativesAmount: -refunded - more };

          // Act
          const net = netInvoiceable(rec);
          const netAfterMore = netInvoiceable(refundedMore);

          // Assess
          expect(net).toBeLessThanOrEqual(invoiceableBase(rec));
          expect(net).toBeLessThanOrEqual(cashAmount - refunded);
          expect(net === invoiceableBase(rec) || net === cashAmount - refunded).toBe(true);
          expect(netInvoiceable({ ...rec, negativesAmount: 0 })).toBe(invoiceableBase(rec));
          expect(netAfterMore).toBeLessThanOrEqual(net);
          expect(net - netAfterMore).toBeLessThanOrEqual(more);
          if (refunded <= cashAmount) expect(net).toBeGreaterThanOrEqual(0);
          if (fulfilment === 'succeeded') expect(net).toBe(cashAmount - refunded);
          if (fulfilment === 'failed' && refunded <= cashAmount) expect(net).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('describeRecord', () => {
  it('R10 an untouched paid order is invoiceable for its whole cash amount', () => {
    // Prepare
    const order = record({ cashAmount: 25_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({ status: 'invoiceable', invoiceableAmount: 25_000 });
    expect(isEligible(order, NOW)).toBe(true);
  });

  it('R10 a partly invoiced and partly reserved order is invoiceable for what is left', () => {
    // Prepare
    const order = record({
      cashAmount: 10_000,
      negativesAmount: -1_000,
      invoicedAmount: 4_000,
      reservedAmount: 2_500,
    });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({ status: 'invoiceable', invoiceableAmount: 2_500 });
  });

  it.each<RecordKind>(['refund', 'adjustment'])(
    'R7 a %s is shown as a negative document, never invoiceable on its own',
    (kind) => {
      // Prepare
      const negative = record({ kind, recordId: 'neg-1', parentRecordId: 'rec-1', cashAmount: -3_000 });

      // Act
      const view = describeRecord(negative, NOW);

      // Assess
      expect(view).toEqual({
        status: 'negative',
        invoiceableAmount: 0,
        notInvoiceableReason: 'NEGATIVE_DOCUMENT',
      });
      expect(isEligible(negative, NOW)).toBe(false);
    },
  );

  it('R5 a recharge is not invoiceable because it is not consumption', () => {
    // Prepare
    const recharge = record({ kind: 'recharge', cashAmount: 100_000 });

    // Act
    const view = describeRecord(recharge, NOW);

    // Assess
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'RECHARGE_NOT_CONSUMPTION',
    });
  });

  it('R5 a recharge stays not invoiceable even with an inconsistent positive available amount', () => {
    // Prepare
    const recharge = record({ kind: 'recharge', cashAmount: 100_000, availableAmount: 100_000 });

    // Act
    const view = describeRecord(recharge, NOW);

    // Assess
    expect(view.status).toBe('not-invoiceable');
    expect(view.invoiceableAmount).toBe(0);
  });

  it('R6 an order whose fulfilment failed is not invoiceable, with the reason', () => {
    // Prepare
    const order = record({ fulfilment: 'failed', cashAmount: 8_800 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'FULFILMENT_FAILED',
    });
  });

  it('R6 a partially failed order is invoiceable for the fulfilled part only', () => {
    // Prepare
    const order = record({ fulfilment: 'partially-failed', cashAmount: 10_000, fulfilledCashAmount: 3_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({ status: 'invoiceable', invoiceableAmount: 3_000 });
  });

  it('R8 a record eligible only in the future is temporarily not invoiceable, with the default reason', () => {
    // Prepare
    const order = record({ paidAt: '2025-06-14T04:00:00.000Z', eligibleFrom: '2025-06-17T04:00:00.000Z' });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({
      status: 'temporarily-not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'PAYMENT_DATA_SYNCING',
    });
    expect(isEligible(order, NOW)).toBe(false);
  });

  it("R8 a temporarily not invoiceable record shows the billing system's own reason", () => {
    // Prepare
    const order = record({
      eligibleFrom: '2025-07-01T00:00:00.000Z',
      notInvoiceableReason: 'BANK_TRANSFER_CLEARING',
    });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view.status).toBe('temporarily-not-invoiceable');
    expect(view.notInvoiceableReason).toBe('BANK_TRANSFER_CLEARING');
  });

  it('R8 a record becomes invoiceable at the exact instant it is eligible from', () => {
    // Prepare
    const justEligible = record({ eligibleFrom: NOW.toISOString() });
    const oneMsEarly = record({ eligibleFrom: new Date(NOW.getTime() + 1).toISOString() });

    // Act
    const atTheInstant = describeRecord(justEligible, NOW);
    const justBefore = describeRecord(oneMsEarly, NOW);

    // Assess
    expect(atTheInstant.status).toBe('invoiceable');
    expect(justBefore.status).toBe('temporarily-not-invoiceable');
  });

  it('R8 a record without an eligibleFrom date is invoiceable at once', () => {
    // Prepare
    const order = record({ eligibleFrom: undefined });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view.status).toBe('invoiceable');
  });

  it('R8 eligibleFrom in another offset is compared as an instant', () => {
    // Prepare: 12:00 +08:00 is 04:00Z, i.e. exactly NOW; 12:00:01 +08:00 is one second later.
    const atNow = record({ eligibleFrom: '2025-06-15T12:00:00+08:00' });
    const later = record({ eligibleFrom: '2025-06-15T12:00:01+08:00' });

    // Act
    const atNowView = describeRecord(atNow, NOW);
    const laterView = describeRecord(later, NOW);

    // Assess
    expect(atNowView.status).toBe('invoiceable');
    expect(laterView.status).toBe('temporarily-not-invoiceable');
  });

  it('R13 a record whose negatives arrived after invoicing shows a deficit and nothing invoiceable', () => {
    // Prepare: 10 000 paid and invoiced, then a 3 000 refund.
    const order = record({ cashAmount: 10_000, invoicedAmount: 10_000, negativesAmount: -3_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(order.availableAmount).toBe(-3_000);
    expect(view).toEqual({
      status: 'deficit',
      invoiceableAmount: 0,
      notInvoiceableReason: 'NEGATIVE_AFTER_INVOICING',
    });
  });

  it('R13 a deficit is shown even while the record is still within its syncing window', () => {
    // Prepare
    const order = record({
      cashAmount: 10_000,
      reservedAmount: 10_000,
      negativesAmount: -500,
      eligibleFrom: '2025-07-01T00:00:00.000Z',
    });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view.status).toBe('deficit');
  });

  it('R6 R13 an order invoiced and later reported failed is a deficit of the invoiced amount', () => {
    // Prepare: 10 000 paid and invoiced; the billing system then reports the fulfilment as failed.
    const order = record({ cashAmount: 10_000, invoicedAmount: 10_000, fulfilment: 'failed' });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(order.availableAmount).toBe(-10_000);
    expect(view).toEqual({
      status: 'deficit',
      invoiceableAmount: 0,
      notInvoiceableReason: 'NEGATIVE_AFTER_INVOICING',
    });
  });

  it('R6 R13 a failed order fully refunded and never invoiced is not a deficit', () => {
    // Prepare
    const order = record({ fulfilment: 'failed', cashAmount: 10_000, negativesAmount: -10_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(order.availableAmount).toBe(0);
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'FULFILMENT_FAILED',
    });
  });

  it('R6 R7 a partially failed order stays invoiceable for its fulfilled part after the failed part is refunded', () => {
    // Prepare
    const partial = {
      fulfilment: 'partially-failed' as const,
      cashAmount: 10_000,
      fulfilledCashAmount: 6_000,
    };

    // Act
    const afterFailedPart = describeRecord(record({ ...partial, negativesAmount: -4_000 }), NOW);
    const afterFurther = describeRecord(record({ ...partial, negativesAmount: -5_000 }), NOW);

    // Assess
    expect(afterFailedPart).toEqual({ status: 'invoiceable', invoiceableAmount: 6_000 });
    expect(afterFurther).toEqual({ status: 'invoiceable', invoiceableAmount: 5_000 });
  });

  it('R5 R10 a record paid entirely by voucher explains that the voucher part is not invoiceable', () => {
    // Prepare
    const order = record({ cashAmount: 0, voucherAmount: 5_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'PAID_BY_VOUCHER',
    });
  });

  it('R10 a record with no cash and no voucher explains that nothing was paid', () => {
    // Prepare
    const bill = record({ kind: 'monthly-bill', cashAmount: 0, voucherAmount: 0 });

    // Act
    const view = describeRecord(bill, NOW);

    // Assess
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'NO_CASH_PAID',
    });
  });

  it('R10 a record held by an open application is shown as reserved, with the reason', () => {
    // Prepare
    const order = record({ cashAmount: 10_000, invoicedAmount: 4_000, reservedAmount: 6_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({
      status: 'reserved',
      invoiceableAmount: 0,
      notInvoiceableReason: 'RESERVED_BY_OPEN_APPLICATION',
    });
  });

  it('R10 a fully invoiced record says it is already invoiced', () => {
    // Prepare
    const order = record({ cashAmount: 10_000, invoicedAmount: 10_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(view).toEqual({
      status: 'fully-invoiced',
      invoiceableAmount: 0,
      notInvoiceableReason: 'ALREADY_INVOICED',
    });
  });

  it('R7 R10 a fully refunded record that was never invoiced is not invoiceable because it was refunded', () => {
    // Prepare: 10 000 paid, refunded in full, nothing invoiced or reserved.
    const order = record({ cashAmount: 10_000, negativesAmount: -10_000 });

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(order.availableAmount).toBe(0);
    expect(view).toEqual({
      status: 'not-invoiceable',
      invoiceableAmount: 0,
      notInvoiceableReason: 'REFUNDED',
    });
  });

  it.each<[string, Partial<BillingRecord>, string, string]>([
    [
      'reserved before invoiced',
      { cashAmount: 10_000, invoicedAmount: 4_000, reservedAmount: 6_000 },
      'reserved',
      'RESERVED_BY_OPEN_APPLICATION',
    ],
    [
      'invoiced before refunded',
      { cashAmount: 10_000, invoicedAmount: 6_000, negativesAmount: -4_000 },
      'fully-invoiced',
      'ALREADY_INVOICED',
    ],
    [
      'refunded before voucher',
      { cashAmount: 5_000, voucherAmount: 5_000, negativesAmount: -5_000 },
      'not-invoiceable',
      'REFUNDED',
    ],
    ['voucher before no cash', { cashAmount: 0, voucherAmount: 1 }, 'not-invoiceable', 'PAID_BY_VOUCHER'],
  ])('R10 the reason for nothing left follows its priority: %s', (_label, overrides, status, reason) => {
    // Prepare
    const order = record(overrides);

    // Act
    const view = describeRecord(order, NOW);

    // Assess
    expect(order.availableAmount).toBe(0);
    expect(view).toEqual({ status, invoiceableAmount: 0, notInvoiceableReason: reason });
  });

  it('R10 R13 no record is ever shown with an invoiceable amount below zero or above its net, and its status matches its ledger (property)', () => {
    const consistentRecord = fc
      .record({
        kind: fc.constantFrom<RecordKind>('order', 'monthly-bill', 'recharge', 'refund', 'adjustment'),
        fulfilment: fc.constantFrom<Fulfilment>('succeeded', 'failed', 'partially-failed'),
        cashAmount: fc.integer({ min: 0, max: 10_000_000 }),
        voucherAmount: fc.integer({ min: 0, max: 1_000_000 }),
        fulfilledShare: fc.double({ min: 0, max: 1, noNaN: true }),
        invoicedShare: fc.double({ min: 0, max: 1, noNaN: true }),
        reservedShare: fc.double({ min: 0, max: 1, noNaN: true }),
        negativeShare: fc.double({ min: 0, max: 1, noNaN: true }),
        // Invoiced or reserved before the refund or the failure report arrived: may exceed the net.
        usedBeforeChanges: fc.boolean(),
        eligibleInHours: fc.option(fc.integer({ min: -500, max: 500 }), { nil: undefined }),
      })
      .map((g) => {
        const negativeKind = NEGATIVE_KINDS.has(g.kind);
        const fulfilledCashAmount =
          g.fulfilment === 'partially-failed' ? Math.floor(g.cashAmount * g.fulfilledShare) : undefined;
        const negativesAmount =
          negativeKind || g.kind === 'recharge' ? 0 : -Math.floor(g.cashAmount * g.negativeShare);
        const net = netInvoiceable({ ...g, fulfilledCashAmount, negativesAmount });
        const usable = negativeKind || g.kind === 'recharge' ? 0 : g.usedBeforeChanges ? g.cashAmount : net;
        const invoicedAmount = Math.floor(usable * g.invoicedShare);
        const reservedAmount = Math.floor((usable - invoicedAmount) * g.reservedShare);
        return record({
          kind: g.kind,
          parentRecordId: negativeKind ? 'rec-0' : undefined,
          fulfilment: g.fulfilment,
          fulfilledCashAmount,
          cashAmount: negativeKind ? -g.cashAmount : g.cashAmount,
          voucherAmount: g.voucherAmount,
          negativesAmount,
          invoicedAmount,
          reservedAmount,
          eligibleFrom:
            g.eligibleInHours === undefined
              ? undefined
              : new Date(NOW.getTime() + g.eligibleInHours * 3_600_000).toISOString(),
        });
      });

    fc.assert(
      fc.property(consistentRecord, (rec) => {
        // Act
        const view = describeRecord(rec, NOW);

        // Assess
        expect(view.invoiceableAmount).toBeGreaterThanOrEqual(0);
        expect(view.invoiceableAmount).toBeLessThanOrEqual(netInvoiceable(rec));
        expect(view.invoiceableAmount).toBeLessThanOrEqual(invoiceableBase(rec));
        expect(isEligible(rec, NOW)).toBe(view.status === 'invoiceable');
        const positiveKind = !NEGATIVE_KINDS.has(rec.kind) && rec.kind !== 'recharge';
        // R13: a positive record owes invoices exactly when its available amount is below zero.
        expect(view.status === 'deficit').toBe(positiveKind && rec.availableAmount < 0);
        if (view.status === 'fully-invoiced') {
          expect(rec.availableAmount).toBe(0);
          expect(rec.reservedAmount).toBe(0);
          expect(rec.invoicedAmount).toBeGreaterThan(0);
        }
        if (view.status === 'reserved') {
          expect(rec.availableAmount).toBe(0);
          expect(rec.reservedAmount).toBeGreaterThan(0);
        }
        if (positiveKind && rec.availableAmount === 0 && rec.fulfilment !== 'failed') {
          const expected =
            rec.reservedAmount > 0
              ? 'reserved'
              : rec.invoicedAmount > 0
                ? 'fully-invoiced'
                : 'not-invoiceable';
          if (view.status !== 'temporarily-not-invoiceable') expect(view.status).toBe(expected);
        }
        if (view.status === 'invoiceable') {
          expect(view.invoiceableAmount).toBe(rec.availableAmount);
          expect(view.invoiceableAmount).toBeGreaterThan(0);
          expect(view.notInvoiceableReason).toBeUndefined();
        } else {
          expect(view.invoiceableAmount).toBe(0);
          expect(view.notInvoiceableReason).toEqual(expect.any(String));
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
