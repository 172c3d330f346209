import { applicantKeys, applicantStateOf } from '#adapters/applicant-state';
import { keys, readItems } from '#adapters/dynamodb';
import { readLedger, type StoredAggregates } from '#adapters/ledger-aggregates-read';
import { getRecords, readOpenRecords } from '#adapters/record-repository';
import * as settings from '#config/settings';
import { type Account, assertMayApply } from '#domain/account';
import {
  type Allocation,
  allocateSelection,
  type Delivery,
  isBoundToAnotherTitle,
  type SelectionRequest,
  splitIntoInvoices,
} from '#domain/application';
import { type BillingRecord, isEligible } from '#domain/billing-record';
import {
  AmountExceedsInvoiceableError,
  ArrearsOutstandingError,
  ConflictError,
  DeliveryRequiredError,
  NotFoundError,
  PaperNotAvailableError,
  RealNameRequiredError,
  TitleNotApprovedError,
  TitleTypeNotAllowedError,
} from '#domain/errors';
import { oldestFirst } from '#domain/invoiceable';
import { sumFen } from '#domain/money';
import { isAllowedFor, type Title } from '#domain/title';
import type { ApplicationPreview, CreateApplicationBody } from '#schemas/applications';
import { invoiceableFrom } from '#use-cases/ledger';

export interface ApplicationPlan {
  account: Account;
  title: Title;
  delivery: Delivery;
  allocations: Allocation[];
  /** Records whose allocation takes everything they had available as read (see reserve). */
  whole?: ReadonlySet<string>;
}

/**
 * Everything create and preview share: the checks, in the order a customer would fix them
 * (who applies R1 R3, arrears under `block` R12, the title R2 R21, the delivery target R4 R23,
 * then the selection R7 R12 R14–R16), and the allocations. Reads only.
 */
export async function planApplication(
  accountId: string,
  body: CreateApplicationBody,
  now: Date,
  /**
   * The profile and the ledger aggregates as the caller has just read them (strongly
   * consistent; the monthly run reads them to decide whether to ask at all): not read again.
   * The accepting transaction still holds them to the ledger version they were read at.
   */
  known?: { account: Account; aggregates: StoredAggregates },
): Promise<ApplicationPlan> {
  const paperAddress = body.delivery.medium === 'paper' ? body.delivery.addressId : undefined;
  // Amount mode reads the oldest open records at once: what the asked amount needs (more than
  // the invoiceable amount is refused anyway), under the title asked for (checked below).
  const others = applicantKeys(accountId, body.titleId, paperAddress);
  const [{ aggregates, items }, oldest] = await Promise.all([
    known
      ? readItems(others).then((items) => ({ aggregates: known.aggregates, items }))
      : readLedger(accountId, now, [keys.account(accountId), ...others]),
    body.mode === 'amount'
      ? oldestDrawable(accountId, body.titleId, body.amount ?? 0, now, 1_000)
      : undefined,
  ]);
  const read = applicantStateOf(items, accountId, body.titleId, paperAddress);
  const account = known?.account ?? read.account;
  const { title, addressSaved } = read;
  if (!account) throw new RealNameRequiredError('This account has no verified profile yet.');
  assertMayApply(account);
  const policy = settings.arrearsPolicy();
  if (policy === 'block' && account.arrears > 0) {
    throw new ArrearsOutstandingError(
      `The account owes ${account.arrears} fen; pay the arrears before applying.`,
    );
  }
  if (!title) throw new NotFoundError(`No invoice title ${body.titleId}.`);
  checkTitle(account, title);
  const delivery = checkDelivery(body, title, addressSaved);
  const { amount } = await invoiceableFrom(accountId, { account }, aggregates, now);
  const request = { mode: body.mode, recordIds: body.recordIds, amount: body.amount, titleId: title.titleId };
  // More than a thousand records by amount: read on with the amount that can be drawn at most.
  const selected =
    body.mode === 'amount' && oldest && !oldest.cut
      ? { records: oldest.records, eligible: oldest.records }
      : await selectionRecords(accountId, request, amount, now);
  const { records } = selected;
  const allocations = allocateRead(request, selected, amount, account.arrears, now);
  const available = new Map(records.map((r) => [r.recordId, r.availableAmount]));
  const whole = new Set(
    allocations.filter((a) => available.get(a.recordId) === a.amount).map((a) => a.recordId),
  );
  return { account, title, delivery, allocations, whole };
}

/**
 * The records a selection draws on, read by what it asks for and nothing more (never the
 * account's partition): by amount, the oldest drawable open records as far as the amount (at
 * most the invoiceable amount) needs, which are also the eligible ones; by orders or bills,
 * exactly the named records, by key.
 */
