import type { Group } from '#http/principal';
import type * as z from '#schemas/zod';

/**
 * One HTTP route, its contract written once: the handler validates with these schemas and
 * checks this access rule (shared/http/handler.ts), the OpenAPI document is generated from
 * them, and infra grants the serving function what `uses` names.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  uses: ReadonlyArray<
    | 'table-read'
    | 'table-write'
    | 'documents-read'
    | 'audit-anchors-read'
    | 'workflow-start'
    | 'workflow-signal'
    | 'workflow-stop'
    | 'mail-send'
    | 'returns-start'
    | 'returns-signal'
  >;
  summary: string;
  /** The group the caller must be in; customer routes need an account instead. */
  group?: Group;
  body?: z.ZodMiniType;
  pathParams?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  /** Takes an optional Idempotency-Key header (validated with the other inputs). */
  idempotent?: boolean;
  ok: { status: number; schema?: z.ZodMiniType; contentType?: string };
  /** Error codes beyond VALIDATION_FAILED, UNAUTHENTICATED and FORBIDDEN. */
  errors: readonly string[];
}

/**
 * The routes one Lambda function serves, by name. Its handler (`functions/api/<file>.ts`)
 * implements every name and no other; infra builds one function per group (routes/index.ts).
 */
export type RouteGroup = Record<string, Route>;
