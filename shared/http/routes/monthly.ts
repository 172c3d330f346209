import type { RouteGroup } from '#http/routes/route';
import {
  AutoInvoicingBody,
  AutoInvoicingView,
  MonthlyRunQuery,
  MonthlyRunView,
  MonthPath,
} from '#schemas/monthly';

/** R31 monthly automatic invoicing: the account's settings and finance's view of a run. */
export const MONTHLY = {
  putAutoInvoicing: {
    method: 'PUT',
    path: '/v1/account/auto-invoicing',
    uses: ['table-write'],
    summary: 'Turn monthly automatic invoicing on with a title and delivery target, or off (R31)',
    body: AutoInvoicingBody,
    ok: { status: 200, schema: AutoInvoicingView },
    errors: [
      'NOT_FOUND',
      'REAL_NAME_REQUIRED',
      'TITLE_TYPE_NOT_ALLOWED',
      'REGION_NOT_SUPPORTED',
      'TITLE_NOT_APPROVED',
      'DELIVERY_REQUIRED',
      'PAPER_NOT_AVAILABLE',
    ],
  },
  getMonthlyRun: {
    method: 'GET',
    path: '/v1/admin/monthly-runs/{month}',
    uses: ['table-read'],
    summary: 'A monthly run: counts, amount, and the skipped accounts with their reasons (R31)',
    group: 'finance',
    pathParams: MonthPath,
    query: MonthlyRunQuery,
    ok: { status: 200, schema: MonthlyRunView },
    errors: ['NOT_FOUND'],
  },
} satisfies RouteGroup;
