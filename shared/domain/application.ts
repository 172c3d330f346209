import type { BillingRecord } from '#domain/billing-record';
import { AmountExceedsInvoiceableError } from '#domain/errors';
import { type Fen, parseTaxRate, splitTaxInclusive, sumFen } from '#domain/money';
import type { TitleSnapshot } from '#domain/title';

export type ApplicationMode = 'orders' | 'bills' | 'amount';
export type ApplicationStatus =
  | 'submitted'
  | 'in-review'
  | 'issuing'
  | 'issued'
  | 'shipped'
  | 'delivered'
  | 'rejected'
  | 'cancelled'
  | 'failed';

export type Delivery =
  | { medium: 'electronic'; email: string }
  | { medium: 'paper'; addressId: string; email?: string };

/** Cash of one record committed to one application. */
export interface Allocation {
  recordId: string;
  entity: string;
  taxRate: string;
  period: string;
  amount: Fen;
}

export interface InvoiceLine {
  itemName: string;
  specification: string;
  total: Fen;
  amountExcludingTax: Fen;
  taxAmount: Fen;
}

export interface PlannedInvoice {
  invoiceId: string;
  entity: string;
  taxRate: string;
  amount: Fen;
  amountExcludingTax: Fen;
  taxAmount: Fen;
  lines: InvoiceLine[];
  recordIds: string[];
}

export interface TimelineEntry {
  at: string;
  status: ApplicationStatus;
  note?: string;
}

export interface Application {
  applicationId: string;
  accountId: string;
  status: ApplicationStatus;
  mode: ApplicationMode;
  total: Fen;
  invoices: PlannedInvoice[];
  allocations: Allocation[];
  title: TitleSnapshot;
  delivery: Delivery;
  submittedAt: string;
  cancellableUntil: string;
  expectedBy: string;
  timeline: TimelineEntry[];
  /** Set when the e-mail carrying the invoices went out: a retried delivery sends nothing. */
  emailedAt?: string;
  failureReason?: string;
  /** While in review: the token that resumes the workflow with finance's decision. */
  reviewTaskToken?: string;
}

export const TERMINAL_STATUSES: ReadonlySet<ApplicationStatus> = new Set([
  'delivered',
  'rejected',
  'cancelled',
  'failed',
]);

/**
 * "By amount" (R14): draws the amount from the eligible records, oldest payment first, taking
 * each record whole until the last, which is taken in part. Deterministic for a given ledger.
 */
export function allocateAmount(eligibleOldestFirst: readonly BillingRecord[], amount: Fen): Allocation[] {
  const allocations: Allocation[] = [];
  let remaining = amount;
  for (const record of eligibleOldestFirst) {
    if (remaining === 0) break;
    const taken = Math.min(remaining, record.availableAmount);
    if (taken <= 0) continue;
    allocations.push(toAllocation(record, taken));
    remaining -= taken;
  }
  if (remaining > 0) {
    throw new AmountExceedsInvoiceableError(`The amount exceeds the invoiceable amount by ${remaining} fen.`);
  }
  return allocations;
}

export function toAllocation(record: BillingRecord, amount: Fen): Allocation {
  return {
    recordId: record.recordId,
    entity: record.entity,
    taxRate: record.taxRate,
    period: record.period,
    amount,
  };
}

export const SERVICE_ITEM_NAME = '*信息技术服务*云服务费';

/**
 * One invoice per (invoicing entity, tax rate) (R17), one line per consumption month.
 * Tax is computed per line on the tax-inclusive amount (half up, see money.ts) and an
 * invoice's tax is the sum of its lines', so the lines always add up to the invoice.
 */
export function splitIntoInvoices(
  allocations: readonly Allocation[],
  newInvoiceId: () => string,
): PlannedInvoice[] {
  const byGroup = new Map<string, Allocation[]>();
  for (const allocation of allocations) {
    const key = `${allocation.entity}|${allocation.taxRate}`;
    byGroup.set(key, [...(byGroup.get(key) ?? []), allocation]);
  }
  const keys = [...byGroup.keys()].sort();
  return keys.map((key) => {
    const group = byGroup.get(key)!;
    const first = group[0]!;
    const rateBp = parseTaxRate(first.taxRate);
    const byPeriod = new Map<string, Fen>();
    for (const a of group) byPeriod.set(a.period, (byPeriod.get(a.period) ?? 0) + a.amount);
    const lines = [...byPeriod.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(
        ([period, total]): InvoiceLine => ({
          itemName: SERVICE_ITEM_NAME,
          specification: period,
          total,
          ...splitTaxInclusive(total, rateBp),
        }),
      );
    return {
      invoiceId: newInvoiceId(),
      entity: first.entity,
      taxRate: first.taxRate,
      amount: sumFen(lines.map((l) => l.total)),
      amountExcludingTax: sumFen(lines.map((l) => l.amountExcludingTax)),
      taxAmount: sumFen(lines.map((l) => l.taxAmount)),
      lines,
      recordIds: [...new Set(group.map((a) => a.recordId))],
    };
  });
}

/** Only these moves are allowed; a workflow step that finds another status does nothing. */
const TRANSITIONS: Record<ApplicationStatus, readonly ApplicationStatus[]> = {
  submitted: ['in-review', 'issuing', 'cancelled', 'failed'],
  'in-review': ['issuing', 'rejected', 'cancelled', 'failed'],
  issuing: ['issued', 'failed'],
  issued: ['shipped', 'delivered'],
  shipped: ['delivered'],
  delivered: [],
  rejected: [],
  cancelled: [],
  failed: [],
};

export function canTransition(from: ApplicationStatus, to: ApplicationStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The states in which the application may still move from `to`'s predecessors. */
export function predecessorsOf(to: ApplicationStatus): ApplicationStatus[] {
  return (Object.keys(TRANSITIONS) as ApplicationStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}
