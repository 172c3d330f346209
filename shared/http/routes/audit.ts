import type { RouteGroup } from '#http/routes/route';
import { ApplicationIdPath } from '#schemas/applications';
import { AuditQuery, AuditSubjectPath, AuditTrailView, AuditVerificationView } from '#schemas/audit';
import { InvoiceIdPath } from '#schemas/invoices';

/**
 * The audit trail (issue 7): read-only. Entries are written by the table stream's consumer
 * (functions/audit/record-changes.ts), never by a route.
 */
export const AUDIT = {
  getApplicationAudit: {
    method: 'GET',
    path: '/v1/applications/{applicationId}/audit',
    uses: ['table-read'],
    summary: 'Who changed the application, when, how and why: hash-chained entries, oldest first',
    pathParams: ApplicationIdPath,
    query: AuditQuery,
    ok: { status: 200, schema: AuditTrailView },
    errors: ['NOT_FOUND'],
  },
  getInvoiceAudit: {
    method: 'GET',
    path: '/v1/invoices/{invoiceId}/audit',
    uses: ['table-read'],
    summary: 'Who changed the invoice, when, how and why: hash-chained entries, oldest first',
    pathParams: InvoiceIdPath,
    query: AuditQuery,
    ok: { status: 200, schema: AuditTrailView },
    errors: ['NOT_FOUND'],
  },
  verifyAuditTrail: {
    method: 'GET',
    path: '/v1/admin/audit/{subjectType}/{subjectId}/verify',
    uses: ['table-read', 'audit-anchors-read'],
    summary: 'Recompute an audit trail’s hash chain and report every entry that does not fit (finance)',
    group: 'finance',
    pathParams: AuditSubjectPath,
    ok: { status: 200, schema: AuditVerificationView },
    errors: ['NOT_FOUND'],
  },
} satisfies RouteGroup;
