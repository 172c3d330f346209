import { expect } from 'vitest';

/** Invariant 1 on every record: invoiced + reserved + available = cash, none below zero. */
export function expectLedgerExact(records: Record<string, any>[]): void {
  for (const r of records) {
    expect(r.reservedAmount, r.recordId).toBeGreaterThanOrEqual(0);
    expect(r.invoicedAmount, r.recordId).toBeGreaterThanOrEqual(0);
    expect(r.availableAmount, r.recordId).toBeGreaterThanOrEqual(0);
    expect(r.invoicedAmount + r.reservedAmount + r.availableAmount, r.recordId).toBe(r.cashAmount);
  }
}
