import { transitionApplication } from '#adapters/application-repository';
import { invoicePdfKey, invoiceXmlKey, putPdf, putXml } from '#adapters/document-store';
import { issueWithNextNumber, setInvoicePdf, settleInvoice } from '#adapters/invoice-repository';
import { logger } from '#adapters/logger';
import { renderInvoicePdf } from '#adapters/pdf-renderer';
import { entityById } from '#config/settings';
import type { Application, PlannedInvoice } from '#domain/application';
import type { InvoiceDocument } from '#domain/invoice-document';
import { invoiceXml } from '#domain/invoice-xml';
import { formatInvoiceNumber, type IssuedInvoice } from '#domain/issued-invoice';
import { PermanentTaskError } from '#domain/workflow-errors';
import { allocationsOf, load, type WorkflowTaskInput } from '#use-cases/workflow/common';

/**
 * Issues every planned invoice (R26): next number of its entity, ledger moved from reserved
 * to invoiced, XML and PDF/A-3 (the XML embedded) rendered and stored. Each part is idempotent, so a retried or duplicated
 * task yields the same invoices (invariants 2 and 3).
 */
export async function issueInvoices({ applicationId }: WorkflowTaskInput): Promise<void> {
  const application = await load(applicationId);
  if (application.status !== 'issuing') {
    if (['issued', 'shipped', 'delivered'].includes(application.status)) return;
    throw new PermanentTaskError(`Application ${applicationId} is ${application.status}, not issuing`);
  }
  const issued: PlannedInvoice[] = [];
  for (const planned of application.invoices) {
    const invoice = await issueWithNextNumber((sequence) =>
      buildInvoice(application, planned, sequence, new Date()),
    );
    await settleInvoice(invoice, allocationsOf(application, planned));
    if (!invoice.pdfKey) {
      const key = invoicePdfKey(invoice.accountId, invoice.invoiceId);
      await storeInvoiceDocuments(key, toDocument(invoice));
      await setInvoicePdf(invoice.invoiceId, key);
    }
    logger.info('invoice issued', {
      applicationId,
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.invoiceNumber,
    });
    issued.push({ ...planned, invoiceNumber: invoice.invoiceNumber } as PlannedInvoice);
  }
  await transitionApplication(
    applicationId,
    ['issuing'],
    'issued',
    { at: new Date().toISOString(), status: 'issued' },
    { invoices: issued },
  );
}

/**
 * The invoice's XML and its PDF/A-3 with that XML embedded, each stored once. The XML goes
 * first, so an invoice whose PDF exists has its XML too. A retry rebuilds the same XML (a pure
 * function of the frozen invoice) instead of reading the stored one back, which keeps S3 reads
 * out of this function's bundle; the PDF and the download route carry the same bytes.
 */
export async function storeInvoiceDocuments(pdfKey: string, document: InvoiceDocument): Promise<void> {
  const xml = invoiceXml(document);
  await putXml(invoiceXmlKey(pdfKey), xml);
  await putPdf(pdfKey, await renderInvoicePdf(document, xml));
}

function buildInvoice(
  application: Application,
  planned: PlannedInvoice,
  sequence: number,
  now: Date,
): IssuedInvoice {
  const entity = entityById(planned.entity);
  if (!entity) throw new PermanentTaskError(`Invoicing entity ${planned.entity} is not configured`);
  return {
    invoiceId: planned.invoiceId,
    invoiceNumber: formatInvoiceNumber(now, entity.numberPrefix, sequence),
    applicationId: application.applicationId,
    accountId: application.accountId,
    kind: 'blue',
    entity: planned.entity,
    taxRate: planned.taxRate,
    amount: planned.amount,
    amountExcludingTax: planned.amountExcludingTax,
    taxAmount: planned.taxAmount,
    lines: planned.lines,
    status: 'issued',
    issuedAt: now.toISOString(),
    title: application.title,
    seller: {
      entityId: entity.entityId,
      name: entity.name,
      taxId: entity.taxId,
      address: entity.address,
      phone: entity.phone,
      bankName: entity.bankName,
      bankAccount: entity.bankAccount,
      issuer: entity.issuer,
    },
    delivery: application.delivery,
    settledChunks: [],
    ...(application.correlationId ? { correlationId: application.correlationId } : {}),
  };
}

export function toDocument(invoice: IssuedInvoice): InvoiceDocument {
  return {
    invoiceNumber: invoice.invoiceNumber,
    kind: invoice.kind,
    invoiceType: invoice.title.type,
    issuedAt: invoice.issuedAt,
    buyer: invoice.title,
    seller: invoice.seller,
    lines: invoice.lines.map((line) => ({
      itemName: line.itemName,
      specification: line.specification,
      amountExcludingTax: line.amountExcludingTax,
      taxRate: invoice.taxRate,
      taxAmount: line.taxAmount,
    })),
    amountExcludingTax: invoice.amountExcludingTax,
    taxAmount: invoice.taxAmount,
    total: invoice.amount,
    taxRate: invoice.taxRate,
    remarks: invoice.title.remark,
    issuer: invoice.seller.issuer,
  };
}
