import type { RouteGroup } from '#http/routes/route';
import { ExportQuery, InvoiceIdPath, InvoiceList, InvoiceView, ListInvoicesQuery } from '#schemas/invoices';

/** Issued invoices, their PDFs, XML and exports: table and document reads only. */
export const INVOICES_READ = {
  listInvoices: {
    method: 'GET',
    path: '/v1/invoices',
    uses: ['table-read'],
    summary: 'The issued and red-letter invoices, newest first (R29)',
    query: ListInvoicesQuery,
    ok: { status: 200, schema: InvoiceList },
    errors: [],
  },
  exportInvoices: {
    // A literal segment: both API Gateway and the local gateway match it before {invoiceId}.
    method: 'GET',
    path: '/v1/invoices/export.csv',
    uses: ['table-read'],
    summary: 'Invoiced details as CSV, one row per invoice line, China days from..to (R29)',
    query: ExportQuery,
    ok: { status: 200, contentType: 'text/csv; charset=utf-8' },
    errors: [],
  },
  getInvoice: {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    uses: ['table-read'],
    summary: 'One issued invoice',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND'],
  },
  getInvoicePdf: {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/pdf',
    uses: ['table-read', 'documents-read'],
    summary: 'The invoice PDF',
    pathParams: InvoiceIdPath,
    ok: { status: 200, contentType: 'application/pdf' },
    errors: ['NOT_FOUND'],
  },
  getInvoiceXml: {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/xml',
    uses: ['table-read', 'documents-read'],
    summary: 'The invoice as XML (docs/schemas/fapiao-invoice.xsd), the file embedded in its PDF/A-3',
    pathParams: InvoiceIdPath,
    ok: { status: 200, contentType: 'application/xml' },
    errors: ['NOT_FOUND'],
  },
} satisfies RouteGroup;

/** The customer confirms a paper invoice arrived. */
export const INVOICES_WRITE = {
  confirmReceipt: {
    method: 'POST',
    path: '/v1/invoices/{invoiceId}/receipt',
    uses: ['table-write'],
    summary: 'Confirm that a shipped paper invoice arrived (R27)',
    pathParams: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND', 'CONFLICT'],
  },
} satisfies RouteGroup;
