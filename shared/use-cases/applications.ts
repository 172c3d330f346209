import { createHash, randomUUID } from 'node:crypto';
import { getAccount } from '#adapters/account-repository';
import {
  getIdempotency,
  markWorkflowStarted,
  createApplication as storeApplication,
} from '#adapters/application-repository';
import { logger } from '#adapters/logger';
import { listAllRecords } from '#adapters/record-repository';
import { getTitle } from '#adapters/title-repository';
import { startApplicationWorkflow } from '#adapters/workflow-client';
import { settings } from '#config/settings';
import { type Account, assertMayApply } from '#domain/account';
import {
  type Allocation,
  type Application,
  allocateAmount,
  type Delivery,
  splitIntoInvoices,
  toAllocation,
} from '#domain/application';
import { type BillingRecord, describeRecord, NEGATIVE_KINDS } from '#domain/billing-record';
import { addWorkingDays, endOfShanghaiDay, parseIsoDuration } from '#domain/calendar';
import {
  AmountExceedsInvoiceableError,
  ArrearsOutstandingError,
  ConflictError,
  DeliveryRequiredError,
  IdempotencyKeyReusedError,
  NegativeRecordAloneError,
  NotFoundError,
  PaperNotAvailableError,
  RealNameRequiredError,
  RecordNotInvoiceableError,
  TitleNotApprovedError,
  TitleTypeNotAllowedError,
} from '#domain/errors';
import { computeInvoiceable, type Invoiceable } from '#domain/invoiceable';
import { sumFen } from '#domain/money';
import { isAllowedFor, snapshotTitle, type Title } from '#domain/title';
import type { CreateApplicationBody } from '#schemas/applications';
import { applicationView } from '#use-cases/views';

const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
const MAX_CONFLICT_RETRIES = 3;

export interface CreateResult {
  statusCode: number;
  body: unknown;
}

/**
 * Accepts an application (R4, R7, R12, R14–R19, R23, R24): checks who may apply and with
 * what, allocates and splits, reserves atomically, then starts the workflow. A concurrent
 * change of the same ledger is retried from a fresh read a few times before answering 409.
 */
export async function createApplication(
  accountId: string,
  body: CreateApplicationBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<CreateResult> {
  const requestHash = hashRequest(body);
  if (idempotencyKey) {
    const previous = await replay(accountId, idempotencyKey, requestHash);
    if (previous) return previous;
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await acceptOnce(accountId, body, idempotencyKey, requestHash, now);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (idempotencyKey) {
        // The same key may have won the race: answer with its response.
        const previous = await replay(accountId, idempotencyKey, requestHash);
        if (previous) return previous;
      }
      if (attempt >= MAX_CONFLICT_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
    }
  }
}

async function replay(
  accountId: string,
  key: string,
  requestHash: string,
): Promise<CreateResult | undefined> {
  const stored = await getIdempotency(accountId, key);
  if (!stored) return undefined;
  if (stored.requestHash !== requestHash) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used with a different request body.');
  }
  return { statusCode: stored.statusCode, body: stored.body };
}

async function acceptOnce(
  accountId: string,
  body: CreateApplicationBody,
  idempotencyKey: string | undefined,
  requestHash: string,
  now: Date,
): Promise<CreateResult> {
  const { account, title, delivery, allocations } = await prepare(accountId, body, now);
  const applicationId = `app_${randomUUID()}`;
  const invoices = splitIntoInvoices(allocations, () => `inv_${randomUUID()}`);
  const submittedAt = now.toISOString();
  const cancelWindow = settings.cancelWindow();
  const cancellableUntil =
    cancelWindow === 'end-of-day'
      ? endOfShanghaiDay(now)
      : new Date(now.getTime() + parseIsoDuration(cancelWindow));
  const application: Application = {
    applicationId,
    accountId,
    status: 'submitted',
    mode: body.mode,
    total: sumFen(invoices.map((i) => i.amount)),
    invoices,
    allocations,
    title: snapshotTitle(title),
    delivery,
    submittedAt,
    cancellableUntil: cancellableUntil.toISOString(),
    expectedBy: addWorkingDays(now, settings.expectedWorkingDays()).toISOString(),
    timeline: [{ at: submittedAt, status: 'submitted' }],
  };
  const view = applicationView(application);
  await storeApplication({
    application,
    ledgerVersion: account.ledgerVersion,
    lastUsed: { titleId: title.titleId, delivery },
    idempotency: idempotencyKey
      ? {
          key: idempotencyKey,
          requestHash,
          statusCode: 201,
          body: view,
          expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
        }
      : undefined,
  });
  logger.info('application accepted', { applicationId, total: application.total, invoices: invoices.length });
  try {
    await startApplicationWorkflow({ applicationId, accountId, waitUntil: application.cancellableUntil });
    await markWorkflowStarted(applicationId);
  } catch (error) {
    // Accepted is accepted: the application stays flagged as pending and the sweeper starts it.
    logger.error('workflow start failed; left for the sweeper', { applicationId, error: error as Error });
  }
  return { statusCode: 201, body: view };
}

