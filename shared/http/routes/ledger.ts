import type { Route } from '#http/routes/route';
import { AccountIdPath, AccountProfileView, AccountView, PutAccountBody } from '#schemas/accounts';
import {
  BillingRecordList,
  BillingRecordQuery,
  UpsertBillingRecordsBody,
  UpsertBillingRecordsResult,
} from '#schemas/billing-records';
import { EntityList, InvoiceableView } from '#schemas/ledger';

/** Entities, the account, the billing system’s ingestion, and the invoiceable ledger. */
export const LEDGER_ROUTES: Route[] = [
  {
    method: 'GET',
    path: '/v1/entities',
    entry: 'functions/entities/list-entities.ts',
    uses: [],
    summary: 'The provider’s invoicing entities',
    ok: { status: 200, schema: EntityList },
    errors: [],
  },
  {
    method: 'GET',
    path: '/v1/account',
    entry: 'functions/account/get-account.ts',
    // Writes only the cached invoiceable amount.
    uses: ['table-write'],
    summary: 'The account: verification, arrears, deficit, invoiceable amount, last title and delivery used',
    ok: { status: 200, schema: AccountView },
    errors: [],
  },
  {
    method: 'PUT',
    path: '/v1/internal/accounts/{accountId}',
    entry: 'functions/internal/put-account.ts',
    uses: ['table-write'],
    summary: 'Upsert an account profile (billing system)',
    group: 'billing-system',
    pathParams: AccountIdPath,
    body: PutAccountBody,
    ok: { status: 200, schema: AccountProfileView },
    errors: [],
  },
  {
    method: 'POST',
    path: '/v1/internal/billing-records',
    entry: 'functions/internal/upsert-billing-records.ts',
    uses: ['table-write'],
    summary: 'Upsert up to 500 billing records by recordId, idempotently (billing system)',
    group: 'billing-system',
    body: UpsertBillingRecordsBody,
    ok: { status: 200, schema: UpsertBillingRecordsResult },
    errors: ['CONFLICT'],
  },
  {
    method: 'GET',
    path: '/v1/billing-records',
    entry: 'functions/ledger/list-billing-records.ts',
    uses: ['table-read'],
    summary: 'The account’s billing records, each with its invoiceable amount or why it has none (R10)',
    query: BillingRecordQuery,
    ok: { status: 200, schema: BillingRecordList },
    // R32: ?accountId= names a member account for org admins; any other account is not found.
    errors: ['NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/v1/invoiceable',
    entry: 'functions/ledger/get-invoiceable.ts',
    // Writes only the cached invoiceable amount.
    uses: ['table-write'],
    summary: 'The invoiceable amount with its formula (R10)',
    ok: { status: 200, schema: InvoiceableView },
    errors: [],
  },
];
