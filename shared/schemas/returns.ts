import * as z from 'zod';
import { Email, Id, Instant } from '#schemas/common';

export const ReturnReason = z
  .enum(['ISSUE_ERROR', 'SALES_RETURN', 'SERVICE_SUSPENSION', 'SALES_DISCOUNT'])
  .meta({ description: 'R34: why the invoice is returned' });

export const ReturnBody = z
  .object({
    reason: ReturnReason,
    reissueTitleId: Id.optional().meta({
      description:
        'R34: once the red-letter invoice exists, apply again for the same amounts under this title',
    }),
    courier: z.string().trim().min(1).max(40).optional().meta({
      description: 'Paper invoices: the courier the invoice was mailed back with (required for paper)',
    }),
    trackingNumber: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9-]{6,40}$/, 'letters, digits and - (6 to 40)')
      .optional()
      .meta({
        description: 'Paper invoices: the tracking number of the mailed-back invoice (required for paper)',
      }),
    redLetterFormNumber: z
      .string()
      .regex(/^\d{16}$/, '16 digits')
      .optional()
      .meta({
        description:
          'The red-letter information form (红字信息表) number from the tax bureau: required for a special invoice the buyer has certified',
      }),
  })
  .strict()
  .meta({ id: 'ReturnRequest' });
export type ReturnBody = z.infer<typeof ReturnBody>;

export const ReturnView = z
  .object({
    returnId: Id,
    status: z.enum(['awaiting-arrival', 'crediting', 'credited', 'reissued', 'failed']),
    reason: ReturnReason,
    invoiceId: Id,
    invoiceNumber: z.string(),
    redInvoiceId: Id.meta({ description: 'The red-letter invoice (fixed at request; exists once credited)' }),
    redInvoiceNumber: z.string().optional(),
    mailedBack: z.object({ courier: z.string(), trackingNumber: z.string() }).optional(),
    redLetterFormNumber: z.string().optional(),
    reissueTitleId: Id.optional(),
    reissueApplicationId: Id.optional().meta({
      description: 'R34: the new application under the corrected title',
    }),
    requestedAt: Instant,
    arrivedAt: Instant.optional(),
    creditedAt: Instant.optional(),
    failureReason: z.string().optional(),
  })
  .meta({ id: 'InvoiceReturn' });

export const CopyRequestView = z
  .object({
    requestId: Id,
    invoiceId: Id,
    invoiceNumber: z.string(),
    accountId: Id.optional().meta({ description: 'Shown to finance staff' }),
    status: z.enum(['open', 'sent']),
    requestedAt: Instant,
    sentAt: Instant.optional(),
    email: Email.optional(),
  })
  .meta({ id: 'CopyRequest' });

export const CopyRequestList = z
  .object({ items: z.array(CopyRequestView), nextCursor: z.string().optional() })
  .meta({ id: 'CopyRequestList' });

export const CopyRequestQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().min(1).max(1024).optional(),
});
export type CopyRequestQuery = z.infer<typeof CopyRequestQuery>;