export async function selectionRecords(
  accountId: string,
  request: SelectionRequest,
  invoiceable: number,
  now: Date,
): Promise<{ records: BillingRecord[]; eligible: BillingRecord[] }> {
  if (request.mode === 'amount') {
    const { records } = await oldestDrawable(
      accountId,
      request.titleId,
      Math.min(request.amount ?? 0, invoiceable),
      now,
    );
    return { records, eligible: records };
  }
  const named = await getRecords((request.recordIds ?? []).map((recordId) => ({ accountId, recordId })));
  return { records: [...named.values()], eligible: [] };
}

/**
 * allocateSelection over records read by selectionRecords. The aggregates may say an amount can
 * be drawn while the open-records index holds less than it in all (the index is eventually
 * consistent: a release moments ago): that is a ConflictError, which create retries from a
 * fresh read, not a refusal.
 */
export function allocateRead(
  request: SelectionRequest,
  read: { records: readonly BillingRecord[]; eligible: readonly BillingRecord[] },
  invoiceable: number,
  arrears: number,
  now: Date,
): Allocation[] {
  try {
    return allocateSelection(
      request,
      read.records,
      { amount: invoiceable, eligible: [...read.eligible] },
      arrears,
      now,
    );
  } catch (error) {
    const asked = request.amount ?? 0;
    const seen = read.eligible.reduce((n, r) => n + r.availableAmount, 0);
    const lagging = request.mode === 'amount' && asked <= invoiceable && seen < asked;
    if (!lagging || !(error instanceof AmountExceedsInvoiceableError)) throw error;
    throw new ConflictError('The ledger is being updated; please retry.');
  }
}

/**
 * The oldest invoiceable records not bound to another title (R14, R16), as many as drawing
 * `amount` by allocateAmount needs (monthly bills only whole, R15), oldest first: read page by
 * page from the open-records index instead of the whole account. `cut`: stopped at `most`
 * records before the amount was covered.
 */
async function oldestDrawable(
  accountId: string,
  titleId: string,
  amount: number,
  now: Date,
  most = Number.POSITIVE_INFINITY,
): Promise<{ records: BillingRecord[]; cut: boolean }> {
  let remaining = amount;
  let count = 0;
  const read = await readOpenRecords(accountId, true, (record) => {
    if (isEligible(record, now) && !isBoundToAnotherTitle(record, titleId)) {
      const take =
        record.kind === 'monthly-bill' && record.availableAmount > remaining ? 0 : record.availableAmount;
      remaining -= Math.min(remaining, take);
    }
    count++;
    return remaining <= 0 || count >= most;
  });
  return {
    records: read.filter((r) => isEligible(r, now)).sort(oldestFirst),
    cut: remaining > 0 && count >= most,
  };
}

/** R2, R21: also what monthly invoicing settings are checked with (R31). */
export function checkTitle(account: Account, title: Title): void {
  if (!isAllowedFor(account.realName.type, title.type)) {
    throw new TitleTypeNotAllowedError(
      'An account verified as an individual can only use personal ordinary titles.',
    );
  }
  if (title.status !== 'approved') {
    throw new TitleNotApprovedError(
      `The invoice title is ${title.status}; only approved titles can be used.`,
    );
  }
}

/** R4, R23: also what monthly invoicing settings are checked with (R31). */
export function checkDelivery(body: CreateApplicationBody, title: Title, addressSaved: boolean): Delivery {
  const { delivery } = body;
  if (delivery.medium === 'electronic') {
    if (!delivery.email)
      throw new DeliveryRequiredError('Electronic invoices need an e-mail address to deliver to.');
    return { medium: 'electronic', email: delivery.email };
  }
  if (settings.paperInvoices() === 'none') {
    throw new PaperNotAvailableError('Paper invoices are not offered; choose electronic delivery.');
  }
  if (title.type !== 'enterprise-special') {
    throw new PaperNotAvailableError(
      'Ordinary invoices are electronic only; paper is available for special VAT invoices.',
    );
  }
  if (!delivery.addressId) throw new DeliveryRequiredError('Paper invoices need a saved mailing address.');
  if (!addressSaved) {
    throw new DeliveryRequiredError(`No saved mailing address ${delivery.addressId}; save it first.`);
  }
  return { medium: 'paper', addressId: delivery.addressId, email: delivery.email };
}

/**
 * R18: exactly the invoices create would produce for the same body on the same ledger (split
 * by entity and tax rate, lines per month, tax per line), without writing anything.
 */
export async function previewApplication(
  accountId: string,
  body: CreateApplicationBody,
  now: Date,
): Promise<ApplicationPreview> {
  const { allocations } = await planApplication(accountId, body, now);
  const invoices = splitIntoInvoices(allocations, () => '').map(
    ({ invoiceId: _i, recordIds: _r, ...invoice }) => invoice,
  );
  return { invoices, total: sumFen(invoices.map((i) => i.amount)) };
}
