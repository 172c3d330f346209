/** The HTTP routes of API.md and the handler file behind each; one Lambda per route. */
export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  entry: string;
  /** What the handler touches, for least-privilege grants. */
  uses: ReadonlyArray<'table-read' | 'table-write' | 'documents-read' | 'workflow-start'>;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'GET', path: '/v1/entities', entry: 'functions/entities/list-entities.ts', uses: [] },
  {
    method: 'PUT',
    path: '/v1/internal/accounts/{accountId}',
    entry: 'functions/internal/put-account.ts',
    uses: ['table-write'],
  },
  {
    method: 'POST',
    path: '/v1/internal/billing-records',
    entry: 'functions/internal/upsert-billing-records.ts',
    uses: ['table-write'],
  },
  {
    method: 'GET',
    path: '/v1/invoiceable',
    entry: 'functions/ledger/get-invoiceable.ts',
    uses: ['table-read'],
  },
  { method: 'POST', path: '/v1/titles', entry: 'functions/titles/create-title.ts', uses: ['table-write'] },
  {
    method: 'POST',
    path: '/v1/applications',
    entry: 'functions/applications/create-application.ts',
    uses: ['table-write', 'workflow-start'],
  },
  {
    method: 'GET',
    path: '/v1/applications/{applicationId}',
    entry: 'functions/applications/get-application.ts',
    uses: ['table-read'],
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}',
    entry: 'functions/invoices/get-invoice.ts',
    uses: ['table-read'],
  },
  {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/pdf',
    entry: 'functions/invoices/get-invoice-pdf.ts',
    uses: ['table-read', 'documents-read'],
  },
];
