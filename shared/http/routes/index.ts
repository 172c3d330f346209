import { ADMIN } from '#http/routes/admin';
import { APPLICATIONS_READ, APPLICATIONS_WRITE } from '#http/routes/applications';
import { AUDIT } from '#http/routes/audit';
import { INVOICES_READ, INVOICES_WRITE } from '#http/routes/invoices';
import { LEDGER } from '#http/routes/ledger';
import { MONTHLY } from '#http/routes/monthly';
import { ORGANIZATIONS } from '#http/routes/organizations';
import { RETURNS } from '#http/routes/returns';
import type { Route, RouteGroup } from '#http/routes/route';
import { TITLES_READ, TITLES_WRITE } from '#http/routes/titles';
import { WEBHOOKS } from '#http/routes/webhooks';

/** One Lambda function of the API: the routes it serves and the handler file that implements them. */
export interface ApiFunction {
  /** PascalCase; infra names the function `Api<name>`. */
  name: string;
  /** Handler file from the project root. */
  entry: string;
  routes: RouteGroup;
  /**
   * Seconds the function may run when not the default 10: creating applications reserves a
   * large selection chunk by chunk, which may take longer (API Gateway waits 29 s).
   */
  timeoutSeconds?: number;
}

/**
 * The API's functions, one per bounded context, split into a read and a write function where
 * least privilege calls for it (a function gets the union of its routes' `uses`).
 */
export const API_FUNCTIONS: readonly ApiFunction[] = [
  { name: 'Ledger', entry: 'functions/api/ledger.ts', routes: LEDGER },
  { name: 'TitlesRead', entry: 'functions/api/titles-read.ts', routes: TITLES_READ },
  { name: 'TitlesWrite', entry: 'functions/api/titles-write.ts', routes: TITLES_WRITE },
  { name: 'ApplicationsRead', entry: 'functions/api/applications-read.ts', routes: APPLICATIONS_READ },
  {
    name: 'ApplicationsWrite',
    entry: 'functions/api/applications-write.ts',
    routes: APPLICATIONS_WRITE,
    timeoutSeconds: 25,
  },
  { name: 'InvoicesRead', entry: 'functions/api/invoices-read.ts', routes: INVOICES_READ },
  { name: 'InvoicesWrite', entry: 'functions/api/invoices-write.ts', routes: INVOICES_WRITE },
  { name: 'Returns', entry: 'functions/api/returns.ts', routes: RETURNS },
  { name: 'Admin', entry: 'functions/api/admin.ts', routes: ADMIN },
  { name: 'Audit', entry: 'functions/api/audit.ts', routes: AUDIT },
  { name: 'Monthly', entry: 'functions/api/monthly.ts', routes: MONTHLY },
  {
    name: 'Organizations',
    entry: 'functions/api/organizations.ts',
    routes: ORGANIZATIONS,
    timeoutSeconds: 25,
  },
  // Also the webhook dispatcher: infra/constructs/webhooks.ts builds it.
  { name: 'Webhooks', entry: 'functions/api/webhooks.ts', routes: WEBHOOKS },
];

/** Every route the API serves: infra builds them, the OpenAPI document describes them. */
export const ROUTES: readonly Route[] = API_FUNCTIONS.flatMap((fn) => Object.values(fn.routes));
