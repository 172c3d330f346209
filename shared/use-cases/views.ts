import type { Application } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import type { IssuedInvoice } from '#domain/issued-invoice';
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
  };
}

export function invoiceView(invoice: IssuedInvoice) {
  const { accountId: _a, seller: _s, pdfKey: _p, settledChunks: _c, ...rest } = invoice;
  return { ...rest, issuedAt: at(invoice.issuedAt) };
}
