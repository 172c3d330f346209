import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Allocation,
  type ApplicationStatus,
  allocateAmount,
  allocateSelection,
  assertCancellable,
  canTransition,
  isBoundToAnotherTitle,
  predecessorsOf,
  SERVICE_ITEM_NAME,
  type SelectionRequest,
  splitIntoInvoices,
  TERMINAL_STATUSES,
  toAllocation,
} from '#domain/application';
import type { BillingRecord } from '#domain/billing-record';
import {
  AmountExceedsInvoiceableError,
  ArrearsOutstandingError,
  CancelWindowClosedError,
  DomainError,
  NegativeRecordAloneError,
  NotFoundError,
  RecordNotInvoiceableError,
} from '#domain/errors';
import { computeInvoiceable } from '#domain/invoiceable';
import { parseTaxRate, splitTaxInclusive } from '#domain/money';

function eligible(
  recordId: string,
  availableAmount: number,
  overrides: Partial<BillingRecord> = {},
): BillingRecord {
  return {
    accountId: 'acc-1',
    recordId,
    kind: 'order',
    period: '2025-05',
    paidAt: '2025-05-10T02:00:00.000Z',
    entity: 'entity-bj',
    taxRate: '0.06',
    cashAmount: availableAmount,
    voucherAmount: 0,
    fulfilment: 'succeeded',
    negativesAmount: 0,
    invoicedAmount: 0,
    reservedAmount: 0,
    availableAmount,
    ...overrides,
  };
}

function allocation(overrides: Partial<Allocation> = {}): Allocation {
  return {
    recordId: 'r1',
    entity: 'entity-bj',
    taxRate: '0.06',
    period: '2025-05',
    amount: 10_000,
    ...overrides,
  };
}

