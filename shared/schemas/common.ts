import * as z from 'zod';

export const Fen = z
  .int()
  .min(0)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Integer amount in fen (1 yuan = 100 fen)' });
export const SignedFen = z
  .int()
  .min(Number.MIN_SAFE_INTEGER)
  .max(Number.MAX_SAFE_INTEGER)
  .meta({ description: 'Integer amount in fen; negative for refunds and adjustments' });
export const TaxRate = z
  .string()
  .regex(/^(0(\.\d{1,4})?|1(\.0{1,4})?)$/, 'a decimal string such as "0.06"')
  .meta({ description: 'Tax rate as a decimal string', examples: ['0.06', '0.13'] });
export const Period = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'YYYY-MM')
  .meta({ description: 'Month consumed' });
export const Instant = z.iso
  .datetime({ offset: true })
  .meta({ description: 'ISO-8601 timestamp with offset' });
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
export const Email = z.email().max(254);

export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ id: 'Problem' });

export const IdempotencyKey = z.string().min(1).max(255);

export const IdempotencyHeaders = z.looseObject({ 'idempotency-key': IdempotencyKey.optional() });
