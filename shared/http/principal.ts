import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError, UnauthenticatedError } from '#domain/errors';

export type Group = 'finance' | 'billing-system' | 'org-admin' | 'tax-platform';

export interface Principal {
  accountId?: string;
  groups: Group[];
}

export interface CustomerPrincipal extends Principal {
  accountId: string;
}

const KNOWN_GROUPS: readonly Group[] = ['finance', 'billing-system', 'org-admin', 'tax-platform'];

/**
 * The caller, from the Cognito authorizer's claims only (never the path or body). The REST
 * API gives claims as strings; `cognito:groups` arrives comma-separated (or as "[a b]").
 */
export function principalOf(event: APIGatewayProxyEvent): Principal {
  const claims = event.requestContext?.authorizer?.claims as Record<string, unknown> | undefined;
  if (!claims) throw new UnauthenticatedError('A valid bearer token is required.');
  const accountId = typeof claims['custom:accountId'] === 'string' ? claims['custom:accountId'] : undefined;
  return { accountId: accountId || undefined, groups: parseGroups(claims['cognito:groups']) };
}

export function parseGroups(raw: unknown): Group[] {
  const values = Array.isArray(raw)
    ? raw.map(String)
    : typeof raw === 'string'
      ? raw.replace(/^\[|\]$/g, '').split(/[\s,]+/)
      : [];
  return values.filter((g): g is Group => (KNOWN_GROUPS as readonly string[]).includes(g));
}

export function requireCustomer(principal: Principal): CustomerPrincipal {
  if (!principal.accountId) throw new ForbiddenError('This endpoint needs a token that names an account.');
  return principal as CustomerPrincipal;
}

export function requireGroup(principal: Principal, group: Group): void {
  if (!principal.groups.includes(group)) throw new ForbiddenError(`This endpoint is for the ${group} group.`);
}
