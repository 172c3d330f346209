import * as z from 'zod';
import { Fen, Id } from '#schemas/common';

export const PutAccountBody = z
  .object({
    region: z.enum(['mainland', 'overseas']),
    realName: z.object({
      type: z.enum(['none', 'individual', 'enterprise']),
      name: z.string().min(1).max(200).optional(),
    }),
    arrears: Fen,
    orgId: Id.optional(),
    language: z.enum(['zh', 'en']).optional(),
  })
  .strict()
  .meta({ id: 'AccountUpsert' });
export type PutAccountBody = z.infer<typeof PutAccountBody>;

export const AccountIdPath = z.object({ accountId: Id });
