import { ROUTES } from '#http/routes/index';
import { ProblemSchema } from '#schemas/common';
import * as z from '#schemas/zod';

const COMMON_ERRORS = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN'];

const STATUS_OF: Record<string, string> = {
  VALIDATION_FAILED: '400',
  UNAUTHENTICATED: '401',
  FORBIDDEN: '403',
  NOT_FOUND: '404',
  CONFLICT: '409',
  CANCEL_WINDOW_CLOSED: '409',
};

type Json = Record<string, unknown>;

/**
 * Every named schema goes to `components/schemas` once, and references to it point there: the
 * generator writes each schema with its own `$defs` and `#/$defs/...` references, which would
 * resolve against the document root (where there are none).
 */
function componentRegistry() {
  const components: Record<string, Json> = {};
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: Json = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$schema' || key === '$defs') continue;
      out[key] =
        key === '$ref' && typeof inner === 'string'
          ? inner.replace(/^#\/\$defs\//, '#/components/schemas/')
          : rewrite(inner);
    }
    return out;
  };
  // The JSON-Schema generator runs here, in scripts, never in a Lambda bundle.
  const schema = (s: z.ZodMiniType): Json => {
    const json = z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }) as Json;
    for (const [name, def] of Object.entries((json.$defs ?? {}) as Record<string, Json>)) {
      const hoisted = rewrite(def) as Json;
      const known = components[name];
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(hoisted)) {
        throw new Error(`Two different schemas are both named ${name}`);
      }
      components[name] = hoisted;
    }
    return rewrite(json) as Json;
  };
  return { components, schema };
}

/** `GET /v1/applications/{applicationId}/audit` → `getApplicationsByApplicationIdAudit`: unique per route. */
function operationId(method: string, path: string): string {
  const words = path
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'v1')
    .flatMap((segment) => {
      const param = segment.match(/^\{(.+)\}$/);
      return (param ? ['by', param[1]!] : segment.split(/[-.]/)).map(
        (w) => w.charAt(0).toUpperCase() + w.slice(1),
      );
    });
  return method.toLowerCase() + words.join('');
}

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const { components, schema } = componentRegistry();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of ROUTES) {
    const responses: Record<string, unknown> = {
      [String(op.ok.status)]: {
        description: 'OK',
        ...(op.ok.schema
          ? { content: { 'application/json': { schema: schema(op.ok.schema) } } }
          : op.ok.contentType
            ? { content: { [op.ok.contentType]: { schema: { type: 'string', format: 'binary' } } } }
            : {}),
      },
    };
    const byStatus = new Map<string, string[]>();
    for (const code of [...COMMON_ERRORS, ...op.errors]) {
      const status = STATUS_OF[code] ?? '422';
      byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
    }
    for (const [status, codes] of byStatus) {
      responses[status] = {
        description: codes.join(', '),
        content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
      };
    }
    const queryParameters = (query: z.ZodMiniObject | undefined) => {
      if (query === undefined) return [];
      let object = schema(query);
      if (typeof object.$ref === 'string') object = components[object.$ref.split('/').pop()!] ?? {};
      const required = new Set((object.required ?? []) as string[]);
      return Object.entries((object.properties ?? {}) as Record<string, Json>).map(([name, field]) => ({
        name,
        in: 'query',
        required: required.has(name),
        schema: field,
      }));
    };
    const parameters = [
      ...Object.keys(op.pathParams?.shape ?? {}).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...queryParameters(op.query),
      ...(op.idempotent
        ? [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: false,
              schema: { type: 'string', maxLength: 255 },
            },
          ]
        : []),
    ];
    paths[op.path] ??= {};
    paths[op.path]![op.method.toLowerCase()] = {
      operationId: operationId(op.method, op.path),
      summary: op.summary,
      ...(op.group ? { description: `Requires the \`${op.group}\` group.` } : {}),
      security: [{ bearer: [] }],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.body) } } } }
        : {}),
      responses,
    };
  }
  const problem = schema(ProblemSchema);
  if (problem.$ref === undefined) components.Problem = problem;
  return {
    openapi: '3.1.0',
    info: { title: 'Invoice application service', version },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
    paths,
  };
}
