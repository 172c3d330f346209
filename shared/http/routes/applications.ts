import type { Route } from '#http/routes/route';
import { ApplicationIdPath, ApplicationView, CreateApplicationBody } from '#schemas/applications';

/** Applying, previewing, following and cancelling applications. */
export const APPLICATION_ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/v1/applications',
    entry: 'functions/applications/create-application.ts',
    uses: ['table-write', 'workflow-start'],
    summary: 'Apply for invoices',
    body: CreateApplicationBody,
    idempotent: true,
    ok: { status: 201, schema: ApplicationView },
    errors: [
      'NOT_FOUND',
      'IDEMPOTENCY_KEY_REUSED',
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
      'CONFLICT',
    ],
  },
  {
    method: 'GET',
    path: '/v1/applications/{applicationId}',
    entry: 'functions/applications/get-application.ts',
    uses: ['table-read'],
    summary: 'One application with its invoices and timeline',
    pathParams: ApplicationIdPath,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND'],
  },
];
