import { type BillingRecord, describeRecord, NEGATIVE_KINDS } from '#domain/billing-record';
import {
  AmountExceedsInvoiceableError,
  ArrearsOutstandingError,
  CancelWindowClosedError,
  NegativeRecordAloneError,
  NotFoundError,
  RecordNotInvoiceableError,
} from '#domain/errors';
import type { Invoiceable } from '#domain/invoiceable';
import type { AddressBounce } from '#domain/mail-feedback';
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
  /** The record's account when it is not the application's (R32 consolidated applications). */
  accountId?: string;
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
  /** Issue 14: mail to the delivery e-mail bounced or drew a complaint. */
  deliveryBounce?: AddressBounce;
  /** While in review: the token that resumes the workflow with finance's decision. */
  reviewTaskToken?: string;
  /**
   * The correlation id of the request that created it (issue 16): carried into its workflow,
   * its e-mails, its audit entries and every log line about it. Absent on older applications
   * and on those created outside a request; the applicationId stands in then.
   */
  correlationId?: string;
}

export const TERMINAL_STATUSES: ReadonlySet<ApplicationStatus> = new Set([
  'delivered',
  'rejected',
  'cancelled',
  'failed',
]);

/**
 * "By amount" (R14): draws the amount from the eligible records, oldest payment first (then by
 * record id), deterministic for a given ledger. An order is taken whole while the amount lasts
 * and the last one drawn may be taken in part; a monthly bill is taken whole or not at all
 * (R15: a statement is never split across applications), so a bill larger than what is left to
 * draw is skipped and drawing goes on with the next record.
 */
