import { createHash, randomUUID } from 'node:crypto';
import { getInvoice } from '#adapters/invoice-repository';
import { correlationId, logger } from '#adapters/logger';
import {
  createReturn,
  getReturn,
  markCertified,
  markReturnWorkflowStarted,
  transitionReturn,
} from '#adapters/return-repository';
import { returnWorkflowInput, startReturnWorkflow } from '#adapters/returns-workflow-client';
import { getTitle } from '#adapters/title-repository';
import { resumeTask } from '#adapters/workflow-signal';
import { actorOf, changeStamp } from '#domain/audit';
import { ConflictError, IdempotencyKeyReusedError, NotFoundError, ValidationError } from '#domain/errors';
import type { IssuedInvoice } from '#domain/issued-invoice';
import { type InvoiceReturn, returnProblems } from '#domain/returns';
import type { Principal } from '#http/principal';
import type { ReturnBody } from '#schemas/returns';
import { correctedInvoiceView, ownInvoice } from '#use-cases/invoices';
import { returnView } from '#use-cases/views';

/**
 * R34: the customer returns an invoice. The return and the invoice's move to `returning` are
 * one conditional transaction (a second return of the invoice → 409), then the return's
 * workflow starts: [paper: wait for the invoice to arrive] → red-letter invoice → ledger
 * restored → e-mail → [reissue]; a start that fails or is never made is the sweeper's
 * (invariant 4). With an Idempotency-Key the return id is derived from it, so a repeated
 * request answers the same return.
 */
export async function requestReturn(
  accountId: string,
  invoiceId: string,
  body: ReturnBody,
  idempotencyKey: string | undefined,
  now: Date,
) {
  const invoice = await ownInvoice(accountId, invoiceId);
  const returnId = idempotencyKey
    ? `ret-${createHash('sha256').update(`${accountId}\n${idempotencyKey}`).digest('hex').slice(0, 32)}`
    : `ret-${randomUUID()}`;
  if (idempotencyKey) {
    const previous = await getReturn(returnId);
    if (previous) {
      if (previous.invoiceId !== invoiceId || requestHash(previous) !== requestHash(body))
        throw new IdempotencyKeyReusedError('This Idempotency-Key was used with another request.');
      return returnView(previous);
    }
  }
  const problems = returnProblems(invoice, body);
  if (problems.conflict) throw new ConflictError(problems.conflict);
  if (problems.errors.length > 0)
    throw new ValidationError('The return cannot be accepted as asked.', problems.errors);
  if (body.reissueTitleId && !(await getTitle(accountId, body.reissueTitleId))) {
    throw new ValidationError('The return cannot be accepted as asked.', [
      { path: 'body.reissueTitleId', message: 'is not one of your titles' },
    ]);
  }
  const paper = invoice.delivery.medium === 'paper';
  const invoiceReturn: InvoiceReturn = {
    returnId,
    accountId,
    invoiceId,
    invoiceNumber: invoice.invoiceNumber,
    applicationId: invoice.applicationId,
    redInvoiceId: `${returnId}-red`,
    reason: body.reason,
    medium: paper ? 'paper' : 'electronic',
    ...(paper ? { mailedBack: { courier: body.courier!, trackingNumber: body.trackingNumber! } } : {}),
    ...(body.redLetterFormNumber ? { redLetterFormNumber: body.redLetterFormNumber } : {}),
    ...(body.reissueTitleId ? { reissueTitleId: body.reissueTitleId } : {}),
    status: paper ? 'awaiting-arrival' : 'crediting',
    previousStatus: invoice.status,
    requestedAt: now.toISOString(),
    restoredChunks: [],
    ...(correlationId() ? { correlationId: correlationId() } : {}),
  };
  const actor = `account:${accountId}`;
  await createReturn(invoiceReturn, 'returning', changeStamp(actor, now, `return: ${body.reason}`));
  try {
    await startReturnWorkflow(returnWorkflowInput(invoiceReturn));
    await markReturnWorkflowStarted(returnId);
  } catch (error) {
    // Recorded is recorded (invariant 4): the return stays on the sweeper's list and is started
    // from there. Undoing it here could undo a return whose start did happen but was not answered.
    logger.error('return workflow start failed; left for the sweeper', { returnId, error: error as Error });
  }
  logger.info('return requested', { returnId, invoiceId, paper });
  return returnView(invoiceReturn);
}

function requestHash(body: {
  reason: string;
  reissueTitleId?: string;
  courier?: string;
  trackingNumber?: string;
  redLetterFormNumber?: string;
  mailedBack?: { courier: string; trackingNumber: string };
}): string {
  return JSON.stringify([
    body.reason,
    body.reissueTitleId ?? null,
    body.courier ?? body.mailedBack?.courier ?? null,
    body.trackingNumber ?? body.mailedBack?.trackingNumber ?? null,
    body.redLetterFormNumber ?? null,
  ]);
}

async function invoiceForStaff(invoiceId: string): Promise<IssuedInvoice> {
  const invoice = await getInvoice(invoiceId);
  if (!invoice) throw new NotFoundError(`No invoice ${invoiceId}.`);
  return invoice;
}

/**
 * R34: finance staff confirm that a mailed-back paper invoice arrived: the invoice is
 * `returned`, the return moves on to crediting and its workflow resumes. Repeating it answers
 * the return as it stands.
 */
export async function confirmReturnArrived(principal: Principal, invoiceId: string, now: Date) {
  const invoice = await invoiceForStaff(invoiceId);
  const invoiceReturn = invoice.returnId ? await getReturn(invoice.returnId) : undefined;
  if (invoiceReturn?.medium !== 'paper' || invoiceReturn.status === 'failed') {
    throw new ConflictError(`Invoice ${invoiceId} has no paper return waiting for it.`);
  }
  if (invoiceReturn.status === 'awaiting-arrival') {
    const moved = await transitionReturn(
      invoiceReturn,
      ['awaiting-arrival'],
      'crediting',
      { arrivedAt: now.toISOString() },
      {
        from: ['returning'],
        to: 'returned',
        stamp: changeStamp(actorOf(principal), now, 'mailed-back invoice arrived'),
      },
    );
    if (!moved) throw new ConflictError(`The return of invoice ${invoiceId} changed meanwhile; retry.`);
  }
  const current = (await getReturn(invoiceReturn.returnId))!;
  // The workflow waits on its token; if the token is not stored yet, the waiting task finds the
  // return has moved on and resumes itself.
  if (current.taskToken && current.status === 'crediting')
    await resumeTask(current.taskToken, { arrived: true });
  logger.info('returned invoice arrived', { invoiceId, returnId: current.returnId });
  return returnView(current);
}

/** R34: finance staff record that the buyer certified (deducted) a special invoice. */
export async function recordCertified(principal: Principal, invoiceId: string, now: Date) {
  const invoice = await invoiceForStaff(invoiceId);
  if (invoice.kind !== 'blue' || invoice.title.type !== 'enterprise-special') {
    throw new ConflictError(`Invoice ${invoiceId} is not a special VAT invoice the buyer could certify.`);
  }
  if (!invoice.certifiedAt) {
    const marked = await markCertified(
      invoiceId,
      changeStamp(actorOf(principal), now, 'certified by the buyer'),
    );
    if (!marked) throw new ConflictError(`Invoice ${invoiceId} changed meanwhile; retry.`);
  }
  return correctedInvoiceView((await getInvoice(invoiceId))!);
}
