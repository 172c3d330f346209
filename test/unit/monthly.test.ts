import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, TitleNotApprovedError } from '#domain/errors';
import {
  allShards,
  autoInvoicingView,
  COUNTER_SLOTS,
  counterSlotOf,
  isSkip,
  MONTHLY_SHARDS,
  monthlyRunDue,
  monthOfRun,
  runIdOf,
  shardOf,
  sumCounters,
} from '#domain/monthly';

describe('monthly invoicing domain (R31)', () => {
  it('R31 an account always lands in the same one of 64 shards, and accounts spread over all of them', () => {
    expect(shardOf('acct-1')).toBe(shardOf('acct-1'));
    expect(allShards()).toHaveLength(MONTHLY_SHARDS);
    const counts = new Map<string, number>();
    for (let i = 0; i < 64_000; i++) {
      const shard = shardOf(`account-${i}`);
      expect(shard).toMatch(/^(0\d|[1-5]\d|6[0-3])$/);
      counts.set(shard, (counts.get(shard) ?? 0) + 1);
    }
    expect(counts.size).toBe(64);
    // Even enough that no shard takes more than 1.25× its share (hot partitions, long tails).
    expect(Math.max(...counts.values())).toBeLessThan(1_250);
    expect(Math.min(...counts.values())).toBeGreaterThan(750);
  });

  it('R31 a shard’s accounts spread over its eight counter items, each account always the same one', () => {
    const perShard = new Map<string, Map<number, number>>();
    for (let i = 0; i < 64_000; i++) {
      const id = `account-${i}`;
      const slot = counterSlotOf(id);
      expect(slot).toBe(counterSlotOf(id));
      expect(Number.isInteger(slot) && slot >= 0 && slot < COUNTER_SLOTS).toBe(true);
      const slots = perShard.get(shardOf(id)) ?? new Map<number, number>();
      slots.set(slot, (slots.get(slot) ?? 0) + 1);
      perShard.set(shardOf(id), slots);
    }
    // Independent of the shard: every shard uses every slot, none much more than its share (125).
    for (const slots of perShard.values()) {
      expect(slots.size).toBe(COUNTER_SLOTS);
      expect(Math.max(...slots.values())).toBeLessThan(190);
    }
  });

  it('R31 the run invoices the China month of its run time unless a month is asked for', () => {
    // 2026-11-09T16:30Z is 00:30 on the 10th in Shanghai; 2026-10-31T16:30Z is already November there.
    expect(monthOfRun(undefined, new Date('2026-11-10T01:00:00Z'))).toBe('2026-11');
    expect(monthOfRun('', new Date('2026-10-31T16:30:00Z'))).toBe('2026-11');
    expect(monthOfRun('2031-01', new Date('2026-11-10T01:00:00Z'))).toBe('2031-01');
    expect(() => monthOfRun('2031-13', new Date())).toThrow(/YYYY-MM/);
    expect(runIdOf('2026-11')).toBe('monthly-2026-11');
  });

  it('R31 broken settings are skips; a conflict is retried', () => {
    expect(isSkip(new NotFoundError('No invoice title x.'))).toBe(true);
    expect(isSkip(new TitleNotApprovedError('pending'))).toBe(true);
    expect(isSkip(new ConflictError('again'))).toBe(false);
    expect(isSkip(new Error('network'))).toBe(false);
  });

  it('R31 the run totals are the sum of the shard counters', () => {
    expect(
      sumCounters([
        { processed: 3, created: 2, createdAmount: 500, skipped: 1, skippedByReason: { NOT_FOUND: 1 } },
        {
          processed: 2,
          created: 0,
          createdAmount: 0,
          skipped: 2,
          skippedByReason: { NOT_FOUND: 1, AMOUNT_EXCEEDS_INVOICEABLE: 1 },
        },
      ]),
    ).toEqual({
      processed: 5,
      created: 2,
      createdAmount: 500,
      skipped: 3,
      skippedByReason: { NOT_FOUND: 2, AMOUNT_EXCEEDS_INVOICEABLE: 1 },
    });
  });

  it('R31 the account view shows settings only when on and complete', () => {
    const delivery = { medium: 'electronic' as const, email: 'a@example.com' };
    expect(autoInvoicingView(undefined)).toEqual({ enabled: false });
    expect(autoInvoicingView({ enabled: false, titleId: 't', delivery })).toEqual({ enabled: false });
    expect(autoInvoicingView({ enabled: true, titleId: 't', delivery })).toEqual({
      enabled: true,
      titleId: 't',
      delivery,
    });
  });
});

describe('monthlyRunDue (issue 16): when the month’s run should be completed', () => {
  it.each([
    ['2026-12-10T09:59:59.999Z', undefined], // 17:59:59.999 China time on the 10th
    ['2026-12-10T10:00:00.000Z', '2026-12'], // 18:00 China time
    ['2026-12-31T15:59:59.000Z', '2026-12'], // 23:59:59 on the 31st
    ['2026-12-31T16:00:00.000Z', undefined], // 00:00 on 1 January: the new month's run is not due yet
    ['2026-12-09T23:00:00.000Z', undefined], // 07:00 on the 10th
    ['2026-12-03T12:00:00.000Z', undefined],
  ])('at %s: %s', (instant, month) => {
    expect(monthlyRunDue(new Date(instant))).toBe(month);
  });
});
