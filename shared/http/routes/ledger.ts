import * as z from 'zod';
import type { Route } from '#http/routes/route';
import { AccountIdPath, PutAccountBody } from '#schemas/accounts';
import { UpsertBillingRecordsBody } from '#schemas/billing-records';
import { EntityList, InvoiceableView } from '#schemas/ledger';

/** Entities, the billing system’s ingestion, and the invoiceable ledger. */
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
    method: 'PUT',
    path: '/v1/internal/accounts/{accountId}',
    entry: 'functions/internal/put-account.ts',
    uses: ['table-write'],
    summary: 'Upsert an account profile (billing system)',
    group: 'billing-system',
    pathParams: AccountIdPath,
    body: PutAccountBody,
    ok: { status: 200 },
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
    ok: { status: 200, schema: z.object({ upserted: z.int() }) },
    errors: ['CONFLICT'],
  },
  {
    method: 'GET',
    path: '/v1/invoiceable',
    entry: 'functions/ledger/get-invoiceable.ts',
    uses: ['table-read'],
    summary: 'The invoiceable amount with its formula (R10)',
    ok: { status: 200, schema: InvoiceableView },
    errors: [],
  },
];
