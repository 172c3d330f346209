import type { Delivery, InvoiceLine } from '#domain/application';
import { shanghaiDate } from '#domain/calendar';
import type { Fen } from '#domain/money';
import type { TitleSnapshot } from '#domain/title';

export type InvoiceStatus = 'issued' | 'shipped' | 'delivered' | 'returned' | 'credited';

export interface SellerSnapshot {
  entityId: string;
  name: string;
  taxId: string;
  address: string;
  phone: string;
  bankName: string;
  bankAccount: string;
  issuer: string;
}

/** An issued invoice. Title, seller and delivery are frozen at issue (R26); never edited after. */
export interface IssuedInvoice {
  invoiceId: string;
  invoiceNumber: string;
  applicationId: string;
  accountId: string;
  kind: 'blue' | 'red';
  entity: string;
  taxRate: string;
  amount: Fen;
  amountExcludingTax: Fen;
  taxAmount: Fen;
  lines: InvoiceLine[];
  status: InvoiceStatus;
  issuedAt: string;
  title: TitleSnapshot;
  seller: SellerSnapshot;
  delivery: Delivery;
  /** Where the PDF is, once rendered. */
  pdfKey?: string;
  /** Indexes of allocation chunks already moved from reserved to invoiced on the records. */
  settledChunks: number[];
}

/**
 * A 20-digit number as on fully digital e-invoices: two digits of the year, the entity's
 * six-digit prefix, and a twelve-digit sequence that never repeats within the entity.
 */
export function formatInvoiceNumber(issuedAt: Date, prefix: string, sequence: number): string {
  // The year printed on the invoice is the China date's year.
  const year = shanghaiDate(issuedAt).slice(2, 4);
  return `${year}${prefix}${String(sequence).padStart(12, '0')}`;
}
