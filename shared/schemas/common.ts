import * as z from '#schemas/zod';

export const Fen = z.meta(z.int().check(z.gte(0), z.lte(Number.MAX_SAFE_INTEGER)), {
  description: 'Integer amount in fen (1 yuan = 100 fen)',
});
export const SignedFen = z.meta(
  z.int().check(z.gte(Number.MIN_SAFE_INTEGER), z.lte(Number.MAX_SAFE_INTEGER)),
  {
    description: 'Integer amount in fen; negative for refunds and adjustments',
  },
);
export const TaxRate = z.meta(
  z.string().check(z.regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'a decimal string such as "0.06"')),
  { description: 'Tax rate as a decimal string', examples: ['0.06', '0.13'] },
);
export const Period = z.meta(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')), {
  description: 'Month consumed',
});
export const Instant = z.meta(z.iso.datetime({ offset: true }), {
  description: 'ISO-8601 timestamp with offset',
});
export const Id = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only'));
export const Email = z.email().check(z.maxLength(254));

/** Issue 14: an address whose mail bounced or drew a complaint (docs/API.md). */
export const AddressBounceView = z.meta(
  z.object({
    address: z.string(),
    kind: z.enum(['bounce', 'complaint']),
    type: z.meta(z.string(), { description: 'Permanent, Transient or Undetermined; or the complaint type' }),
    at: Instant,
    suppressed: z.meta(z.boolean(), { description: 'No mail goes there until the address changes' }),
  }),
  { id: 'AddressBounce' },
);

export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export const ProblemSchema = z.meta(
  z.object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    errors: z.optional(z.array(FieldErrorSchema)),
    instance: z.optional(z.string()),
  }),
  { id: 'Problem' },
);

export const IdempotencyKey = z.string().check(z.minLength(1), z.maxLength(255));

export const IdempotencyHeaders = z.looseObject({ 'idempotency-key': z.optional(IdempotencyKey) });
