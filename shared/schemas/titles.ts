import * as z from 'zod';
import { isValidTaxpayerId } from '#domain/tax-id';
import { missingFields } from '#domain/title-fields';
import { Email, Fen, Id, Instant } from '#schemas/common';

// No control characters: these fields are printed on invoices and quoted in e-mails.
const PLAIN = /^[^\p{Cc}]*$/u;
const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(PLAIN, 'no control characters (line breaks, tabs)');

const TaxpayerId = z
  .string()
  .trim()
  .toUpperCase()
  .refine(
    isValidTaxpayerId,
    '15–20 upper-case letters and digits; an 18-character code needs a valid check character',
  )
  .meta({ description: 'Taxpayer ID (纳税人识别号), usually the 18-character unified social credit code' });

export const TitleType = z.enum([
  'enterprise-ordinary',
  'enterprise-special',
  'personal-ordinary',
  'organization-ordinary',
]);

/** Create and replace take the same body: a PUT writes every customer field anew. */
export const TitleBody = z
  .object({
    type: TitleType,
    name: text(100).meta({ description: 'Buyer name as printed on the invoice' }),
    taxId: TaxpayerId.optional(),
    registeredAddress: text(200).optional(),
    registeredPhone: z
      .string()
      .trim()
      .regex(/^[0-9+\- ]{7,20}$/, 'a phone number')
      .optional(),
    bankName: text(100).optional(),
    bankAccount: z
      .string()
      .trim()
      .regex(/^[0-9 -]{6,40}$/, 'a bank account number')
      .optional(),
    remark: z.string().max(200).regex(PLAIN, 'no control characters').optional(),
    notifyEmail: Email.optional().meta({
      description:
        'Where the qualification review result is e-mailed (zh or en by the account language); required for enterprise-special titles',
    }),
  })
  .strict()
  .superRefine((title, ctx) => {
    // R20: enterprise and organization titles need the taxpayer ID. R21: special VAT titles
    // also need the registration and bank details and an address for the review result.
    for (const field of missingFields(title)) {
      ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${title.type} titles` });
    }
  })
  .meta({
    id: 'TitleInput',
    description:
      'enterprise-ordinary and organization-ordinary need taxId; enterprise-special needs taxId, registeredAddress, registeredPhone, bankName, bankAccount and notifyEmail; personal-ordinary needs only the name',
  });
export type TitleBody = z.infer<typeof TitleBody>;

/** The body of POST /v1/titles. */
export const CreateTitleBody = TitleBody;
export type CreateTitleBody = TitleBody;

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
    notifyEmail: z.string().optional(),
    status: z.enum(['approved', 'pending-review', 'rejected']),
    rejectionReason: z.string().optional(),
    submittedAt: Instant.optional().meta({ description: 'When this version went to review (+08:00)' }),
    reviewDueBy: Instant.optional().meta({
      description:
        'R21: pending special titles are reviewed by the end of the 2nd mainland working day after submission (+08:00)',
    }),
    decidedAt: Instant.optional(),
  })
  .meta({ id: 'Title' });
export type TitleView = z.infer<typeof TitleView>;

const Limit = z.coerce.number().int().min(1).max(100);
const Cursor = z.string().min(1).max(1024);

export const ListQuery = z.object({ limit: Limit.optional(), cursor: Cursor.optional() });
export type ListQuery = z.infer<typeof ListQuery>;

export const TitleList = z
  .object({ items: z.array(TitleView), nextCursor: z.string().optional() })
  .meta({ id: 'TitleList' });

export const TitleIdPath = z.object({ titleId: Id });
export const AccountTitlePath = z.object({ accountId: Id, titleId: Id });

export const TitleDecisionBody = z
  .object({
    approve: z.boolean(),
    reason: text(500).optional().meta({ description: 'Required when rejecting; e-mailed to the customer' }),
  })
  .strict()
  .superRefine((decision, ctx) => {
    if (!decision.approve && !decision.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when rejecting' });
    }
  })
  .meta({ id: 'TitleDecision' });
export type TitleDecisionBody = z.infer<typeof TitleDecisionBody>;

export const TitleReviewItem = TitleView.extend({ accountId: Id }).meta({ id: 'TitleReview' });

export const ApplicationReviewItem = z
  .object({
    accountId: Id,
    applicationId: Id,
    total: Fen,
    titleName: z.string(),
    titleType: TitleType,
    medium: z.enum(['electronic', 'paper']),
    submittedAt: Instant,
    expectedBy: Instant.meta({ description: 'R28: when the application is expected to be complete' }),
  })
  .meta({ id: 'ApplicationReview' });

export const ReviewList = z
  .object({
    titles: z.array(TitleReviewItem).meta({ description: 'Special titles waiting for review, oldest first' }),
    applications: z
      .array(ApplicationReviewItem)
      .meta({ description: 'Applications waiting for finance (R25), oldest first' }),
    nextCursor: z.string().optional(),
  })
  .meta({ id: 'ReviewList' });
