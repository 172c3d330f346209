import { Id, Instant } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import * as z from '#schemas/zod';

export const AuditQuery = z.object({
  limit: z.meta(z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))), {
    description: 'Page size, default 100',
  }),
  cursor: CursorQueryParam,
});
export type AuditQuery = z.infer<typeof AuditQuery>;

const Hash = z.string().check(z.regex(/^[0-9a-f]{64}$/));

export const AuditEntryView = z.object({
  seq: z.meta(z.int().check(z.gte(1)), { description: 'Position in the chain, from 1' }),
  at: Instant,
  actor: z.meta(z.string(), {
    description: 'Who: account:<accountId>, staff or staff:<id> (finance), system or system:<component>',
    examples: ['account:acct-1', 'staff', 'system'],
  }),
  action: z.meta(z.string(), {
    description: 'What',
    examples: ['created', 'status: submitted → issuing', 'e-mailed'],
  }),
  reason: z.meta(z.optional(z.string()), { description: 'Why, when known' }),
  hash: z.meta(Hash, { description: 'SHA-256 (hex) of previousHash followed by the entry’s canonical JSON' }),
  previousHash: z.meta(Hash, { description: 'The hash of the entry before; 64 zeros for the first' }),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditTrailView = z.meta(
  z.object({
    items: z.array(AuditEntryView),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'AuditTrail' },
);
export type AuditTrailView = z.infer<typeof AuditTrailView>;

export const AuditSubjectPath = z.object({
  subjectType: z.enum(['application', 'invoice', 'title', 'return', 'copy-request']),
  subjectId: Id,
});

export const AuditVerificationView = z.meta(
  z.object({
    subjectType: z.enum(['application', 'invoice', 'title', 'return', 'copy-request']),
    subjectId: Id,
    ok: z.boolean(),
    entries: z.int().check(z.gte(0)),
    head: z.optional(z.object({ seq: z.int(), hash: Hash })),
    anchor: z.meta(z.optional(z.object({ seq: z.int(), hash: Hash, anchoredAt: Instant })), {
      description: 'The latest head anchored outside the table (Object Lock), when there is one',
    }),
    problems: z.array(
      z.object({
        seq: z.int(),
        kind: z.enum(['hash-mismatch', 'broken-link', 'gap', 'anchor-mismatch']),
        detail: z.string(),
      }),
    ),
  }),
  { id: 'AuditVerification' },
);
export type AuditVerificationView = z.infer<typeof AuditVerificationView>;
