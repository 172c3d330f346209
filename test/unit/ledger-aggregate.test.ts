import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BillingRecord, describeRecord, NEGATIVE_KINDS, netInvoiceable } from '#domain/billing-record';
import { type ArrearsPolicy, computeInvoiceable, oldestFirst } from '#domain/invoiceable';
import {
  type AggregatedRecord,
  addParts,
  type Bucket,
  emptyParts,
  invoiceableFromAggregates,
  type LedgerParts,
  MAIN,
  moveParts,
  recordChange,
  takeOffsets,
} from '#domain/ledger-aggregate';
import { planRecordUpserts, type RecordInput, recordRef } from '#domain/record-upsert';

const START = new Date('2025-06-15T04:00:00.000Z');
const HOUR_MS = 3_600_000;
const SYNC_DAYS = 3;
const ACCOUNT = 'acc-1';

/**
 * A ledger in memory, written the way the adapters write DynamoDB: every billing-record upsert
 * through planRecordUpserts and recordChange, every allocation move through moveParts into the
 * main item, the exceptions listed on it, instants folded into it once passed.
 */
class Ledger {
  records = new Map<string, BillingRecord & { aggAt?: string }>();
  items = new Map<string, LedgerParts>();
  exceptions = new Set<string>();
  now = START;
  arrears = 0;
  private serial = 0;

  private add(location: string, parts: LedgerParts) {
    this.items.set(location, addParts(this.items.get(location) ?? emptyParts(), parts));
  }

  upsert(inputs: RecordInput[]) {
    const existing = new Map([...this.records.values()].map((r) => [recordRef(r.accountId, r.recordId), r]));
    const plan = planRecordUpserts(inputs, existing, SYNC_DAYS);
    const write = (after: BillingRecord) => {
      const before = this.records.get(after.recordId);
      const change = recordChange(before, after, this.now);
      for (const [location, parts] of change.deltas) this.add(location, parts);
      if (change.exception) this.exceptions.add(after.recordId);
      else this.exceptions.delete(after.recordId);
      this.records.set(after.recordId, { ...after, aggAt: change.aggAt });
    };
    for (const { record } of plan.positives) write(record);
    for (const { write: negative, parent } of plan.negatives) {
      write(negative.record);
      if (!parent) continue;
      const current = this.records.get(parent.parentRecordId)!;
      write({
        ...current,
        negativesAmount: parent.negativesAmount,
        availableAmount: current.availableAmount + parent.availableDelta,
      });
    }
  }

  newId() {
    this.serial += 1;
    return `rec-${String(this.serial).padStart(4, '0')}`;
  }

  move(from: Bucket, to: Bucket, record: BillingRecord, amount: number) {
    const field = (b: Bucket) => `${b}Amount` as const;
    const stored = this.records.get(record.recordId)!;
    stored[field(from)] -= amount;
    stored[field(to)] += amount;
    this.add(MAIN, moveParts(from, to, { entity: record.entity, taxRate: record.taxRate, amount }));
  }

  fold() {
    const now = this.now.toISOString();
    for (const [location, parts] of [...this.items]) {
      if (location === MAIN || location > now) continue;
      this.add(MAIN, parts);
      this.items.delete(location);
    }
  }

  /** What GET /v1/invoiceable answers from the aggregates. */
  fromAggregates(policy: ArrearsPolicy) {
    const now = this.now.toISOString();
    const sum = emptyParts();
    for (const [location, parts] of this.items)
      if (location === MAIN || location <= now) addParts(sum, parts);
    const exceptions: AggregatedRecord[] = [...this.exceptions].map((id) => this.records.get(id)!);
    const result = invoiceableFromAggregates(sum, exceptions, this.arrears, policy, this.now);
    const newest = [...this.records.values()]
      .filter((r) => describeRecord(r, this.now).status === 'invoiceable')
      .sort(oldestFirst)
      .reverse();
    const { groups: _g, offsets: _o, ...rest } = result;
    return { ...rest, byEntity: takeOffsets(result, newest) };
  }

  fromRecords(policy: ArrearsPolicy) {
    const { eligible: _e, ...result } = computeInvoiceable(
      [...this.records.values()],
      this.arrears,
      policy,
      this.now,
    );
    return result;
  }
}

