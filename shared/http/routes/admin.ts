import type { RouteGroup } from '#http/routes/route';
import { ApplicationIdPath, ApplicationView } from '#schemas/applications';
import {
  ApplicationDecisionBody,
  InvoiceIdPath,
  InvoiceView,
  PaperStockNoticeBody,
  PaperStockNoticeResult,
  ShipmentBody,
  TaxPlatformConfirmationBody,
  TaxPlatformConfirmationResult,
} from '#schemas/invoices';
import { AccountTitlePath, ListQuery, ReviewList, TitleDecisionBody, TitleReviewItem } from '#schemas/titles';

/** Finance staff: title and application reviews, shipments, the paper-stock notice; the tax platform's callback. */
export const ADMIN = {
  listReviews: {
    method: 'GET',
    path: '/v1/admin/reviews',
    uses: ['table-read'],
    summary: 'Special titles pending qualification review (R21) and applications waiting for finance (R25)',
    group: 'finance',
    query: ListQuery,
    ok: { status: 200, schema: ReviewList },
    errors: [],
  },
  decideTitle: {
    method: 'POST',
    path: '/v1/admin/accounts/{accountId}/titles/{titleId}/decision',
    uses: ['table-write', 'mail-send'],
    summary:
      'Approve or reject a pending special title (a reason is required to reject); the customer is e-mailed the result (R21, R30)',
    group: 'finance',
    pathParams: AccountTitlePath,
    body: TitleDecisionBody,
    ok: { status: 200, schema: TitleReviewItem },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  decideApplication: {
    method: 'POST',
    path: '/v1/admin/applications/{applicationId}/decision',
    uses: ['table-write', 'workflow-signal', 'mail-send'],
    summary: 'Approve an application waiting for review, or reject it with a reason (R25)',
    group: 'finance',
    pathParams: ApplicationIdPath,
    body: ApplicationDecisionBody,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  recordShipment: {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/shipment',
    uses: ['table-write', 'mail-send'],
    summary:
      'Record that a paper invoice was shipped (courier and tracking number) or is ready for pickup (R27)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    body: ShipmentBody,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  putPaperStockNotice: {
    method: 'PUT',
    path: '/v1/admin/paper-stock-notice',
    uses: ['table-write'],
    summary: 'Post the paper-stock notice with the expected mailing date, or clear it with {} (R36)',
    group: 'finance',
    body: PaperStockNoticeBody,
    ok: { status: 200, schema: PaperStockNoticeResult },
    errors: [],
  },
  // Served here, beside the finance decision that also resumes the applications workflow.
  confirmTaxPlatformRequest: {
    method: 'POST',
    path: '/v1/internal/tax-platform-confirmations',
    uses: ['table-read', 'workflow-signal'],
    summary:
      'A tax platform provider tells that a request changed (docs/tax-platform.md); the waiting workflow asks the platform again. Late and repeated callbacks change nothing',
    group: 'tax-platform',
    body: TaxPlatformConfirmationBody,
    ok: { status: 202, schema: TaxPlatformConfirmationResult },
    errors: [],
  },
} satisfies RouteGroup;
