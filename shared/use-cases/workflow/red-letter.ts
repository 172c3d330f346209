/**
 * The returns workflow's one step that renders a PDF. It runs in the invoice-issuing function,
 * the only function that bundles the PDF renderer (docs/DESIGN.md, bundle budgets); the other
 * steps run in the returns step function (use-cases/returns-workflow.ts).
 */
import { logger } from '#adapters/logger';
import { annotateReturn, transitionReturn } from '#adapters/return-repository';
import { taxPlatform } from '#adapters/tax-platform';
import { changeStamp } from '#domain/audit';
import { redLetterOf } from '#domain/returns';
import { draftOf, TaxPlatformPending, TaxPlatformRefused } from '#domain/tax-platform';
import { PermanentTaskError } from '#domain/workflow-errors';
import { load, original, type ReturnTaskInput } from '#use-cases/workflow/return-loading';

const WORKFLOW = 'system:workflow';

/**
 * R34: the red-letter invoice for the full amount, issued through the tax platform port
 * (docs/tax-platform.md) under the original's entity: the simulator takes the next number of its
 * counter (the same conditional counter transaction as blue invoices: invariant 2), a provider
 * assigns one; either way the XML and PDF are stored, and the original becomes `credited`. The red
 * invoice's id was fixed at request time and keys the request, so a retry finds the invoice it
 * made instead of issuing another. A provider that has not confirmed yet throws
 * TaxPlatformPending: the state's Retry asks again with backoff.
 */
export async function issueRedLetter({ returnId }: ReturnTaskInput): Promise<void> {
  const invoiceReturn = await load(returnId);
  if (
    invoiceReturn.status !== 'crediting' &&
    invoiceReturn.status !== 'credited' &&
    invoiceReturn.status !== 'reissued'
  )
    throw new PermanentTaskError(`Return ${returnId} is ${invoiceReturn.status}, not crediting`);
  const credited = await original(invoiceReturn);
  const now = new Date();
  const draft = draftOf({
    ...redLetterOf(credited, invoiceReturn.redInvoiceId, '', now),
    ...changeStamp(
      WORKFLOW,
      now,
      `red-letter invoice for ${credited.invoiceNumber} (${invoiceReturn.reason})`,
    ),
  });
  const answer = await taxPlatform().issueRedLetter(draft, credited);
  if (answer.status === 'refused')
    throw new TaxPlatformRefused(`Red-letter invoice ${draft.invoiceId} refused: ${answer.reason}`);
  if (answer.status === 'pending')
    throw new TaxPlatformPending(`Red-letter invoice ${draft.invoiceId} awaits the tax platform`);
  const red = answer.invoice;
  if (credited.status !== 'credited') {
    await transitionReturn(
      invoiceReturn,
      ['crediting'],
      'crediting',
      { redInvoiceNumber: red.invoiceNumber },
      {
        from: ['returning', 'returned'],
        to: 'credited',
        stamp: changeStamp(WORKFLOW, new Date(), `credited by red-letter invoice ${red.invoiceNumber}`),
      },
    );
  } else if (!invoiceReturn.redInvoiceNumber) {
    await annotateReturn(returnId, { redInvoiceNumber: red.invoiceNumber });
  }
  logger.info('red-letter invoice issued', {
    returnId,
    invoiceId: red.invoiceId,
    invoiceNumber: red.invoiceNumber,
  });
}
