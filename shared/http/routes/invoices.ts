import type { Route } from '#http/routes/route';
import { ExportQuery, InvoiceIdPath, InvoiceList, InvoiceView, ListInvoicesQuery } from '#schemas/invoices';
import { CopyRequestView, ReturnBody, ReturnView } from '#schemas/returns';

/** Issued invoices, their PDFs, exports and corrections. */
export const INVOICE_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/v1/invoices',
    entry: 'functions/invoices/list-invoices.ts',
    uses: ['table-read'],
    summary: 'The issued and red-letter invoices, newest first (R29)',
    query: ListInvoicesQuery,
    ok: { status: 200, schema: InvoiceList },
    errors: [],
  },
  {
    // A literal segment: both API Gateway and the local gateway match it before {invoiceId}.
    method: 'GET',
    path: '/v1/invoices/export.csv',
    entry: 'functions/invoices/export-invoices.ts',
    uses: ['table-read'],
    summary: 'Invoiced details as CSV, one row per invoice line, China days from..to (R29)',
    query: ExportQuery,
    ok: { status: 200, contentType: 'text/csv; charset=utf-8' },
    errors: [],
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    entry: 'functions/invoices/get-invoice.ts',
    uses: ['table-read'],
    summary: 'One issued invoice',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/pdf',
    entry: 'functions/invoices/get-invoice-pdf.ts',
    uses: ['table-read', 'documents-read'],
    summary: 'The invoice PDF',
    pathParams: InvoiceIdPath,
    ok: { status: 200, contentType: 'application/pdf' },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/receipt',
    entry: 'functions/invoices/confirm-receipt.ts',
    uses: ['table-write'],
    summary: 'Confirm that a shipped paper invoice arrived (R27)',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
  {
    // Starting the returns state machine is granted by infra/constructs/returns.ts (by this path).
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/returns',
    entry: 'functions/returns/request-return.ts',
    uses: ['table-write'],
    summary:
      'Return an invoice (R34): a red-letter invoice credits it in full and the amount is invoiceable again; paper invoices are mailed back first (courier, tracking number); a special invoice the buyer certified needs the red-letter information form number; optionally reissue under a corrected title',
    pathParams: InvoiceIdPath,
    body: ReturnBody,
    idempotent: true,
    ok: { status: 202, schema: ReturnView },
    errors: ['NOT_FOUND', 'CONFLICT', 'IDEMPOTENCY_KEY_REUSED'],
  },
  {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/copy-requests',
    entry: 'functions/returns/request-copy.ts',
    uses: ['table-write'],
    summary:
      'Lost invoice (R35): ask for a stamped copy; repeating it while one is open answers the open request',
    pathParams: InvoiceIdPath,
    ok: { status: 202, schema: CopyRequestView },
    errors: ['NOT_FOUND'],
  },
];
