import type { RouteGroup } from '#http/routes/route';
import {
  OrgAccountsView,
  OrgApplicationBody,
  OrgApplicationResult,
  OrganizationBody,
  OrganizationView,
  OrgIdPath,
} from '#schemas/organizations';

/** R32 R33: enterprises with several accounts. */
export const ORGANIZATIONS = {
  putOrganization: {
    method: 'PUT',
    path: '/v1/internal/organizations/{orgId}',
    uses: ['table-write'],
    summary: 'Upsert an organization’s settings: cross-member arrears offset (billing system, R33)',
    group: 'billing-system',
    pathParams: OrgIdPath,
    body: OrganizationBody,
    ok: { status: 200, schema: OrganizationView },
    errors: [],
  },
  listOrgAccounts: {
    method: 'GET',
    path: '/v1/org/accounts',
    uses: ['table-read'],
    summary: 'The organization’s member accounts with what each can invoice, and together (R32, R33)',
    group: 'org-admin',
    ok: { status: 200, schema: OrgAccountsView },
    errors: [],
  },
  createOrgApplications: {
    method: 'POST',
    path: '/v1/org/applications',
    uses: ['table-write', 'workflow-start'],
    summary: 'Apply for several member accounts: one application each, or one consolidated (R32, R33)',
    group: 'org-admin',
    body: OrgApplicationBody,
    idempotent: true,
    ok: { status: 201, schema: OrgApplicationResult },
    errors: [
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
      'IDEMPOTENCY_KEY_REUSED',
      'CONFLICT',
    ],
  },
} satisfies RouteGroup;
