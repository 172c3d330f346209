import { advanceApplication, getApplication } from '#adapters/application-repository';
import { keys } from '#adapters/dynamodb';
import {
  getInvoice,
  invoicesIssuedBetween,
  listInvoicesOf,
  markDelivered,
} from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { getReturn } from '#adapters/return-repository';
import { endOfShanghaiDay, shanghaiDate, toShanghaiIso } from '#domain/calendar';
import { ConflictError, NotFoundError, ValidationError } from '#domain/errors';
import { invoiceDetailsCsv } from '#domain/invoice-export';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { allReached } from '#domain/lifecycle';
import { CursorId, CursorTimeKey, cursorCodec } from '#schemas/cursor';
import type { ExportQuery, ListInvoicesQuery } from '#schemas/invoices';
import * as z from '#schemas/zod';
import { currentPaperStockNotice } from '#use-cases/paper-stock-notice';
import { invoiceView, returnView } from '#use-cases/views';

const DEFAULT_PAGE = 20;
const DEFAULT_EXPORT_DAYS = 90;
const DAY_MS = 86_400_000;

export async function ownInvoice(accountId: string, invoiceId: string): Promise<IssuedInvoice> {
  const invoice = await getInvoice(invoiceId);
  // Another account's invoice answers as if it did not exist.
  if (!invoice || invoice.accountId !== accountId) throw new NotFoundError(`No invoice ${invoiceId}.`);
  return invoice;
}

export async function getInvoiceFor(accountId: string, invoiceId: string) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const waitingForPaper = invoice.delivery.medium === 'paper' && invoice.status === 'issued';
  const invoiceReturn = invoice.returnId ? await getReturn(invoice.returnId) : undefined;
  return {
    ...correctedInvoiceView(invoice, waitingForPaper ? await currentPaperStockNotice() : undefined),
    ...(invoiceReturn ? { return: returnView(invoiceReturn) } : {}),
  };
}

/** The invoice view with what corrections add (R34): the credited invoice, the certification. */
export function correctedInvoiceView(invoice: IssuedInvoice, notice?: Parameters<typeof invoiceView>[1]) {
  return {
    ...invoiceView(invoice, notice),
    ...(invoice.originalInvoiceId
      ? { originalInvoiceId: invoice.originalInvoiceId, originalInvoiceNumber: invoice.originalInvoiceNumber }
      : {}),
    ...(invoice.certifiedAt ? { certifiedAt: toShanghaiIso(new Date(invoice.certifiedAt)) } : {}),
  };
}

/** R29: the account's issued and red-letter invoices, newest first. */
export async function listInvoicesFor(accountId: string, query: ListInvoicesQuery) {
  const page = await listInvoicesOf(
    accountId,
    query.limit ?? DEFAULT_PAGE,
    startKey(accountId, query.cursor),
  );
  const last = page.next;
  return {
    items: page.items.map((invoice) => correctedInvoiceView(invoice)),
    ...(last
      ? {
          nextCursor: cursor.encode({
            invoiceId: String(last.pk).slice('INVOICE#'.length),
            at: String(last.gsi1sk),
          }),
        }
      : {}),
  };
}

/** Where a page stopped: the invoice and its place in the list (`<issuedAt>#<invoiceId>`). */
const cursor = cursorCodec(
  'invoices',
  z
    .object({ invoiceId: CursorId, at: CursorTimeKey })
    .check(z.refine((p) => p.at.endsWith(`#${p.invoiceId}`), 'the position names another invoice')),
);

/** The partition always comes from the caller's token, never from the cursor. */
function startKey(accountId: string, raw: string | undefined): Record<string, unknown> | undefined {
  const position = cursor.decode(raw);
  if (!position) return undefined;
  const { pk, sk } = keys.invoice(position.invoiceId);
  return { pk, sk, gsi1pk: keys.invoicesOf(accountId), gsi1sk: position.at };
}

/** R29: invoiced details of the China days [from, to] as CSV (default: the last 90 days). */
export async function exportInvoicesCsv(accountId: string, query: ExportQuery, now: Date) {
  const to = query.to ?? shanghaiDate(now);
  const from =
    query.from ?? shanghaiDate(new Date(Date.parse(`${to}T12:00:00+08:00`) - DEFAULT_EXPORT_DAYS * DAY_MS));
  if (from > to) {
    throw new ValidationError('The query does not match the schema.', [
      { path: 'query.from', message: 'must not be after to' },
    ]);
  }
  const start = new Date(`${from}T00:00:00+08:00`).toISOString();
  const end = endOfShanghaiDay(new Date(`${to}T00:00:00+08:00`)).toISOString();
  const invoices = await invoicesIssuedBetween(accountId, start, end);
  return { filename: `invoices-${from}-${to}.csv`, csv: invoiceDetailsCsv(invoices) };
}

/**
 * R27: the customer confirms a paper invoice arrived → `delivered`; the application is
 * `delivered` once all its invoices are. Repeating it answers the invoice as it stands.
 */
export async function confirmReceipt(accountId: string, invoiceId: string, now: Date) {
  const invoice = await ownInvoice(accountId, invoiceId);
  if (invoice.status === 'delivered') return invoiceView(invoice);
  if (invoice.delivery.medium !== 'paper' || invoice.status !== 'shipped') {
    throw new ConflictError(
      `Invoice ${invoiceId} is ${invoice.status}; only a shipped paper invoice can be received.`,
    );
  }
  const delivered = (await markDelivered(invoiceId, now.toISOString())) ?? (await getInvoice(invoiceId));
  if (delivered?.status !== 'delivered')
    throw new ConflictError(`Invoice ${invoiceId} changed meanwhile; retry.`);
  const application = await getApplication(invoice.applicationId);
  if (application) {
    const all = await Promise.all(application.invoices.map((i) => getInvoice(i.invoiceId)));
    if (
      allReached(
        all.filter((i) => i !== undefined),
        ['delivered'],
      ) &&
      all.every((i) => i !== undefined)
    ) {
      await advanceApplication(application.applicationId, ['issued', 'shipped'], 'delivered', {
        at: now.toISOString(),
        status: 'delivered',
        note: 'receipt confirmed',
      });
    }
  }
  logger.info('receipt confirmed', { invoiceId });
  return invoiceView(delivered);
}
