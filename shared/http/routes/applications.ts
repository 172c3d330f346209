import type { RouteGroup } from '#http/routes/route';
import {
  ApplicationIdPath,
  ApplicationList,
  ApplicationListQuery,
  ApplicationPreview,
  ApplicationView,
  CreateApplicationBody,
} from '#schemas/applications';

/** What create and preview check, in order (see shared/use-cases/application-plan.ts). */
const APPLY_ERRORS = [
  'NOT_FOUND',
  'REAL_NAME_REQUIRED',
  'TITLE_TYPE_NOT_ALLOWED',
  'REGION_NOT_SUPPORTED',
  'TITLE_NOT_APPROVED',
  'DELIVERY_REQUIRED',
  'PAPER_NOT_AVAILABLE',
  'RECORD_NOT_INVOICEABLE',
  'NEGATIVE_RECORD_ALONE',
  'ARREARS_OUTSTANDING',
  'AMOUNT_EXCEEDS_INVOICEABLE',
];

/** Previewing and following applications: table reads only. */
export const APPLICATIONS_READ = {
  previewApplication: {
    method: 'POST',
    path: '/v1/applications/preview',
    uses: ['table-read'],
    summary: 'Preview the invoices an application would produce (R18); writes nothing',
    body: CreateApplicationBody,
    ok: { status: 200, schema: ApplicationPreview },
    errors: APPLY_ERRORS,
  },
  listApplications: {
    method: 'GET',
    path: '/v1/applications',
    uses: ['table-read'],
    summary: 'The account’s applications, newest first, with the prefill for the next one (R19)',
    query: ApplicationListQuery,
    ok: { status: 200, schema: ApplicationList },
    errors: [],
  },
  getApplication: {
    method: 'GET',
    path: '/v1/applications/{applicationId}',
    uses: ['table-read'],
    summary: 'One application with its invoices and timeline',
    pathParams: ApplicationIdPath,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND'],
  },
} satisfies RouteGroup;

/** Applying and cancelling: starts and stops the application workflow. */
export const APPLICATIONS_WRITE = {
  createApplication: {
    method: 'POST',
    path: '/v1/applications',
    uses: ['table-write', 'workflow-start'],
    summary: 'Apply for invoices',
    body: CreateApplicationBody,
    idempotent: true,
    ok: { status: 201, schema: ApplicationView },
    errors: [...APPLY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'CONFLICT'],
  },
  cancelApplication: {
    method: 'POST',
    path: '/v1/applications/{applicationId}/cancel',
    uses: ['table-write', 'workflow-stop', 'mail-send'],
    summary: 'Cancel until cancellableUntil and before issuing starts (R24)',
    pathParams: ApplicationIdPath,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND', 'CANCEL_WINDOW_CLOSED', 'CONFLICT'],
  },
} satisfies RouteGroup;
