import { Email, Id, Instant } from '#schemas/common';
import { CursorQueryParam } from '#schemas/cursor';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

export const ReturnReason = z.meta(
  z.enum(['ISSUE_ERROR', 'SALES_RETURN', 'SERVICE_SUSPENSION', 'SALES_DISCOUNT']),
  { description: 'R34: why the invoice is returned' },
);

export const ReturnBody = z.meta(
  z.strictObject({
    reason: ReturnReason,
    reissueTitleId: z.meta(z.optional(Id), {
      description:
        'R34: once the red-letter invoice exists, apply again for the same amounts under this title',
    }),
    courier: z.meta(z.optional(text({ max: 40 })), {
      description: 'Paper invoices: the courier the invoice was mailed back with (required for paper)',
    }),
    trackingNumber: z.meta(
      z.optional(
        z.string().check(z.trim(), z.regex(/^[A-Za-z0-9-]{6,40}$/, 'letters, digits and - (6 to 40)')),
      ),
      { description: 'Paper invoices: the tracking number of the mailed-back invoice (required for paper)' },
    ),
    redLetterFormNumber: z.meta(z.optional(z.string().check(z.regex(/^\d{16}$/, '16 digits'))), {
      description:
        'The red-letter information form (红字信息表) number from the tax bureau: required for a special invoice the buyer has certified',
    }),
  }),
  { id: 'ReturnRequest' },
);
export type ReturnBody = z.infer<typeof ReturnBody>;

export const ReturnView = z.meta(
  z.object({
    returnId: Id,
    status: z.enum(['awaiting-arrival', 'crediting', 'credited', 'reissued', 'failed']),
    reason: ReturnReason,
    invoiceId: Id,
    invoiceNumber: z.string(),
    redInvoiceId: z.meta(Id, {
      description: 'The red-letter invoice (fixed at request; exists once credited)',
    }),
    redInvoiceNumber: z.optional(z.string()),
    mailedBack: z.optional(z.object({ courier: z.string(), trackingNumber: z.string() })),
    redLetterFormNumber: z.optional(z.string()),
    reissueTitleId: z.optional(Id),
    reissueApplicationId: z.meta(z.optional(Id), {
      description: 'R34: the new application under the corrected title',
    }),
    requestedAt: Instant,
    arrivedAt: z.optional(Instant),
    creditedAt: z.optional(Instant),
    failureReason: z.optional(z.string()),
  }),
  { id: 'InvoiceReturn' },
);

export const CopyRequestView = z.meta(
  z.object({
    requestId: Id,
    invoiceId: Id,
    invoiceNumber: z.string(),
    accountId: z.meta(z.optional(Id), { description: 'Shown to finance staff' }),
    status: z.enum(['open', 'sent']),
    requestedAt: Instant,
    sentAt: z.optional(Instant),
    email: z.optional(Email),
  }),
  { id: 'CopyRequest' },
);

export const CopyRequestList = z.meta(
  z.object({ items: z.array(CopyRequestView), nextCursor: z.optional(z.string()) }),
  { id: 'CopyRequestList' },
);

export const CopyRequestQuery = z.object({
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  cursor: CursorQueryParam,
});
export type CopyRequestQuery = z.infer<typeof CopyRequestQuery>;