type Op =
  | {
      op: 'new';
      cash: number;
      voucher: number;
      fulfil: number;
      paidHoursAgo: number;
      eligibleIn?: number;
      group: number;
      kind: number;
    }
  | { op: 'change'; pick: number; cash: number; fulfil: number; eligibleIn?: number }
  | { op: 'negative'; pick: number; cash: number; again: boolean }
  | { op: 'move'; pick: number; how: number; share: number }
  | { op: 'time'; hours: number }
  | { op: 'fold' }
  | { op: 'arrears'; amount: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('new' as const),
      cash: fc.integer({ min: 0, max: 20_000 }),
      voucher: fc.integer({ min: 0, max: 500 }),
      fulfil: fc.integer({ min: 0, max: 9 }),
      paidHoursAgo: fc.integer({ min: 0, max: 200 }),
      eligibleIn: fc.option(fc.integer({ min: -48, max: 48 }), { nil: undefined }),
      group: fc.integer({ min: 0, max: 3 }),
      kind: fc.integer({ min: 0, max: 9 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('change' as const),
      pick: fc.nat(),
      cash: fc.integer({ min: 0, max: 20_000 }),
      fulfil: fc.integer({ min: 0, max: 9 }),
      eligibleIn: fc.option(fc.integer({ min: -48, max: 48 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('negative' as const),
      pick: fc.nat(),
      cash: fc.integer({ min: -12_000, max: 0 }),
      again: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('move' as const),
      pick: fc.nat(),
      how: fc.integer({ min: 0, max: 3 }),
      share: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ op: fc.constant('time' as const), hours: fc.integer({ min: 1, max: 60 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'fold' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('arrears' as const), amount: fc.integer({ min: 0, max: 8_000 }) }),
  },
);

const GROUPS = [
  ['entity-bj', '0.06'],
  ['entity-bj', '0.13'],
  ['entity-sh', '0.06'],
  ['entity-sh', '0.09'],
] as const;
const FULFILMENTS = [
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'succeeded',
  'failed',
  'partially-failed',
  'partially-failed',
  'succeeded',
] as const;

function at(ledger: Ledger, hours: number): string {
  return new Date(ledger.now.getTime() + hours * HOUR_MS).toISOString();
}

function apply(ledger: Ledger, step: Op): void {
  const positives = [...ledger.records.values()].filter((r) => !NEGATIVE_KINDS.has(r.kind));
  const pickFrom = <T>(list: T[], n: number) => (list.length === 0 ? undefined : list[n % list.length]);
  const input = (r: BillingRecord): RecordInput => {
    const { negativesAmount: _n, invoicedAmount: _i, reservedAmount: _r, availableAmount: _a, ...rest } = r;
    return rest;
  };
  switch (step.op) {
    case 'new': {
      const [entity, taxRate] = GROUPS[step.group]!;
      const fulfilment = FULFILMENTS[step.fulfil]!;
      const kind = step.kind === 0 ? 'recharge' : step.kind < 3 ? 'monthly-bill' : 'order';
      ledger.upsert([
        {
          accountId: ACCOUNT,
          recordId: ledger.newId(),
          kind,
          period: '2025-06',
          paidAt: at(ledger, -step.paidHoursAgo),
          entity,
          taxRate,
          cashAmount: step.cash,
          voucherAmount: step.voucher,
          fulfilment,
          ...(fulfilment === 'partially-failed' ? { fulfilledCashAmount: Math.floor(step.cash / 2) } : {}),
          ...(step.eligibleIn === undefined ? {} : { eligibleFrom: at(ledger, step.eligibleIn) }),
        },
      ]);
      return;
    }
    case 'change': {
      const record = pickFrom(positives, step.pick);
      if (!record) return;
      const fulfilment = FULFILMENTS[step.fulfil]!;
      const { fulfilledCashAmount: _f, eligibleFrom: _e, ...base } = input(record);
      ledger.upsert([
        {
          ...base,
          cashAmount: step.cash,
          fulfilment,
          ...(fulfilment === 'partially-failed' ? { fulfilledCashAmount: Math.floor(step.cash / 3) } : {}),
          eligibleFrom: step.eligibleIn === undefined ? record.eligibleFrom : at(ledger, step.eligibleIn),
        },
      ]);
      return;
    }
    case 'negative': {
      const parent = pickFrom(
        positives.filter((r) => r.kind !== 'recharge'),
        step.pick,
      );
      if (!parent) return;
      const earlier = [...ledger.records.values()].find((r) => r.parentRecordId === parent.recordId);
      ledger.upsert([
        {
          ...(step.again && earlier ? input(earlier) : {}),
          accountId: ACCOUNT,
          recordId: step.again && earlier ? earlier.recordId : ledger.newId(),
          kind: 'refund',
          parentRecordId: parent.recordId,
          period: parent.period,
          paidAt: at(ledger, 0),
          entity: parent.entity,
          taxRate: parent.taxRate,
          cashAmount: step.cash,
          voucherAmount: 0,
          fulfilment: 'succeeded',
        },
      ]);
      return;
    }
    case 'move': {
      const share = (max: number) => Math.max(1, Math.round(max * step.share));
      if (step.how === 0) {
        // Reserve: only what an application may take (invoiceable now, kept where a read counts it).
        const now = ledger.now.toISOString();
        const record = pickFrom(
          positives.filter(
            (r) =>
              describeRecord(r, ledger.now).status === 'invoiceable' &&
              (r.aggAt === undefined || r.aggAt <= now),
          ),
          step.pick,
        );
        if (record) ledger.move('available', 'reserved', record, share(record.availableAmount));
        return;
      }
      if (step.how === 3) {
        const record = pickFrom(
          positives.filter((r) => r.invoicedAmount > 0),
          step.pick,
        );
        if (record) ledger.move('invoiced', 'available', record, share(record.invoicedAmount));
        return;
      }
      const record = pickFrom(
        positives.filter((r) => r.reservedAmount > 0),
        step.pick,
      );
      if (!record) return;
      ledger.move(
        'reserved',
        step.how === 1 ? 'invoiced' : 'available',
        record,
        share(record.reservedAmount),
      );
      return;
    }
    case 'time':
      ledger.now = new Date(ledger.now.getTime() + step.hours * HOUR_MS);
      return;
    case 'fold':
      ledger.fold();
      return;
    case 'arrears':
      ledger.arrears = step.amount;
      return;
  }
}

describe('ledger aggregates', () => {
  it('invariant 1 and R8 R10 R12 R13: after every operation the aggregates answer what every record gives (property)', () => {
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        fc.constantFrom<ArrearsPolicy>('offset', 'block'),
        (ops, policy) => {
          // Prepare
          const ledger = new Ledger();
          for (const step of ops) {
            // Act
            apply(ledger, step);

            // Assess
            expect(ledger.fromAggregates(policy)).toEqual(ledger.fromRecords(policy));
            for (const r of ledger.records.values()) {
              if (NEGATIVE_KINDS.has(r.kind)) continue;
              expect(r.invoicedAmount + r.reservedAmount + r.availableAmount).toBe(netInvoiceable(r));
              expect(r.invoicedAmount).toBeGreaterThanOrEqual(0);
              expect(r.reservedAmount).toBeGreaterThanOrEqual(0);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('R8 a record waiting for its eligibleFrom counts from that instant on, with nothing written then', () => {
    // Prepare
    const ledger = new Ledger();
    apply(ledger, {
      op: 'new',
      cash: 5_000,
      voucher: 0,
      fulfil: 0,
      paidHoursAgo: 1,
      eligibleIn: 2,
      group: 0,
      kind: 5,
    });
    apply(ledger, { op: 'new', cash: 3_000, voucher: 0, fulfil: 0, paidHoursAgo: 100, group: 1, kind: 5 });

    // Act
    const before = ledger.fromAggregates('offset');
    ledger.now = new Date(ledger.now.getTime() + 2 * HOUR_MS);
    const after = ledger.fromAggregates('offset');

    // Assess
    expect(before.amount).toBe(3_000);
    expect(after.amount).toBe(8_000);
    expect(ledger.items.size).toBe(2); // the main item and the record's instant
    expect(after).toEqual(ledger.fromRecords('offset'));
  });
});