/** Everything create and preview share: the checks, in the order a customer would fix them. */
export async function prepare(accountId: string, body: CreateApplicationBody, now: Date) {
  const account = await getAccount(accountId);
  if (!account) throw new RealNameRequiredError('This account has no verified profile yet.');
  assertMayApply(account);
  const policy = settings.arrearsPolicy();
  if (policy === 'block' && account.arrears > 0) {
    throw new ArrearsOutstandingError(
      `The account owes ${account.arrears} fen; pay the arrears before applying.`,
    );
  }
  const title = await getTitle(accountId, body.titleId);
  if (!title) throw new NotFoundError(`No invoice title ${body.titleId}.`);
  checkTitle(account, title);
  const delivery = checkDelivery(body, title);
  const records = await listAllRecords(accountId);
  const invoiceable = computeInvoiceable(records, account.arrears, policy, now);
  const allocations = allocate(body, records, invoiceable, account, now);
  return { account, title, delivery, allocations, invoiceable };
}

function checkTitle(account: Account, title: Title): void {
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

function checkDelivery(body: CreateApplicationBody, title: Title): Delivery {
  const { delivery } = body;
  if (delivery.medium === 'electronic') {
    if (!delivery.email)
      throw new DeliveryRequiredError('Electronic invoices need an e-mail address to deliver to.');
    return { medium: 'electronic', email: delivery.email };
  }
  const paper = settings.paperInvoices();
  if (paper === 'none' || title.type !== 'enterprise-special') {
    throw new PaperNotAvailableError('Paper invoices are only available for special VAT invoices.');
  }
  if (!delivery.addressId) throw new DeliveryRequiredError('Paper invoices need a saved mailing address.');
  return { medium: 'paper', addressId: delivery.addressId, email: delivery.email };
}

function allocate(
  body: CreateApplicationBody,
  records: readonly BillingRecord[],
  invoiceable: Invoiceable,
  account: Account,
  now: Date,
): Allocation[] {
  if (invoiceable.amount <= 0) {
    if (account.arrears > 0) throw new ArrearsOutstandingError('The arrears exceed what is invoiceable.');
    throw new AmountExceedsInvoiceableError('Nothing is invoiceable right now.');
  }
  if (body.mode === 'amount') {
    if (body.amount! > invoiceable.amount) {
      throw new AmountExceedsInvoiceableError(
        `At most ${invoiceable.amount} fen is invoiceable; ${body.amount} fen was asked for.`,
      );
    }
    return allocateAmount(invoiceable.eligible, body.amount!);
  }
  const allocations = selectRecords(body, records, now);
  const total = sumFen(allocations.map((a) => a.amount));
  if (total > invoiceable.amount) {
    if (account.arrears > 0) {
      throw new ArrearsOutstandingError(
        `While ${account.arrears} fen is owed, at most ${invoiceable.amount} fen can be invoiced; the selection is ${total} fen.`,
      );
    }
    throw new AmountExceedsInvoiceableError(
      `At most ${invoiceable.amount} fen is invoiceable (a deficit must be covered first); the selection is ${total} fen.`,
    );
  }
  return allocations;
}

/**
 * "By orders" and "by monthly bill" (R7, R14, R15): each selected record is taken whole; its
 * negatives come along through its available amount. Bills select whole monthly statements.
 */
function selectRecords(
  body: CreateApplicationBody,
  records: readonly BillingRecord[],
  now: Date,
): Allocation[] {
  const byId = new Map(records.map((r) => [r.recordId, r]));
  const allocations: Allocation[] = [];
  for (const recordId of new Set(body.recordIds)) {
    const record = byId.get(recordId);
    if (!record) throw new NotFoundError(`No billing record ${recordId}.`);
    if (NEGATIVE_KINDS.has(record.kind)) {
      if (body.recordIds!.includes(record.parentRecordId!)) continue;
      throw new NegativeRecordAloneError(
        `Record ${recordId} is a ${record.kind}; select its original record ${record.parentRecordId} instead.`,
      );
    }
    if (body.mode === 'bills' && record.kind !== 'monthly-bill') {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is not a monthly bill; use mode "orders" for it.`,
      );
    }
    if (body.mode === 'orders' && record.kind === 'monthly-bill') {
      throw new RecordNotInvoiceableError(`Record ${recordId} is a monthly bill; use mode "bills" for it.`);
    }
    const view = describeRecord(record, now);
    if (view.status !== 'invoiceable') {
      throw new RecordNotInvoiceableError(
        `Record ${recordId} is not invoiceable (${view.notInvoiceableReason}).`,
      );
    }
    allocations.push(toAllocation(record, record.availableAmount));
  }
  return allocations;
}

function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
