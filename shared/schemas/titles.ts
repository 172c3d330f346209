import { isValidTaxpayerId } from '#domain/tax-id';
import { missingFields } from '#domain/title-fields';
import { AddressBounceView, Email, Fen, Id, Instant } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

const TaxpayerId = z.meta(
  z
    .string()
    .check(
      z.trim(),
      z.toUpperCase(),
      z.refine(
        isValidTaxpayerId,
        '15–20 upper-case letters and digits; an 18-character code needs a valid check character',
      ),
    ),
  { description: 'Taxpayer ID (纳税人识别号), usually the 18-character unified social credit code' },
);

export const TitleType = z.enum([
  'enterprise-ordinary',
  'enterprise-special',
  'personal-ordinary',
  'organization-ordinary',
]);

/** Create and replace take the same body: a PUT writes every customer field anew. */
export const TitleBody = z.meta(
  z
    .strictObject({
      type: TitleType,
      name: z.meta(text({ max: 100, printed: true }), {
        description: 'Buyer name as printed on the invoice',
      }),
      taxId: z.optional(TaxpayerId),
      registeredAddress: z.optional(text({ max: 200, printed: true })),
      registeredPhone: z.optional(z.string().check(z.trim(), z.regex(/^[0-9+\- ]{7,20}$/, 'a phone number'))),
      bankName: z.optional(text({ max: 100, printed: true })),
      bankAccount: z.optional(
        z.string().check(z.trim(), z.regex(/^[0-9 -]{6,40}$/, 'a bank account number')),
      ),
      remark: z.optional(text({ max: 200, printed: true, blank: true })),
      notifyEmail: z.meta(z.optional(Email), {
        description:
          'Where the qualification review result of an enterprise-special title is e-mailed (zh or en by the account language); optional: without it the result goes to the account’s contact e-mail, if the billing system gave one, and is always shown as the title’s status',
      }),
    })
    .check(
      z.superRefine((title, ctx) => {
        // R20: enterprise and organization titles need the taxpayer ID. R21: special VAT titles
        // also need the registration and bank details and an address for the review result.
        for (const field of missingFields(title)) {
          ctx.addIssue({ code: 'custom', path: [field], message: `is required for ${title.type} titles` });
        }
      }),
    ),
  {
    id: 'TitleInput',
    description:
      'enterprise-ordinary and organization-ordinary need taxId; enterprise-special needs taxId, registeredAddress, registeredPhone, bankName and bankAccount (notifyEmail is optional); personal-ordinary needs only the name',
  },
);
export type TitleBody = z.infer<typeof TitleBody>;

/** The body of POST /v1/titles. */
export const CreateTitleBody = TitleBody;
export type CreateTitleBody = TitleBody;

export const TitleView = z.meta(
  z.object({
    titleId: Id,
    type: TitleType,
    name: z.string(),
    taxId: z.optional(z.string()),
    registeredAddress: z.optional(z.string()),
    registeredPhone: z.optional(z.string()),
    bankName: z.optional(z.string()),
    bankAccount: z.optional(z.string()),
    remark: z.optional(z.string()),
    notifyEmail: z.optional(z.string()),
    status: z.enum(['approved', 'pending-review', 'rejected']),
    rejectionReason: z.optional(z.string()),
    submittedAt: z.meta(z.optional(Instant), { description: 'When this version went to review (+08:00)' }),
    reviewDueBy: z.meta(z.optional(Instant), {
      description:
        'R21: pending special titles are reviewed by the end of the 2nd mainland working day after submission (+08:00)',
    }),
    decidedAt: z.optional(Instant),
    notifyEmailBounce: z.meta(z.optional(AddressBounceView), {
      description:
        'Issue 14: mail to notifyEmail bounced or drew a complaint; changing notifyEmail clears it',
    }),
  }),
  { id: 'Title' },
);
export type TitleView = z.infer<typeof TitleView>;

const Limit = z.coerce.number().check(z.int(), z.gte(1), z.lte(100));
export const ListQuery = z.object({ limit: z.optional(Limit), cursor: CursorQueryParam });
export type ListQuery = z.infer<typeof ListQuery>;

export const TitleList = z.meta(z.object({ items: z.array(TitleView), nextCursor: z.optional(z.string()) }), {
  id: 'TitleList',
});

export const TitleIdPath = z.object({ titleId: Id });
export const AccountTitlePath = z.object({ accountId: Id, titleId: Id });

export const TitleDecisionBody = z.meta(
  z
    .strictObject({
      approve: z.boolean(),
      reason: z.meta(z.optional(text({ max: 500 })), {
        description: 'Required when rejecting; e-mailed to the customer',
      }),
    })
    .check(
      z.superRefine((decision, ctx) => {
        if (!decision.approve && !decision.reason) {
          ctx.addIssue({ code: 'custom', path: ['reason'], message: 'is required when rejecting' });
        }
      }),
    ),
  { id: 'TitleDecision' },
);
export type TitleDecisionBody = z.infer<typeof TitleDecisionBody>;

export const TitleReviewItem = z.meta(z.extend(TitleView, { accountId: Id }), { id: 'TitleReview' });

export const ApplicationReviewItem = z.meta(
  z.object({
    accountId: Id,
    applicationId: Id,
    total: Fen,
    titleName: z.string(),
    titleType: TitleType,
    medium: z.enum(['electronic', 'paper']),
    submittedAt: Instant,
    expectedBy: z.meta(Instant, { description: 'R28: when the application is expected to be complete' }),
  }),
  { id: 'ApplicationReview' },
);

export const ReviewList = z.meta(
  z.object({
    titles: z.meta(z.array(TitleReviewItem), {
      description: 'Special titles waiting for review, oldest first',
    }),
    applications: z.meta(z.array(ApplicationReviewItem), {
      description: 'Applications waiting for finance (R25), oldest first',
    }),
    nextCursor: z.optional(z.string()),
  }),
  { id: 'ReviewList' },
);
