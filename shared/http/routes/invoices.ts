import type { Route } from '#http/routes/route';
import { InvoiceIdPath, InvoiceView } from '#schemas/invoices';

/** Issued invoices, their PDFs, exports and corrections. */
export const INVOICE_ROUTES: Route[] = [
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
];
