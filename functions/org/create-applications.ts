import { json, route } from '#http/handler';
import { IdempotencyHeaders } from '#schemas/common';
import { OrgApplicationBody } from '#schemas/organizations';
import { createOrgApplications } from '#use-cases/organizations';

export const handler = route(
  { access: 'org-admin', body: OrgApplicationBody, headers: IdempotencyHeaders },
  async ({ principal, body, headers, now }) =>
    json(201, await createOrgApplications(principal, body, headers['idempotency-key'], now)),
);
