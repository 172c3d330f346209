import type { RouteGroup } from '#http/routes/route';
import { InvoiceIdPath, InvoiceView } from '#schemas/invoices';
import { CopyRequestList, CopyRequestQuery, CopyRequestView, ReturnBody, ReturnView } from '#schemas/returns';

/**
 * R34 returns and R35 copies of lost invoices: the customer asks, finance confirms. A return
 * starts the returns workflow; finance's arrival confirmation resumes it.
 */
export const RETURNS = {
  requestReturn: {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/returns',
    uses: ['table-write', 'returns-start'],
    summary:
      'Return an invoice (R34): a red-letter invoice credits it in full and the amount is invoiceable again; paper invoices are mailed back first (courier, tracking number); a special invoice the buyer certified needs the red-letter information form number; optionally reissue under a corrected title',
    pathParams: InvoiceIdPath,
    body: ReturnBody,
    idempotent: true,
    ok: { status: 202, schema: ReturnView },
    errors: ['NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
  },
  requestCopy: {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/copy-requests',
    uses: ['table-write'],
    summary:
      'Lost invoice (R35): ask for a stamped copy; repeating it while one is open answers the open request',
    pathParams: InvoiceIdPath,
    ok: { status: 202, schema: CopyRequestView },
    errors: ['NOT_FOUND'],
  },
  confirmReturnArrived: {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/returned',
    uses: ['table-write', 'returns-signal'],
    summary: 'A paper invoice mailed back for a return has arrived: the red-letter invoice follows (R34)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: ReturnView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  recordCertified: {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/certified',
    uses: ['table-write'],
    summary:
      'The buyer certified (deducted) this special invoice: returning it now needs the red-letter information form number (R34)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  listCopyRequests: {
    method: 'GET',
    path: '/v1/admin/copy-requests',
    uses: ['table-read'],
    summary: 'Open requests for stamped copies of lost invoices, oldest first (R35)',
    group: 'finance',
    query: CopyRequestQuery,
    ok: { status: 200, schema: CopyRequestList },
    errors: [],
  },
  recordCopySent: {
    method: 'POST',
    path: '/v1/admin/invoices/{invoiceId}/copy-sent',
    uses: ['table-write', 'mail-send'],
    summary: 'A stamped copy of a lost invoice was sent; the customer is e-mailed (R35)',
    group: 'finance',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: CopyRequestView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
} satisfies RouteGroup;
