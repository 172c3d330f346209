import * as z from 'zod';
import { Email, Fen, Id, Instant, TaxRate } from '#schemas/common';
import { TitleType } from '#schemas/titles';

export const DeliveryInput = z
  .object({
    medium: z.enum(['electronic', 'paper']),
    email: Email.optional(),
    addressId: Id.optional(),
  })
  .strict();

export const CreateApplicationBody = z
  .object({
    mode: z.enum(['orders', 'bills', 'amount']),
    recordIds: z.array(Id).min(1).max(5000).optional(),
    amount: z.int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
    titleId: Id,
    delivery: DeliveryInput,
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.mode === 'amount' && body.amount === undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required when mode is amount' });
    }
    if (body.mode !== 'amount' && body.recordIds === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordIds'], message: `is required when mode is ${body.mode}` });
    }
    if (body.mode === 'amount' && body.recordIds !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['recordIds'], message: 'is not allowed when mode is amount' });
    }
    if (body.mode !== 'amount' && body.amount !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['amount'], message: `is not allowed when mode is ${body.mode}` });
    }
  })
  .meta({ id: 'ApplicationCreate' });
export type CreateApplicationBody = z.infer<typeof CreateApplicationBody>;

export const ApplicationIdPath = z.object({ applicationId: Id });

const InvoiceLineView = z.object({
  itemName: z.string(),
  specification: z.string(),
  total: Fen,
  amountExcludingTax: Fen,
  taxAmount: Fen,
});

export const PlannedInvoiceView = z.object({
  invoiceId: Id,
  invoiceNumber: z.string().optional(),
  entity: Id,
  taxRate: TaxRate,
  amount: Fen,
  amountExcludingTax: Fen,
  taxAmount: Fen,
  lines: z.array(InvoiceLineView),
});

const TitleSnapshotView = z.object({
  titleId: Id,
  type: TitleType,
  name: z.string(),
  taxId: z.string().optional(),
});

export const ApplicationStatus = z.enum([
  'submitted',
  'in-review',
  'issuing',
  'issued',
  'shipped',
  'delivered',
  'rejected',
  'cancelled',
  'failed',
]);

export const ApplicationView = z
  .object({
    applicationId: Id,
    status: ApplicationStatus,
    mode: z.enum(['orders', 'bills', 'amount']),
    total: Fen,
    invoices: z.array(PlannedInvoiceView),
    title: TitleSnapshotView,
    delivery: DeliveryInput,
    submittedAt: Instant,
    cancellableUntil: Instant,
    expectedBy: Instant,
    timeline: z.array(z.object({ at: Instant, status: ApplicationStatus, note: z.string().optional() })),
  })
  .meta({ id: 'Application' });
export type ApplicationView = z.infer<typeof ApplicationView>;