export function allocateAmount(eligibleOldestFirst: readonly BillingRecord[], amount: Fen): Allocation[] {
  const allocations: Allocation[] = [];
  let remaining = amount;
  for (const record of eligibleOldestFirst) {
    if (remaining === 0) break;
    if (record.availableAmount <= 0) continue;
    if (record.kind === 'monthly-bill' && record.availableAmount > remaining) continue;
    const taken = Math.min(remaining, record.availableAmount);
    allocations.push(toAllocation(record, taken));
    remaining -= taken;
  }
  if (remaining > 0) {
    throw new AmountExceedsInvoiceableError(
      `The amount exceeds what can be drawn by ${remaining} fen (monthly bills are only taken whole).`,
    );
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

/** What the customer asked for: the mode and its selection, under one title. */
export interface SelectionRequest {
  mode: ApplicationMode;
  recordIds?: readonly string[];
  amount?: Fen;
  titleId: string;
}

/**
 * R16: one payment is invoiced under one title only. A record remembers the title of the
 * application that last reserved it (`titleId`, written with the reservation); while any of
 * it is reserved or invoiced, no other title may take the rest. Once nothing is reserved or
 * invoiced (cancelled, failed, or fully returned with a red-letter invoice), the binding lapses.
 */
export function isBoundToAnotherTitle(
  record: Pick<BillingRecord, 'reservedAmount' | 'invoicedAmount'> & { titleId?: string },
  titleId: string,
): boolean {
  if (record.reservedAmount <= 0 && record.invoicedAmount <= 0) return false;
  return record.titleId !== undefined && record.titleId !== titleId;
}

/**
 * The allocations an application would reserve (R7, R12, R14–R16), or the error that explains
 * why not. Pure: create and preview call it on the same ledger and get the same answer.
 *
 * - `orders` takes each selected order whole (what is left of it after its negatives and what
 *   is already invoiced); a selected negative comes with its parent, never alone.
 * - `bills` takes whole monthly statements (R15); one application may cover several months.
 * - `amount` draws the amount oldest first (see allocateAmount), leaving out records bound to
 *   another title (R16).
 * The total may not exceed the invoiceable amount, which already has arrears (R12, offset
 * policy) and any deficit (R13) taken off.
 */
export function allocateSelection(
  request: SelectionRequest,
  records: readonly BillingRecord[],
  invoiceable: Pick<Invoiceable<BillingRecord>, 'amount' | 'eligible'>,
  arrears: Fen,
  now: Date,
): Allocation[] {
  if (request.mode === 'amount') {
    if (invoiceable.amount <= 0) {
      if (arrears > 0) {
        throw new ArrearsOutstandingError(
          `The account owes ${arrears} fen, which is more than is invoiceable; nothing can be invoiced until it is paid.`,
        );
      }
      throw new AmountExceedsInvoiceableError('Nothing is invoiceable right now.');
    }
    const amount = request.amount ?? 0;
    if (amount > invoiceable.amount) {
      throw new AmountExceedsInvoiceableError(
        `At most ${invoiceable.amount} fen is invoiceable; ${amount} fen was asked for.`,
      );
    }
    const free = invoiceable.eligible.filter((r) => !isBoundToAnotherTitle(r, request.titleId));
    return allocateAmount(free, amount);
  }
  const allocations = selectRecords(request, records, now);
  const total = sumFen(allocations.map((a) => a.amount));
  if (total > invoiceable.amount) {
    if (arrears > 0) {
      throw new ArrearsOutstandingError(
        `While ${arrears} fen is owed, at most ${invoiceable.amount} fen can be invoiced; the selection is ${total} fen.`,
      );
    }
    throw new AmountExceedsInvoiceableError(
      `At most ${invoiceable.amount} fen is invoiceable (a deficit must be covered first); the selection is ${total} fen.`,
    );
  }
  return allocations;
}

function selectRecords(
  request: SelectionRequest,
  records: readonly BillingRecord[],
  now: Date,
): Allocation[] {
  const byId = new Map(records.map((r) => [r.recordId, r]));
  const selected = new Set(request.recordIds ?? []);
  const allocations: Allocation[] = [];
  for (const recordId of selected) {
    const record = byId.get(recordId);
    if (!record) throw new NotFoundError(`No billing record ${recordId}.`);
    if (NEGATIVE_KINDS.has(record.kind)) {
      // Its amount is already taken off its parent's; it adds nothing of its own.
      if (record.parentRecordId !== undefined && selected.has(record.parentRecordId)) continue;
      throw new NegativeRecordAloneError(
        `Record ${recordId} is a ${record.kind}; select its original record ${record.parentRecordId} instead.`,
      );
    }
    if (request.mode === 'bills' && record.kind !== 'monthly-bill') {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is not a monthly bill; use mode "orders" for it.`,
      );
    }
    if (request.mode === 'orders' && record.kind === 'monthly-bill') {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is a monthly bill; monthly bills are invoiced whole with mode "bills".`,
      );
    }
    const view = describeRecord(record, now);
    if (view.status !== 'invoiceable') {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is not invoiceable (${view.notInvoiceableReason}).`,
      );
    }
    if (request.mode === 'bills' && (record.reservedAmount > 0 || record.invoicedAmount > 0)) {
      // A statement partly taken (by an amount before R15 applied to it) is never split further.
      throw new RecordNotInvoiceableError(
        `Monthly bill ${recordId} is already partly invoiced; a statement is never split (R15).`,
      );
    }
    if (isBoundToAnotherTitle(record, request.titleId)) {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is already (partly) invoiced under another title; one payment is invoiced under one title only (R16).`,
      );
    }
    allocations.push(toAllocation(record, record.availableAmount));
  }
  return allocations;
}

/**
 * R24: the customer may cancel until the deadline shown (24:00 Asia/Shanghai of the submission
 * day, or the configured window), and only before issuing starts. A repeated cancel of a
 * cancelled application is not an error (the caller answers it as it stands).
 */
export function assertCancellable(
  application: Pick<Application, 'status' | 'cancellableUntil'>,
  now: Date,
): void {
  if (application.status !== 'submitted' && application.status !== 'in-review') {
    throw new CancelWindowClosedError(
      `The application is ${application.status}; it can only be cancelled before issuing starts.`,
    );
  }
  if (now.getTime() > Date.parse(application.cancellableUntil)) {
    throw new CancelWindowClosedError(
      `The cancellation deadline (${application.cancellableUntil}) has passed.`,
    );
  }
}
