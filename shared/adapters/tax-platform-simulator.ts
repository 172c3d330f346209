import { ensureDocuments } from '#adapters/invoice-documents';
import { getInvoice, issueWithNextNumber } from '#adapters/invoice-repository';
import { entityById } from '#config/settings';
import { formatInvoiceNumber } from '#domain/issued-invoice';
import type { InvoiceDraft, IssueAnswer, TaxPlatform } from '#domain/tax-platform';
import { PermanentTaskError } from '#domain/workflow-errors';

/**
 * The default adapter (`invoice:taxPlatform` = "simulator"): the platform simulated here. It
 * answers at once: the next number of the entity's counter, taken in one transaction with the
 * invoice item (invariant 2), then the XML and PDF rendered and stored. The invoice id keys
 * the request: a repeated call finds the invoice it made.
 */
export const simulatorPlatform: TaxPlatform = {
  issue: (draft) => issueLocally(draft),
  issueRedLetter: (draft) => issueLocally(draft),
  async status(invoiceId) {
    return (await getInvoice(invoiceId)) ? 'issued' : 'unknown';
  },
};

async function issueLocally(draft: InvoiceDraft): Promise<IssueAnswer> {
  const entity = entityById(draft.entity);
  if (!entity) throw new PermanentTaskError(`Invoicing entity ${draft.entity} is not configured`);
  const invoice = await issueWithNextNumber((sequence) => {
    const now = new Date();
    return {
      ...draft,
      invoiceNumber: formatInvoiceNumber(now, entity.numberPrefix, sequence),
      issuedAt: now.toISOString(),
    };
  });
  return { status: 'issued', invoice: await ensureDocuments(invoice) };
}
