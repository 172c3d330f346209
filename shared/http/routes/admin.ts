import type { Route } from '#http/routes/route';
import { ApplicationIdPath, ApplicationView } from '#schemas/applications';
import {
  ApplicationDecisionBody,
  InvoiceIdPath,
  InvoiceView,
  PaperStockNoticeBody,
  PaperStockNoticeResult,
  ShipmentBody,
} from '#schemas/invoices';
import { CopyRequestList, CopyRequestQuery, CopyRequestView, ReturnView } from '#schemas/returns';

/** Finance staff: reviews, shipments, returns, copies, notices. */
export const ADMIN_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/admin/applications/{applicationId}/decision',
    entry: 'functions/admin/decide-application.ts',
    uses: ['table-write', 'workflow-signal', 'mail-send'],
    summary: 'Approve an application waiting for review, or reject it with a reason (R25)',
    group: 'finance',
    pathParams: ApplicationIdPath,
    body: ApplicationDecisionBody,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/shipment',
    entry: 'functions/admin/record-shipment.ts',
    uses: ['table-write', 'mail-send'],
    summary:
      'Record that a paper invoice was shipped (courier and tracking number) or is ready for pickup (R27)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    body: ShipmentBody,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    // Resuming the returns workflow is granted by infra/constructs/returns.ts (by this path).
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/returned',
    entry: 'functions/returns/confirm-return-arrived.ts',
    uses: ['table-write'],
    summary: 'A paper invoice mailed back for a return has arrived: the red-letter invoice follows (R34)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: ReturnView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/certified',
    entry: 'functions/returns/record-certified.ts',
    uses: ['table-write'],
    summary:
      'The buyer certified (deducted) this special invoice: returning it now needs the red-letter information form number (R34)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'GET',
    path: '/v1/admin/copy-requests',
    entry: 'functions/returns/list-copy-requests.ts',
    uses: ['table-read'],
    summary: 'Open requests for stamped copies of lost invoices, oldest first (R35)',
    group: 'finance',
    query: CopyRequestQuery,
    ok: { status: 200, schema: CopyRequestList },
    errors: [],
  },
  {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/copy-sent',
    entry: 'functions/returns/record-copy-sent.ts',
    uses: ['table-write', 'mail-send'],
    summary: 'A stamped copy of a lost invoice was sent; the customer is e-mailed (R35)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: CopyRequestView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    method: 'PUT',
    path: '/v1/admin/paper-stock-notice',
    entry: 'functions/admin/put-paper-stock-notice.ts',
    uses: ['table-write'],
    summary: 'Post the paper-stock notice with the expected mailing date, or clear it with {} (R36)',
    group: 'finance',
    body: PaperStockNoticeBody,
    ok: { status: 200, schema: PaperStockNoticeResult },
    errors: [],
  },
];
