import type { RouteGroup } from '#http/routes/route';
import { AccountIdPath, AccountProfileView, AccountView, PutAccountBody } from '#schemas/accounts';
import {
  BillingRecordList,
  BillingRecordQuery,
  UpsertBillingRecordsBody,
  UpsertBillingRecordsResult,
} from '#schemas/billing-records';
import { EntityList, InvoiceableView } from '#schemas/ledger';

/**
 * Entities, the account, the billing system’s ingestion, and the invoiceable ledger. One
 * function: reading the account caches its invoiceable amount, so reads write too.
 */
export const LEDGER = {
  listEntities: {
    method: 'GET',
    path: '/v1/entities',
    uses: [],
    summary: 'The provider’s invoicing entities',
    ok: { status: 200, schema: EntityList },
    errors: [],
  },
  getAccount: {
    method: 'GET',
    path: '/v1/account',
    // Writes only the cached invoiceable amount.
    uses: ['table-write'],
    summary: 'The account: verification, arrears, deficit, invoiceable amount, last title and delivery used',
    ok: { status: 200, schema: AccountView },
    errors: [],
  },
  putAccount: {
    method: 'PUT',
    path: '/v1/internal/accounts/{accountId}',
    uses: ['table-write'],
    summary: 'Upsert an account profile (billing system)',
    group: 'billing-system',
    pathParams: AccountIdPath,
    body: PutAccountBody,
    ok: { status: 200, schema: AccountProfileView },
    errors: [],
  },
  upsertBillingRecords: {
    method: 'POST',
    path: '/v1/internal/billing-records',
    uses: ['table-write'],
    summary: 'Upsert up to 500 billing records by recordId, idempotently (billing system)',
    group: 'billing-system',
    body: UpsertBillingRecordsBody,
    ok: { status: 200, schema: UpsertBillingRecordsResult },
    errors: ['CONFLICT'],
  },
  listBillingRecords: {
    method: 'GET',
    path: '/v1/billing-records',
    uses: ['table-read'],
    summary: 'The account’s billing records, each with its invoiceable amount or why it has none (R10)',
    query: BillingRecordQuery,
    ok: { status: 200, schema: BillingRecordList },
    // R32: ?accountId= names a member account for org admins; any other account is not found.
    errors: ['NOT_FOUND'],
  },
  getInvoiceable: {
    method: 'GET',
    path: '/v1/invoiceable',
    // Writes only the cached invoiceable amount.
    uses: ['table-write'],
    summary: 'The invoiceable amount with its formula (R10)',
    ok: { status: 200, schema: InvoiceableView },
    errors: [],
  },
} satisfies RouteGroup;
