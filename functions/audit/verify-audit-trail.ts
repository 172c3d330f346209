import { json, route } from '#http/handler';
import { AuditSubjectPath } from '#schemas/audit';
import { verifyAuditTrail } from '#use-cases/audit';

export const handler = route({ access: 'finance', path: AuditSubjectPath }, async ({ path }) =>
  json(200, await verifyAuditTrail(path.subjectType, path.subjectId)),
);
