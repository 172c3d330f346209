import type { Group } from '#http/principal';
import type * as z from '#schemas/zod';

/**
 * One HTTP route: the Lambda behind it (infra builds one function per route, with grants from
 * `uses`) and its contract (the OpenAPI document is generated from the same zod schemas the
 * handler validates with).
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Handler file from the project root, e.g. "functions/titles/create-title.ts". */
  entry: string;
  uses: ReadonlyArray<
    | 'table-read'
    | 'table-write'
    | 'documents-read'
    | 'workflow-start'
    | 'workflow-signal'
    | 'workflow-stop'
    | 'mail-send'
  >;
  summary: string;
  /** The group the caller must be in; customer routes need an account instead. */
  group?: Group;
  body?: z.ZodMiniType;
  pathParams?: z.ZodMiniObject;
  query?: z.ZodMiniObject;
  idempotent?: boolean;
  ok: { status: number; schema?: z.ZodMiniType; contentType?: string };
  /** Error codes beyond VALIDATION_FAILED, UNAUTHENTICATED and FORBIDDEN. */
  errors: string[];
}
