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

// The JSON-Schema generator runs here, in scripts, never in a Lambda bundle.
const schema = (s: z.ZodMiniType) =>
  z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

export function buildOpenApiDocument(version: string): Record<string, unknown> {
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
    const parameters = [
      ...Object.keys(op.pathParams?.shape ?? {}).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
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
  return {
    openapi: '3.1.0',
    info: { title: 'Invoice application service', version },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: schema(ProblemSchema) },
    },
    paths,
  };
}
