import { randomUUID } from 'node:crypto';
import {
  type CopyRequest,
  getCopyRequest,
  listOpenCopyRequestsPage,
  markCopySent,
  openCopyRequest,
} from '#adapters/copy-request-repository';
import { keys } from '#adapters/dynamodb';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { actorOf, changeStamp } from '#domain/audit';
import { toShanghaiIso } from '#domain/calendar';
import { ConflictError, NotFoundError } from '#domain/errors';
import { copySentEmail } from '#domain/return-notifications';
import type { Principal } from '#http/principal';
import { CursorKeyPart, CursorTimeKey, cursorCodec } from '#schemas/cursor';
import type { CopyRequestQuery } from '#schemas/returns';
import * as z from '#schemas/zod';
import { ownInvoice } from '#use-cases/invoices';
import { languageOf, links, sendOnce } from '#use-cases/workflow/notify';

const DEFAULT_PAGE = 20;

function copyRequestView(request: CopyRequest, forStaff = false) {
  return {
    requestId: request.requestId,
    invoiceId: request.invoiceId,
    invoiceNumber: request.invoiceNumber,
    ...(forStaff ? { accountId: request.accountId } : {}),
    status: request.status,
    requestedAt: toShanghaiIso(new Date(request.requestedAt)),
    ...(request.sentAt ? { sentAt: toShanghaiIso(new Date(request.sentAt)) } : {}),
    ...(request.email ? { email: request.email } : {}),
  };
}

/** R35: the customer lost an invoice and asks for a stamped copy; repeating it while open answers the open one. */
export async function requestCopy(accountId: string, invoiceId: string, now: Date) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const request = await openCopyRequest({
    requestId: `copy-${randomUUID()}`,
    invoiceId,
    invoiceNumber: invoice.invoiceNumber,
    accountId,
    status: 'open',
    requestedAt: now.toISOString(),
    ...(invoice.delivery.email ? { email: invoice.delivery.email } : {}),
  });
  logger.info('copy requested', { invoiceId, requestId: request.requestId });
  return copyRequestView(request);
}

/** Finance staff: the open copy requests, oldest first. */
export async function listOpenCopyRequests(query: CopyRequestQuery) {
  const page = await listOpenCopyRequestsPage(query.limit ?? DEFAULT_PAGE, cursor.decode(query.cursor));
  return {
    items: page.items.map((r) => copyRequestView(r, true)),
    ...(page.next ? { nextCursor: cursor.encode(page.next as z.infer<typeof CopyPosition>) } : {}),
  };
}

/** Where a page of the open requests stopped: the request's table key and its place in the queue. */
const CopyPosition = z.object({
  pk: CursorKeyPart,
  sk: CursorKeyPart,
  gsi2pk: z.literal(keys.openCopyRequests),
  gsi2sk: CursorTimeKey,
});
const cursor = cursorCodec('copy-requests', CopyPosition);

/**
 * R35: finance staff sent the stamped copy; the customer is e-mailed (zh/en), once per request.
 * Repeating it after the request is closed sends nothing more and answers the request.
 */
export async function recordCopySent(principal: Principal, invoiceId: string, now: Date) {
  const invoice = await getInvoice(invoiceId);
  if (!invoice) throw new NotFoundError(`No invoice ${invoiceId}.`);
  const request = await getCopyRequest(invoiceId);
  if (!request) throw new ConflictError(`Invoice ${invoiceId} has no copy request.`);
  const sent =
    request.status === 'open'
      ? await markCopySent(invoiceId, request.requestId, changeStamp(actorOf(principal), now))
      : request;
  if (!sent) throw new ConflictError(`The copy request of invoice ${invoiceId} changed meanwhile; retry.`);
  if (sent.email) {
    await sendOnce(
      keys.copyRequest(invoiceId),
      `copy-sent#${sent.requestId}`,
      sent.email,
      copySentEmail(await languageOf(invoice.accountId), invoice, links()),
      { accountId: invoice.accountId },
    );
  }
  logger.info('copy sent', { invoiceId, requestId: sent.requestId });
  return copyRequestView(sent, true);
}
