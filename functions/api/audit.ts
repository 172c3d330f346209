import { api, json } from '#http/handler';
import { AUDIT } from '#http/routes/audit';
import { applicationAuditFor, invoiceAuditFor, verifyAuditTrail } from '#use-cases/audit';

export const handler = api(AUDIT, {
  getApplicationAudit: async ({ accountId, path, query }) =>
    json(200, await applicationAuditFor(accountId, path.applicationId, query)),
  getInvoiceAudit: async ({ accountId, path, query }) =>
    json(200, await invoiceAuditFor(accountId, path.invoiceId, query)),
  verifyAuditTrail: async ({ path }) => json(200, await verifyAuditTrail(path.subjectType, path.subjectId)),
});