function sequentialIds(prefix = 'inv') {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('allocateAmount', () => {
  it('R14 draws the amount oldest first, taking records whole until the last, which is taken in part', () => {
    // Prepare
    const records = [eligible('a', 1_000), eligible('b', 2_000), eligible('c', 3_000)];

    // Act
    const allocations = allocateAmount(records, 4_500);

    // Assess
    expect(allocations).toEqual([
      toAllocation(records[0]!, 1_000),
      toAllocation(records[1]!, 2_000),
      toAllocation(records[2]!, 1_500),
    ]);
  });

  it('R14 an amount equal to everything available takes every record whole', () => {
    // Prepare
    const records = [eligible('a', 1_000), eligible('b', 2_000)];

    // Act
    const allocations = allocateAmount(records, 3_000);

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([
      ['a', 1_000],
      ['b', 2_000],
    ]);
  });

  it('R14 stops as soon as the amount is covered', () => {
    // Prepare
    const records = [eligible('a', 1_000), eligible('b', 2_000)];

    // Act
    const allocations = allocateAmount(records, 1_000);

    // Assess
    expect(allocations.map((a) => a.recordId)).toEqual(['a']);
  });

  it('R14 skips records with nothing available', () => {
    // Prepare
    const records = [eligible('a', 0), eligible('b', -500), eligible('c', 700)];

    // Act
    const allocations = allocateAmount(records, 700);

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([['c', 700]]);
  });

  it('R14 an amount of zero allocates nothing', () => {
    // Act
    const allocations = allocateAmount([eligible('a', 1_000)], 0);

    // Assess
    expect(allocations).toEqual([]);
  });

  it('R14 an amount above everything available throws AmountExceedsInvoiceableError with the shortfall', () => {
    // Prepare
    const records = [eligible('a', 1_000), eligible('b', 2_000)];

    // Act
    const act = () => allocateAmount(records, 3_001);

    // Assess
    expect(act).toThrow(AmountExceedsInvoiceableError);
    expect(act).toThrow(/by 1 fen/);
    try {
      act();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as AmountExceedsInvoiceableError).code).toBe('AMOUNT_EXCEEDS_INVOICEABLE');
      expect((error as Error).name).toBe('AmountExceedsInvoiceableError');
    }
  });

  it('R14 nothing eligible: any positive amount is refused', () => {
    // Act
    const act = () => allocateAmount([], 1);

    // Assess
    expect(act).toThrow(AmountExceedsInvoiceableError);
  });

  it('R11 each allocation carries the record entity, tax rate and period', () => {
    // Prepare
    const record = eligible('a', 5_000, { entity: 'entity-sh', taxRate: '0.13', period: '2025-02' });

    // Act
    const [only] = allocateAmount([record], 5_000);

    // Assess
    expect(only).toEqual({
      recordId: 'a',
      entity: 'entity-sh',
      taxRate: '0.13',
      period: '2025-02',
      amount: 5_000,
    });
  });

  it('R14 is deterministic and leaves its input untouched (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000, max: 100_000 }), { maxLength: 15 }),
        fc.nat(),
        (amounts, seed) => {
          // Prepare
          const records = amounts.map((a, i) => eligible(`r${String(i).padStart(2, '0')}`, a));
          const snapshot = structuredClone(records);
          const total = sum(records.map((r) => Math.max(0, r.availableAmount)));
          const amount = total === 0 ? 0 : seed % (total + 1);

          // Act
          const first = allocateAmount(records, amount);
          const second = allocateAmount(records, amount);

          // Assess
          expect(second).toEqual(first);
          expect(records).toEqual(snapshot);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('R14 allocations add up to the amount, in order, whole records then one partial (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1_000, max: 1_000_000 }), { minLength: 1, maxLength: 20 }),
        fc.double({ min: 0, max: 1.2, noNaN: true }),
        (amounts, fraction) => {
          // Prepare
          const records = amounts.map((a, i) => eligible(`r${String(i).padStart(2, '0')}`, a));
          const positive = records.filter((r) => r.availableAmount > 0);
          const total = sum(positive.map((r) => r.availableAmount));
          const amount = Math.floor(total * fraction);

          // Act
          const act = () => allocateAmount(records, amount);

          // Assess
          if (amount > total) {
            expect(act).toThrow(AmountExceedsInvoiceableError);
            return;
          }
          const allocations = act();
          expect(sum(allocations.map((a) => a.amount))).toBe(amount);
          // The allocations are a prefix of the records with something available, in the same order.
          expect(allocations.map((a) => a.recordId)).toEqual(
            positive.slice(0, allocations.length).map((r) => r.recordId),
          );
          allocations.forEach((a, i) => {
            const available = positive[i]!.availableAmount;
            expect(a.amount).toBeGreaterThan(0);
            if (i < allocations.length - 1) expect(a.amount).toBe(available);
            else expect(a.amount).toBeLessThanOrEqual(available);
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('splitIntoInvoices', () => {
  it('R17 two entities × two tax rates give four invoices, one per (entity, tax rate)', () => {
    // Prepare
    const allocations = [
      allocation({ recordId: 'r1', entity: 'entity-sh', taxRate: '0.13', amount: 1_130 }),
      allocation({ recordId: 'r2', entity: 'entity-bj', taxRate: '0.06', amount: 1_060 }),
      allocation({ recordId: 'r3', entity: 'entity-sh', taxRate: '0.06', amount: 2_120 }),
      allocation({ recordId: 'r4', entity: 'entity-bj', taxRate: '0.13', amount: 2_260 }),
      allocation({ recordId: 'r5', entity: 'entity-bj', taxRate: '0.06', amount: 10_600 }),
    ];

    // Act
    const invoices = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(invoices).toHaveLength(4);
    expect(invoices.map((i) => [i.entity, i.taxRate, i.amount, i.recordIds])).toEqual([
      ['entity-bj', '0.06', 11_660, ['r2', 'r5']],
      ['entity-bj', '0.13', 2_260, ['r4']],
      ['entity-sh', '0.06', 2_120, ['r3']],
      ['entity-sh', '0.13', 1_130, ['r1']],
    ]);
    expect(invoices.map((i) => i.invoiceId)).toEqual(['inv-1', 'inv-2', 'inv-3', 'inv-4']);
  });

  it('R17 a single entity and tax rate gives a single invoice', () => {
    // Prepare
    const allocations = [allocation({ recordId: 'r1' }), allocation({ recordId: 'r2', period: '2025-04' })];

    // Act
    const invoices = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(invoices).toHaveLength(1);
    expect(invoices[0]!.amount).toBe(20_000);
  });

  it('R18 each invoice has one line per consumption month, sorted by month, with the service item name', () => {
    // Prepare
    const allocations = [
      allocation({ recordId: 'r1', period: '2025-05', amount: 1_000 }),
      allocation({ recordId: 'r2', period: '2025-03', amount: 2_000 }),
      allocation({ recordId: 'r3', period: '2025-05', amount: 3_000 }),
    ];

    // Act
    const [invoice] = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(invoice!.lines.map((l) => [l.itemName, l.specification, l.total])).toEqual([
      [SERVICE_ITEM_NAME, '2025-03', 2_000],
      [SERVICE_ITEM_NAME, '2025-05', 4_000],
    ]);
  });

  it('R18 line tax is the tax-inclusive split of the line total (6%: 10 600 → 10 000 + 600)', () => {
    // Prepare
    const allocations = [allocation({ amount: 10_600 })];

    // Act
    const [invoice] = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(invoice!.lines).toEqual([
      {
        itemName: SERVICE_ITEM_NAME,
        specification: '2025-05',
        total: 10_600,
        amountExcludingTax: 10_000,
        taxAmount: 600,
      },
    ]);
    expect(invoice).toMatchObject({ amount: 10_600, amountExcludingTax: 10_000, taxAmount: 600 });
  });

  it("R18 an invoice's tax is the sum of its lines' tax, not the tax of its total", () => {
    // Prepare: three months of 9 fen at 6%: each line rounds 0.509 up to 1 fen of tax, while the
    // invoice total of 27 fen would give 1.528 → 2 fen.
    const allocations = ['2025-01', '2025-02', '2025-03'].map((period, i) =>
      allocation({ recordId: `r${i}`, period, amount: 9 }),
    );

    // Act
    const [invoice] = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(splitTaxInclusive(27, 600).taxAmount).toBe(2);
    expect(invoice!.lines.map((l) => l.taxAmount)).toEqual([1, 1, 1]);
    expect(invoice).toMatchObject({ amount: 27, amountExcludingTax: 24, taxAmount: 3 });
  });

  it('R16 a record split over several lines is listed once on the invoice', () => {
    // Prepare
    const allocations = [
      allocation({ recordId: 'r1', period: '2025-01', amount: 100 }),
      allocation({ recordId: 'r1', period: '2025-02', amount: 200 }),
    ];

    // Act
    const [invoice] = splitIntoInvoices(allocations, sequentialIds());

    // Assess
    expect(invoice!.recordIds).toEqual(['r1']);
    expect(invoice!.lines).toHaveLength(2);
  });

  it('R17 no allocations, no invoices', () => {
    // Act
    const invoices = splitIntoInvoices([], sequentialIds());

    // Assess
    expect(invoices).toEqual([]);
  });

  it('R17 R18 invoices add up to the allocations and their lines add up to them (property)', () => {
    const allocationArb = fc.record({
      recordId: fc.constantFrom('r1', 'r2', 'r3', 'r4', 'r5', 'r6'),
      entity: fc.constantFrom('entity-bj', 'entity-sh', 'entity-hz'),
      taxRate: fc.constantFrom('0', '0.01', '0.03', '0.06', '0.09', '0.13', '0.005'),
      period: fc.constantFrom('2024-12', '2025-01', '2025-02', '2025-03'),
      amount: fc.oneof(fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 100_000_000 })),
    });
    fc.assert(
      fc.property(fc.array(allocationArb, { maxLength: 25 }), (allocations) => {
        // Act
        const invoices = splitIntoInvoices(allocations, sequentialIds());

        // Assess
        expect(sum(invoices.map((i) => i.amount))).toBe(sum(allocations.map((a) => a.amount)));
        const groups = new Set(allocations.map((a) => `${a.entity}|${a.taxRate}`));
        expect(invoices.map((i) => `${i.entity}|${i.taxRate}`).sort()).toEqual([...groups].sort());
        expect(new Set(invoices.map((i) => i.invoiceId)).size).toBe(invoices.length);
        for (const invoice of invoices) {
          const mine = allocations.filter(
            (a) => a.entity === invoice.entity && a.taxRate === invoice.taxRate,
          );
          expect(invoice.amount).toBe(sum(mine.map((a) => a.amount)));
          expect(invoice.amountExcludingTax + invoice.taxAmount).toBe(invoice.amount);
          expect(sum(invoice.lines.map((l) => l.taxAmount))).toBe(invoice.taxAmount);
          expect(sum(invoice.lines.map((l) => l.amountExcludingTax))).toBe(invoice.amountExcludingTax);
          expect(sum(invoice.lines.map((l) => l.total))).toBe(invoice.amount);
          expect(invoice.lines.map((l) => l.specification)).toEqual(
            [...new Set(mine.map((a) => a.period))].sort(),
          );
          expect([...invoice.recordIds].sort()).toEqual([...new Set(mine.map((a) => a.recordId))].sort());
          for (const line of invoice.lines) {
            expect(line).toMatchObject(splitTaxInclusive(line.total, parseTaxRate(invoice.taxRate)));
            expect(line.taxAmount).toBeGreaterThanOrEqual(0);
            expect(line.taxAmount).toBeLessThanOrEqual(line.total);
          }
        }
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('canTransition', () => {
  const ALL: ApplicationStatus[] = [
    'submitted',
    'in-review',
    'issuing',
    'issued',
    'shipped',
    'delivered',
    'rejected',
    'cancelled',
    'failed',
  ];
  const ALLOWED: [ApplicationStatus, ApplicationStatus][] = [
    ['submitted', 'in-review'],
    ['submitted', 'issuing'],
    ['submitted', 'cancelled'],
    ['submitted', 'failed'],
    ['in-review', 'issuing'],
    ['in-review', 'rejected'],
    ['in-review', 'cancelled'],
    ['in-review', 'failed'],
    ['issuing', 'issued'],
    ['issuing', 'failed'],
    ['issued', 'shipped'],
    ['issued', 'delivered'],
    ['shipped', 'delivered'],
  ];

  it('R28 allows exactly the documented moves between statuses', () => {
    // Prepare
    const allowed = new Set(ALLOWED.map(([from, to]) => `${from}>${to}`));

    // Act / Assess
    for (const from of ALL) {
      for (const to of ALL) {
        expect(canTransition(from, to), `${from} → ${to}`).toBe(allowed.has(`${from}>${to}`));
      }
    }
  });

  it('R24 an application can be cancelled before issuing starts, never after', () => {
    // Act / Assess
    expect(canTransition('submitted', 'cancelled')).toBe(true);
    expect(canTransition('in-review', 'cancelled')).toBe(true);
    expect(canTransition('issuing', 'cancelled')).toBe(false);
    expect(canTransition('issued', 'cancelled')).toBe(false);
  });

  it('R25 only an application in review can be rejected', () => {
    // Act
    const from = predecessorsOf('rejected');

    // Assess
    expect(from).toEqual(['in-review']);
  });

  it('R28 terminal statuses have no way out and no status moves to itself', () => {
    // Act / Assess
    for (const terminal of TERMINAL_STATUSES) {
      for (const to of ALL) expect(canTransition(terminal, to)).toBe(false);
    }
    for (const status of ALL) expect(canTransition(status, status)).toBe(false);
    expect([...TERMINAL_STATUSES].sort()).toEqual(['cancelled', 'delivered', 'failed', 'rejected']);
  });

  it('R28 every status is reachable from submitted', () => {
    // Prepare
    const reached = new Set<ApplicationStatus>(['submitted']);

    // Act
    for (let changed = true; changed; ) {
      changed = false;
      for (const from of [...reached]) {
        for (const to of ALL) {
          if (canTransition(from, to) && !reached.has(to)) {
            reached.add(to);
            changed = true;
          }
        }
      }
    }

    // Assess
    expect([...reached].sort()).toEqual([...ALL].sort());
  });

  it('predecessorsOf lists exactly the statuses that may move to the given one', () => {
    // Act / Assess
    for (const to of ALL) {
      expect(predecessorsOf(to).sort()).toEqual(ALL.filter((from) => canTransition(from, to)).sort());
    }
    expect(predecessorsOf('submitted')).toEqual([]);
    expect(predecessorsOf('delivered').sort()).toEqual(['issued', 'shipped']);
  });
});

describe('allocateAmount and monthly bills (R15)', () => {
  const bill = (recordId: string, amount: number, paidAt: string) =>
    eligible(recordId, amount, { kind: 'monthly-bill', paidAt });

  it('R15 takes a monthly bill whole when the amount covers it', () => {
    // Prepare
    const records = [bill('b1', 3_000, '2025-01-01T00:00:00Z'), eligible('o1', 2_000)];

    // Act
    const allocations = allocateAmount(records, 4_000);

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([
      ['b1', 3_000],
      ['o1', 1_000],
    ]);
  });

  it('R15 skips a monthly bill larger than what is left and draws on from the next record', () => {
    // Prepare: oldest first is the bill, but only 1 000 fen is asked for
    const records = [bill('b1', 3_000, '2025-01-01T00:00:00Z'), eligible('o1', 2_000)];

    // Act
    const allocations = allocateAmount(records, 1_000);

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([['o1', 1_000]]);
  });

  it('R15 refuses an amount that could only be reached by splitting a monthly bill', () => {
    // Prepare
    const records = [bill('b1', 3_000, '2025-01-01T00:00:00Z'), bill('b2', 5_000, '2025-02-01T00:00:00Z')];

    // Act
    const act = () => allocateAmount(records, 4_000);

    // Assess
    expect(act).toThrow(AmountExceedsInvoiceableError);
    expect(act).toThrow(/monthly bills are only taken whole/);
  });

  it('R15 never takes part of a monthly bill, whatever the amount (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ amount: fc.integer({ min: 1, max: 10_000 }), bill: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.integer({ min: 1, max: 120_000 }),
        (specs, amount) => {
          // Prepare
          const records = specs.map((spec, i) =>
            eligible(`r${String(i).padStart(2, '0')}`, spec.amount, {
              kind: spec.bill ? 'monthly-bill' : 'order',
            }),
          );
          const byId = new Map(records.map((r) => [r.recordId, r]));

          // Act
          let allocations: Allocation[];
          try {
            allocations = allocateAmount(records, amount);
          } catch (error) {
            // Assess: refused only when the orders and the bills that fit cannot make the amount
            expect(error).toBeInstanceOf(AmountExceedsInvoiceableError);
            return;
          }

          // Assess
          expect(sum(allocations.map((a) => a.amount))).toBe(amount);
          for (const a of allocations) {
            const record = byId.get(a.recordId)!;
            if (record.kind === 'monthly-bill') expect(a.amount).toBe(record.availableAmount);
          }
          expect(
            allocations.filter((a) => a.amount < byId.get(a.recordId)!.availableAmount).length,
          ).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('isBoundToAnotherTitle (R16)', () => {
  it('R16 a record reserved or invoiced under one title is bound to it', () => {
    // Prepare
    const reserved = { reservedAmount: 100, invoicedAmount: 0, titleId: 't1' };
    const invoiced = { reservedAmount: 0, invoicedAmount: 100, titleId: 't1' };

    // Act / Assess
    expect(isBoundToAnotherTitle(reserved, 't2')).toBe(true);
    expect(isBoundToAnotherTitle(invoiced, 't2')).toBe(true);
    expect(isBoundToAnotherTitle(reserved, 't1')).toBe(false);
  });

  it('R16 the binding lapses once nothing is reserved or invoiced (cancelled, failed, returned)', () => {
    // Act / Assess
    expect(isBoundToAnotherTitle({ reservedAmount: 0, invoicedAmount: 0, titleId: 't1' }, 't2')).toBe(false);
    expect(isBoundToAnotherTitle({ reservedAmount: 100, invoicedAmount: 0 }, 't2')).toBe(false);
  });
});

describe('allocateSelection', () => {
  const NOW = new Date('2025-06-01T00:00:00Z');
  const request = (overrides: Partial<SelectionRequest>): SelectionRequest => ({
    mode: 'orders',
    titleId: 't1',
    ...overrides,
  });
  const ledger = (records: BillingRecord[], arrears = 0) =>
    computeInvoiceable(records, arrears, 'offset', NOW);

  it('R14 orders: each selected order is taken whole, what is left of it', () => {
    // Prepare
    const records = [eligible('o1', 1_000), eligible('o2', 2_000), eligible('o3', 4_000)];

    // Act
    const allocations = allocateSelection(
      request({ recordIds: ['o3', 'o1'] }),
      records,
      ledger(records),
      0,
      NOW,
    );

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([
      ['o3', 4_000],
      ['o1', 1_000],
    ]);
  });

  it('R7 orders: a selected refund comes with its order and adds nothing of its own', () => {
    // Prepare: 1 000 fen order refunded by 300
    const order = eligible('o1', 700, { cashAmount: 1_000, negativesAmount: -300 });
    const refund = eligible('rf1', 0, { kind: 'refund', cashAmount: -300, parentRecordId: 'o1' });
    const records = [order, refund];

    // Act
    const allocations = allocateSelection(
      request({ recordIds: ['rf1', 'o1'] }),
      records,
      ledger(records),
      0,
      NOW,
    );

    // Assess
    expect(allocations.map((a) => [a.recordId, a.amount])).toEqual([['o1', 700]]);
  });

  it('R7 a negative selected without its original record is NEGATIVE_RECORD_ALONE', () => {
    // Prepare
    const records = [
      eligible('o1', 700, { cashAmount: 1_000, negativesAmount: -300 }),
      eligible('rf1', 0, { kind: 'refund', cashAmount: -300, parentRecordId: 'o1' }),
    ];

    // Act
    const act = () => allocateSelection(request({ recordIds: ['rf1'] }), records, ledger(records), 0, NOW);

    // Assess
    expect(act).toThrow(NegativeRecordAloneError);
    expect(act).toThrow(/select its original record o1/);
  });

  it('R15 orders refuses a monthly bill with a hint to use mode bills; bills refuses an order', () => {
    // Prepare
    const records = [eligible('b1', 5_000, { kind: 'monthly-bill' }), eligible('o1', 1_000)];

    // Act
    const billAsOrder = () =>
      allocateSelection(request({ recordIds: ['b1'] }), records, ledger(records), 0, NOW);
    const orderAsBill = () =>
      allocateSelection(request({ mode: 'bills', recordIds: ['o1'] }), records, ledger(records), 0, NOW);

    // Assess
    expect(billAsOrder).toThrow(RecordNotInvoiceableError);
    expect(billAsOrder).toThrow(/mode "bills"/);
    expect(orderAsBill).toThrow(RecordNotInvoiceableError);
    expect(orderAsBill).toThrow(/mode "orders"/);
  });

  it('R15 bills: several whole months in one application; a bill already partly taken is refused', () => {
    // Prepare
    const records = [
      eligible('b1', 5_000, { kind: 'monthly-bill', period: '2025-03' }),
      eligible('b2', 6_000, { kind: 'monthly-bill', period: '2025-04' }),
      eligible('b3', 1_000, { kind: 'monthly-bill', cashAmount: 3_000, reservedAmount: 2_000 }),
    ];

    // Act
    const allocations = allocateSelection(
      request({ mode: 'bills', recordIds: ['b1', 'b2'] }),
      records,
      ledger(records),
      0,
      NOW,
    );
    const partial = () =>
      allocateSelection(request({ mode: 'bills', recordIds: ['b3'] }), records, ledger(records), 0, NOW);

    // Assess
    expect(allocations.map((a) => [a.recordId, a.period, a.amount])).toEqual([
      ['b1', '2025-03', 5_000],
      ['b2', '2025-04', 6_000],
    ]);
    expect(partial).toThrow(RecordNotInvoiceableError);
  });

  it('RECORD_NOT_INVOICEABLE for a record already reserved, already invoiced or not yet eligible', () => {
    // Prepare
    const records = [
      eligible('reserved', 0, { cashAmount: 1_000, reservedAmount: 1_000 }),
      eligible('invoiced', 0, { cashAmount: 1_000, invoicedAmount: 1_000 }),
      eligible('syncing', 1_000, { eligibleFrom: '2025-06-05T00:00:00Z' }),
      eligible('free', 1_000),
    ];

    // Act / Assess
    for (const id of ['reserved', 'invoiced', 'syncing']) {
      expect(() => allocateSelection(request({ recordIds: [id] }), records, ledger(records), 0, NOW)).toThrow(
        RecordNotInvoiceableError,
      );
    }
  });

  it('an unknown record id is NOT_FOUND', () => {
    // Prepare
    const records = [eligible('o1', 1_000)];

    // Act
    const act = () => allocateSelection(request({ recordIds: ['nope'] }), records, ledger(records), 0, NOW);

    // Assess
    expect(act).toThrow(NotFoundError);
  });

  it('R16 orders: a record partly invoiced under another title is refused; amount leaves it out', () => {
    // Prepare: o1 half invoiced under t0, o2 free
    const records = [
      eligible('o1', 500, {
        cashAmount: 1_000,
        invoicedAmount: 500,
        titleId: 't0',
      } as Partial<BillingRecord>),
      eligible('o2', 800, { paidAt: '2025-05-11T00:00:00Z' }),
    ];

    // Act
    const byOrder = () => allocateSelection(request({ recordIds: ['o1'] }), records, ledger(records), 0, NOW);
    const byAmount = allocateSelection(
      request({ mode: 'amount', amount: 800 }),
      records,
      ledger(records),
      0,
      NOW,
    );
    const sameTitle = allocateSelection(
      request({ recordIds: ['o1'], titleId: 't0' }),
      records,
      ledger(records),
      0,
      NOW,
    );

    // Assess
    expect(byOrder).toThrow(RecordNotInvoiceableError);
    expect(byOrder).toThrow(/another title/);
    expect(byAmount.map((a) => [a.recordId, a.amount])).toEqual([['o2', 800]]);
    expect(sameTitle.map((a) => [a.recordId, a.amount])).toEqual([['o1', 500]]);
  });

  it('R12 offset: while in arrears the selection must leave the arrears covered', () => {
    // Prepare: 3 000 fen consumed, 1 000 owed → 2 000 invoiceable
    const records = [eligible('o1', 1_000), eligible('o2', 2_000, { paidAt: '2025-05-11T00:00:00Z' })];

    // Act
    const both = () =>
      allocateSelection(request({ recordIds: ['o1', 'o2'] }), records, ledger(records, 1_000), 1_000, NOW);
    const one = allocateSelection(
      request({ recordIds: ['o2'] }),
      records,
      ledger(records, 1_000),
      1_000,
      NOW,
    );

    // Assess
    expect(both).toThrow(ArrearsOutstandingError);
    expect(one.map((a) => a.amount)).toEqual([2_000]);
  });

  it('R12 arrears above everything invoiceable: ARREARS_OUTSTANDING, not an amount error', () => {
    // Prepare
    const records = [eligible('o1', 1_000)];

    // Act
    const act = () =>
      allocateSelection(request({ mode: 'amount', amount: 1 }), records, ledger(records, 5_000), 5_000, NOW);

    // Assess
    expect(act).toThrow(ArrearsOutstandingError);
  });

  it('R14 amount above the invoiceable amount, or nothing invoiceable: AMOUNT_EXCEEDS_INVOICEABLE', () => {
    // Prepare
    const records = [eligible('o1', 1_000)];

    // Act / Assess
    expect(() =>
      allocateSelection(request({ mode: 'amount', amount: 1_001 }), records, ledger(records), 0, NOW),
    ).toThrow(AmountExceedsInvoiceableError);
    expect(() => allocateSelection(request({ mode: 'amount', amount: 1 }), [], ledger([]), 0, NOW)).toThrow(
      AmountExceedsInvoiceableError,
    );
  });
});

describe('assertCancellable (R24)', () => {
  const DEADLINE = '2025-06-01T16:00:00.000Z'; // 24:00 Asia/Shanghai of 1 June

  it('R24 allows cancelling while submitted or in review, up to the deadline inclusive', () => {
    // Act / Assess
    for (const status of ['submitted', 'in-review'] as const) {
      expect(() =>
        assertCancellable({ status, cancellableUntil: DEADLINE }, new Date(DEADLINE)),
      ).not.toThrow();
    }
  });

  it('R24 after the deadline the window is closed', () => {
    // Act
    const act = () =>
      assertCancellable(
        { status: 'submitted', cancellableUntil: DEADLINE },
        new Date('2025-06-01T16:00:00.001Z'),
      );

    // Assess
    expect(act).toThrow(CancelWindowClosedError);
  });

  it('R24 once issuing has started the window is closed, even before the deadline', () => {
    // Act / Assess
    for (const status of ['issuing', 'issued', 'failed', 'rejected'] as const) {
      expect(() =>
        assertCancellable({ status, cancellableUntil: DEADLINE }, new Date('2025-06-01T10:00:00Z')),
      ).toThrow(CancelWindowClosedError);
    }
  });
});
