import { ADMIN_ROUTES } from '#http/routes/admin';
import { APPLICATION_ROUTES } from '#http/routes/applications';
import { AUDIT_ROUTES } from '#http/routes/audit';
import { INVOICE_ROUTES } from '#http/routes/invoices';
import { LEDGER_ROUTES } from '#http/routes/ledger';
import { MONTHLY_ROUTES } from '#http/routes/monthly';
import { ORGANIZATION_ROUTES } from '#http/routes/organizations';
import type { Route } from '#http/routes/route';
import { TITLE_ROUTES } from '#http/routes/titles';

/** Every route the API serves: infra builds them, the OpenAPI document describes them. */
export const ROUTES: readonly Route[] = [
  ...LEDGER_ROUTES,
  ...TITLE_ROUTES,
  ...APPLICATION_ROUTES,
  ...INVOICE_ROUTES,
  ...ADMIN_ROUTES,
  ...AUDIT_ROUTES,
  ...MONTHLY_ROUTES,
  ...ORGANIZATION_ROUTES,
];
