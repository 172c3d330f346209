import { getApplication } from '#adapters/application-repository';
import { keys } from '#adapters/dynamodb';
import { getInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import {
  annotateReturn,
  getReturn,
  restoreAllocations,
  storeArrivalToken,
  transitionReturn,
} from '#adapters/return-repository';
import { resumeTask } from '#adapters/workflow-signal';
import * as settings from '#config/settings';
import type { Allocation } from '#domain/application';
import { changeStamp } from '#domain/audit';
import { redLetterEmail, returnFailedFinanceEmail } from '#domain/return-notifications';
import type { InvoiceReturn } from '#domain/returns';
import { PermanentTaskError } from '#domain/workflow-errors';
import type { CreateApplicationBody } from '#schemas/applications';
import { previewApplication } from '#use-cases/application-plan';
import { createApplication } from '#use-cases/applications';
import { invoiceAttachments } from '#use-cases/workflow/attachments';
import { allocationsOf } from '#use-cases/workflow/common';
import { languageOf, links, sendOnce } from '#use-cases/workflow/notify';
import { load, original, type ReturnTaskInput } from '#use-cases/workflow/return-loading';

export type { ReturnTaskInput };

const WORKFLOW = 'system:workflow';
/** The reissued application's Idempotency-Key answer outlives any retry of the workflow. */
const REISSUE_KEY_TTL_SECONDS = 400 * 24 * 3600;

/**
 * Paper returns park here until finance confirms the invoice arrived (the token is kept on the
 * return). If finance confirmed before the token got here, the task resumes itself.
 */
export async function awaitArrival({ returnId, taskToken }: ReturnTaskInput & { taskToken: string }) {
  if (await storeArrivalToken(returnId, taskToken)) return;
  const invoiceReturn = await load(returnId);
  if (invoiceReturn.status === 'failed' || invoiceReturn.status === 'awaiting-arrival')
    throw new PermanentTaskError(`Return ${returnId} is ${invoiceReturn.status}`);
  logger.info('arrival confirmed before the token; resuming', { returnId });
  await resumeTask(taskToken, { arrived: true });
}

/** The credited invoice's allocations: those of its records in its application. */
async function creditedAllocations(invoiceReturn: InvoiceReturn): Promise<Allocation[]> {
  const application = await getApplication(invoiceReturn.applicationId);
  const planned = application?.invoices.find((i) => i.invoiceId === invoiceReturn.invoiceId);
  if (!application || !planned)
    throw new PermanentTaskError(
      `Invoice ${invoiceReturn.invoiceId} is not in application ${invoiceReturn.applicationId}`,
    );
  return allocationsOf(application, planned);
}

/** R34: the invoiceable amount restored, exactly once (chunk markers on the return). */
export async function restoreLedger({ returnId }: ReturnTaskInput): Promise<void> {
  const invoiceReturn = await load(returnId);
  if (!(await getInvoice(invoiceReturn.redInvoiceId)))
    throw new PermanentTaskError(`Return ${returnId} has no red-letter invoice yet`);
  await restoreAllocations(invoiceReturn, await creditedAllocations(invoiceReturn));
  logger.info('ledger restored', { returnId });
}

/** R30: the red-letter invoice e-mailed (once) to where the original was delivered; the return is `credited`. */
export async function deliverRedLetter({ returnId }: ReturnTaskInput): Promise<void> {
  const invoiceReturn = await load(returnId);
  const red = await getInvoice(invoiceReturn.redInvoiceId);
  if (!red?.pdfKey) throw new PermanentTaskError(`Return ${returnId} has no red-letter PDF`);
  const to = red.delivery.email;
  const now = new Date().toISOString();
  if (to) {
    const attachments = await invoiceAttachments(red);
    await sendOnce(
      keys.invoice(red.invoiceId),
      'issued',
      to,
      redLetterEmail(await languageOf(red.accountId), red, invoiceReturn, links()),
      {
        attachments,
        accountId: red.accountId,
        fields: { emailedAt: now },
      },
    );
  } else {
    logger.warn('no e-mail address for the red-letter invoice', { returnId });
  }
  await transitionReturn(invoiceReturn, ['crediting'], 'credited', { creditedAt: now });
}

/**
 * R34 reissue: a new application under the corrected title through the customer's create path
 * (its Idempotency-Key is the return's, so a retry answers the same application).
 * **Decision:** mode `orders` over the credited invoice's records when that selects exactly the
 * restored amount (each record taken whole, as the preview shows); otherwise — part of a record
 * was invoiced elsewhere, or the records cannot be taken whole — mode `amount` for the credited
 * amount, drawn like any amount application.
 */
export async function reissue({ returnId }: ReturnTaskInput): Promise<void> {
  const invoiceReturn = await load(returnId);
  if (invoiceReturn.reissueApplicationId || !invoiceReturn.reissueTitleId) return;
  const credited = await original(invoiceReturn);
  const allocations = await creditedAllocations(invoiceReturn);
  const now = new Date();
  const delivery = credited.delivery;
  const base = { titleId: invoiceReturn.reissueTitleId, delivery } as Omit<CreateApplicationBody, 'mode'>;
  const byOrders: CreateApplicationBody = {
    ...base,
    mode: 'orders',
    recordIds: [...new Set(allocations.map((a) => a.recordId))],
  };
  let body: CreateApplicationBody = { ...base, mode: 'amount', amount: credited.amount };
  try {
    const preview = await previewApplication(credited.accountId, byOrders, now);
    if (preview.total === credited.amount) body = byOrders;
  } catch (error) {
    logger.info('reissue by orders not possible; by amount', { returnId, error: (error as Error).name });
  }
  const result = await createApplication(
    credited.accountId,
    body,
    `reissue-${returnId}`,
    now,
    REISSUE_KEY_TTL_SECONDS,
  );
  const applicationId = (result.body as { applicationId?: string }).applicationId;
  if (!applicationId) throw new PermanentTaskError(`Reissue of ${returnId} answered ${result.statusCode}`);
  await transitionReturn(invoiceReturn, ['credited', 'crediting'], 'reissued', {
    reissueApplicationId: applicationId,
    reissueMode: body.mode,
  });
  logger.info('reissued', { returnId, applicationId, mode: body.mode });
}

export interface FailReturnInput extends ReturnTaskInput {
  error?: { Error?: string; Cause?: string };
}

/**
 * The Catch of every task. Before the red-letter invoice exists nothing has happened: the
 * return is `failed` and the original invoice back to its status before the return. After it,
 * the credit stands: the ledger is restored (idempotent) and the failure is noted on the
 * return. Finance staff are told either way, once.
 */
export async function failReturn(input: FailReturnInput): Promise<void> {
  const invoiceReturn = await getReturn(input.returnId);
  if (!invoiceReturn) {
    logger.error('failed execution for an unknown return', { returnId: input.returnId });
    return;
  }
  const reason = input.error?.Error ?? 'UnknownError';
  logger.error('return failed', { returnId: input.returnId, reason });
  const red = await getInvoice(invoiceReturn.redInvoiceId);
  if (red) {
    await restoreAllocations(invoiceReturn, await creditedAllocations(invoiceReturn));
    await annotateReturn(invoiceReturn.returnId, { failureReason: reason });
  } else if (invoiceReturn.status !== 'failed') {
    await transitionReturn(
      invoiceReturn,
      ['awaiting-arrival', 'crediting'],
      'failed',
      { failureReason: reason },
      {
        from: ['returning', 'returned'],
        to: invoiceReturn.previousStatus,
        stamp: changeStamp(WORKFLOW, new Date(), `return failed: ${reason}`),
      },
    );
  }
  const current = (await getReturn(invoiceReturn.returnId)) ?? invoiceReturn;
  await sendOnce(
    keys.invoiceReturn(invoiceReturn.returnId),
    'finance-failed',
    settings.financeEmail(),
    returnFailedFinanceEmail(current, reason),
  );
}

/** The red-letter step (issue-red-letter) renders a PDF, so it runs in the issuing function. */
export type ReturnStep = 'await-arrival' | 'restore-ledger' | 'deliver' | 'reissue' | 'fail';

/**
 * The returns state machine's tasks share one function: each state names its step. The steps
 * need the same grants, and a function per step would add a role, a policy and a log group
 * each for nothing.
 */
export async function runReturnStep(
  input: FailReturnInput & { step: ReturnStep; taskToken?: string },
): Promise<void> {
  switch (input.step) {
    case 'await-arrival':
      if (!input.taskToken) throw new PermanentTaskError('await-arrival needs a task token');
      return awaitArrival({ ...input, taskToken: input.taskToken });
    case 'restore-ledger':
      return restoreLedger(input);
    case 'deliver':
      return deliverRedLetter(input);
    case 'reissue':
      return reissue(input);
    case 'fail':
      return failReturn(input);
    default:
      throw new PermanentTaskError(`Unknown return step ${String(input.step)}`);
  }
}
