import * as z from 'zod';
import { Id, Instant } from '#schemas/common';

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().meta({ description: 'Page size, default 100' }),
  cursor: z.string().min(1).max(64).optional().meta({ description: 'nextCursor of the previous page' }),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);

export const AuditEntryView = z.object({
  seq: z.int().min(1).meta({ description: 'Position in the chain, from 1' }),
  at: Instant,
  actor: z.string().meta({
    description: 'Who: account:<accountId>, staff or staff:<id> (finance), system or system:<component>',
    examples: ['account:acct-1', 'staff', 'system'],
  }),
  action: z
    .string()
    .meta({ description: 'What', examples: ['created', 'status: submitted → issuing', 'e-mailed'] }),
  reason: z.string().optional().meta({ description: 'Why, when known' }),
  hash: Hash.meta({ description: 'SHA-256 (hex) of previousHash followed by the entry’s canonical JSON' }),
  previousHash: Hash.meta({ description: 'The hash of the entry before; 64 zeros for the first' }),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditTrailView = z
  .object({
    items: z.array(AuditEntryView),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'AuditTrail' });
export type AuditTrailView = z.infer<typeof AuditTrailView>;

export const AuditSubjectPath = z.object({
  subjectType: z.enum(['application', 'invoice', 'title']),
  subjectId: Id,
});

export const AuditVerificationView = z
  .object({
    subjectType: z.enum(['application', 'invoice', 'title']),
    subjectId: Id,
    ok: z.boolean(),
    entries: z.int().min(0),
    head: z.object({ seq: z.int(), hash: Hash }).optional(),
    problems: z.array(
      z.object({
        seq: z.int(),
        kind: z.enum(['hash-mismatch', 'broken-link', 'gap']),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'AuditVerification' });
export type AuditVerificationView = z.infer<typeof AuditVerificationView>;
