import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import type { IssuedInvoice } from '#domain/issued-invoice';
import type { InvoiceReturn } from '#domain/returns';
import type { ApplicationView } from '#schemas/applications';

const at = (iso: string) => toShanghaiIso(new Date(iso));

/** The public shape of an application: China time, no ledger internals. */
export function applicationView(application: Application): ApplicationView {
  return {
    applicationId: application.applicationId,
    status: application.status,
    mode: application.mode,
    total: application.total,
    invoices: application.invoices.map(({ recordIds: _r, ...invoice }) => invoice),
    title: application.title,
    delivery: application.delivery,
    submittedAt: at(application.submittedAt),
    cancellableUntil: at(application.cancellableUntil),
    expectedBy: at(application.expectedBy),
    timeline: application.timeline.map((entry) => ({ ...entry, at: at(entry.at) })),
    ...(application.deliveryBounce
      ? { deliveryBounce: { ...application.deliveryBounce, at: at(application.deliveryBounce.at) } }
      : {}),
  };
}

export interface PaperStockNoticeView {
  message: string;
  expectedMailingDate: string;
  updatedAt: string;
}

export function paperStockNoticeView(notice: {
  message: string;
  expectedMailingDate: string;
  updatedAt: string;
}): PaperStockNoticeView {
  return {
    message: notice.message,
    expectedMailingDate: notice.expectedMailingDate,
    updatedAt: at(notice.updatedAt),
  };
}

/** The public shape of an invoice: China time; seller, storage and ledger internals left out. */
export function invoiceView(invoice: IssuedInvoice, paperStockNotice?: PaperStockNoticeView) {
  const { shipment, deliveredAt } = invoice;
  return {
    invoiceId: invoice.invoiceId,
    invoiceNumber: invoice.invoiceNumber,
    applicationId: invoice.applicationId,
    kind: invoice.kind,
    entity: invoice.entity,
    taxRate: invoice.taxRate,
    amount: invoice.amount,
    amountExcludingTax: invoice.amountExcludingTax,
    taxAmount: invoice.taxAmount,
    status: invoice.status,
    issuedAt: at(invoice.issuedAt),
    title: invoice.title,
    delivery: invoice.delivery,
    lines: invoice.lines,
    ...(shipment ? { shipment: { ...shipment, shippedAt: at(shipment.shippedAt) } } : {}),
    ...(deliveredAt ? { deliveredAt: at(deliveredAt) } : {}),
    // R36: a paper invoice still waiting to be mailed shows the stock notice in force.
    ...(paperStockNotice && invoice.delivery.medium === 'paper' && invoice.status === 'issued'
      ? { paperStockNotice }
      : {}),
  };
}

/** The public shape of a return: China time, no workflow internals. */
export function returnView(r: InvoiceReturn) {
  return {
    returnId: r.returnId,
    status: r.status,
    reason: r.reason,
    invoiceId: r.invoiceId,
    invoiceNumber: r.invoiceNumber,
    redInvoiceId: r.redInvoiceId,
    ...(r.redInvoiceNumber ? { redInvoiceNumber: r.redInvoiceNumber } : {}),
    ...(r.mailedBack ? { mailedBack: r.mailedBack } : {}),
    ...(r.redLetterFormNumber ? { redLetterFormNumber: r.redLetterFormNumber } : {}),
    ...(r.reissueTitleId ? { reissueTitleId: r.reissueTitleId } : {}),
    ...(r.reissueApplicationId ? { reissueApplicationId: r.reissueApplicationId } : {}),
    requestedAt: at(r.requestedAt),
    ...(r.arrivedAt ? { arrivedAt: at(r.arrivedAt) } : {}),
    ...(r.creditedAt ? { creditedAt: at(r.creditedAt) } : {}),
    ...(r.failureReason ? { failureReason: r.failureReason } : {}),
  };
}
