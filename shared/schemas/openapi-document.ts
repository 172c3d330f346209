import * as z from 'zod';
import { AccountIdPath, PutAccountBody } from '#schemas/accounts';
import { ApplicationIdPath, ApplicationView, CreateApplicationBody } from '#schemas/applications';
import { UpsertBillingRecordsBody } from '#schemas/billing-records';
import { ProblemSchema } from '#schemas/common';
import { EntityList, InvoiceableView, InvoiceIdPath, InvoiceView } from '#schemas/invoices';
import { CreateTitleBody, TitleView } from '#schemas/titles';

interface Operation {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  group?: 'finance' | 'billing-system' | 'org-admin';
  body?: z.ZodType;
  path_?: z.ZodObject;
  idempotent?: boolean;
  ok: { status: number; schema?: z.ZodType; contentType?: string };
  errors: string[];
}

const COMMON_ERRORS = ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'FORBIDDEN'];

/** Every operation the API serves, described from the same zod schemas the handlers validate with. */
export const OPERATIONS: Operation[] = [
  {
    method: 'get',
    path: '/v1/entities',
    summary: 'The provider’s invoicing entities',
    ok: { status: 200, schema: EntityList },
    errors: [],
  },
  {
    method: 'put',
    path: '/v1/internal/accounts/{accountId}',
    summary: 'Upsert an account profile (billing system)',
    group: 'billing-system',
    path_: AccountIdPath,
    body: PutAccountBody,
    ok: { status: 200 },
    errors: [],
  },
  {
    method: 'post',
    path: '/v1/internal/billing-records',
    summary: 'Upsert up to 500 billing records by recordId, idempotently (billing system)',
    group: 'billing-system',
    body: UpsertBillingRecordsBody,
    ok: { status: 200, schema: z.object({ upserted: z.int() }) },
    errors: ['CONFLICT'],
  },
  {
    method: 'get',
    path: '/v1/invoiceable',
    summary: 'The invoiceable amount with its formula (R10)',
    ok: { status: 200, schema: InvoiceableView },
    errors: [],
  },
  {
    method: 'post',
    path: '/v1/titles',
    summary: 'Add an invoice title',
    body: CreateTitleBody,
    ok: { status: 201, schema: TitleView },
    errors: ['REAL_NAME_REQUIRED', 'TITLE_TYPE_NOT_ALLOWED'],
  },
  {
    method: 'post',
    path: '/v1/applications',
    summary: 'Apply for invoices',
    body: CreateApplicationBody,
    idempotent: true,
    ok: { status: 201, schema: ApplicationView },
    errors: [
      'NOT_FOUND',
      'IDEMPOTENCY_KEY_REUSED',
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
      'CONFLICT',
    ],
  },
  {
    method: 'get',
    path: '/v1/applications/{applicationId}',
    summary: 'One application with its invoices and timeline',
    path_: ApplicationIdPath,
    ok: { status: 200, schema: ApplicationView },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/v1/invoices/{invoiceId}',
    summary: 'One issued invoice',
    path_: InvoiceIdPath,
    ok: { status: 200, schema: InvoiceView },
    errors: ['NOT_FOUND'],
  },
  {
    method: 'get',
    path: '/v1/invoices/{invoiceId}/pdf',
    summary: 'The invoice PDF',
    path_: InvoiceIdPath,
    ok: { status: 200, contentType: 'application/pdf' },
    errors: ['NOT_FOUND'],
  },
];

const STATUS_OF: Record<string, string> = {
  VALIDATION_FAILED: '400',
  UNAUTHENTICATED: '401',
  FORBIDDEN: '403',
  NOT_FOUND: '404',
  CONFLICT: '409',
  CANCEL_WINDOW_CLOSED: '409',
};

const schema = (s: z.ZodType) =>
  z.toJSONSchema(s, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
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
      ...Object.keys(op.path_?.shape ?? {}).map((name) => ({
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
    paths[op.path]![op.method] = {
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
