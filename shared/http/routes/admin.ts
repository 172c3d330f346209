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
