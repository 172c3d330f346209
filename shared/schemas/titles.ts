import * as z from 'zod';
import { isValidTaxpayerId } from '#domain/tax-id';
import { Id } from '#schemas/common';

const TaxpayerId = z
  .string()
  .refine(
    isValidTaxpayerId,
    '15–20 upper-case letters and digits; an 18-character code needs a valid check character',
  );

export const TitleType = z.enum([
  'enterprise-ordinary',
  'enterprise-special',
  'personal-ordinary',
  'organization-ordinary',
]);

export const CreateTitleBody = z
  .object({
    type: TitleType,
    name: z.string().trim().min(1).max(100),
    taxId: TaxpayerId.optional(),
    registeredAddress: z.string().trim().min(1).max(200).optional(),
    registeredPhone: z
      .string()
      .regex(/^[0-9+\- ]{7,20}$/, 'a phone number')
      .optional(),
    bankName: z.string().trim().min(1).max(100).optional(),
    bankAccount: z
      .string()
      .regex(/^[0-9 -]{6,40}$/, 'a bank account number')
      .optional(),
    remark: z.string().max(200).optional(),
  })
  .strict()
  .superRefine((title, ctx) => {
    // R20: enterprise and organization titles need the taxpayer ID.
    if (title.type !== 'personal-ordinary' && !title.taxId) {
      ctx.addIssue({ code: 'custom', path: ['taxId'], message: `is required for ${title.type} titles` });
    }
    // R21: special VAT titles need the full registration and bank details.
    if (title.type === 'enterprise-special') {
      for (const field of ['registeredAddress', 'registeredPhone', 'bankName', 'bankAccount'] as const) {
        if (!title[field])
          ctx.addIssue({ code: 'custom', path: [field], message: 'is required for special VAT titles' });
      }
    }
  })
  .meta({ id: 'TitleCreate' });
export type CreateTitleBody = z.infer<typeof CreateTitleBody>;

export const TitleView = z
  .object({
    titleId: Id,
    type: TitleType,
    name: z.string(),
    taxId: z.string().optional(),
    registeredAddress: z.string().optional(),
    registeredPhone: z.string().optional(),
    bankName: z.string().optional(),
    bankAccount: z.string().optional(),
    remark: z.string().optional(),
    status: z.enum(['approved', 'pending-review', 'rejected']),
    rejectionReason: z.string().optional(),
  })
  .meta({ id: 'Title' });
