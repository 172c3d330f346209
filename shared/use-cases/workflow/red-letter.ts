/**
 * The returns workflow's one step that renders a PDF. It runs in the invoice-issuing function,
 * the only function that bundles the PDF renderer (docs/DESIGN.md, bundle budgets); the other
 * steps run in the returns step function (use-cases/returns-workflow.ts).
 */
import { invoicePdfKey } from '#adapters/document-store';
import { issueWithNextNumber, setInvoicePdf } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { annotateReturn, transitionReturn } from '#adapters/return-repository';
import { entityById } from '#config/settings';
import { changeStamp } from '#domain/audit';
import { formatInvoiceNumber } from '#domain/issued-invoice';
import { redLetterOf } from '#domain/returns';
import { PermanentTaskError } from '#domain/workflow-errors';
import { storeInvoiceDocuments, toDocument } from '#use-cases/workflow/issue';
import { load, original, type ReturnTaskInput } from '#use-cases/workflow/return-loading';

const WORKFLOW = 'system:workflow';

/**
 * R34: the red-letter invoice for the full amount, under the next number of the original's
 * entity (the same conditional counter transaction as blue invoices: invariant 2), its XML
 * and PDF, and the original `credited`. The red invoice's id was fixed at request time, so a retry
 * finds the invoice it made instead of issuing another.
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
  const entity = entityById(credited.entity);
  if (!entity) throw new PermanentTaskError(`Invoicing entity ${credited.entity} is not configured`);
  const red = await issueWithNextNumber((sequence) => {
    const now = new Date();
    return {
      ...redLetterOf(
        credited,
        invoiceReturn.redInvoiceId,
        formatInvoiceNumber(now, entity.numberPrefix, sequence),
        now,
      ),
      ...changeStamp(
        WORKFLOW,
        now,
        `red-letter invoice for ${credited.invoiceNumber} (${invoiceReturn.reason})`,
      ),
    };
  });
  if (!red.pdfKey) {
    const key = invoicePdfKey(red.accountId, red.invoiceId);
    await storeInvoiceDocuments(key, { ...toDocument(red), originalInvoiceNumber: credited.invoiceNumber });
    await setInvoicePdf(red.invoiceId, key);
  }
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
