/**
 * Everything printed on a VAT e-invoice (R26). Built from an issued invoice with the
 * title and the seller frozen at issue; the PDF renderer prints exactly this.
 */
export interface InvoiceDocument {
  invoiceNumber: string;
  kind: 'blue' | 'red';
  /** 'enterprise-special' prints as 增值税专用发票, the others as 普通发票. */
  invoiceType: 'enterprise-ordinary' | 'enterprise-special' | 'personal-ordinary' | 'organization-ordinary';
  issuedAt: string;
  buyer: {
    name: string;
    taxId?: string;
    registeredAddress?: string;
    registeredPhone?: string;
    bankName?: string;
    bankAccount?: string;
  };
  seller: {
    name: string;
    taxId: string;
    address: string;
    phone: string;
    bankName: string;
    bankAccount: string;
  };
  lines: InvoiceDocumentLine[];
  /** Sums over the lines, in fen. */
  amountExcludingTax: number;
  taxAmount: number;
  total: number;
  /** Decimal string as in the API: "0.06". */
  taxRate: string;
  remarks?: string;
  issuer: string;
  /** For red-letter invoices: the number of the invoice it credits. */
  originalInvoiceNumber?: string;
}

export interface InvoiceDocumentLine {
  /** e.g. "*信息技术服务*云服务费" */
  itemName: string;
  /** e.g. "2026-10" or an order id; printed under specification. */
  specification?: string;
  unit?: string;
  quantity?: number;
  amountExcludingTax: number;
  taxRate: string;
  taxAmount: number;
}

/** The form's title: 'enterprise-special' is 增值税专用发票, the others 普通发票. */
export function invoiceTitle(doc: Pick<InvoiceDocument, 'invoiceType'>): string {
  return doc.invoiceType === 'enterprise-special' ? '电子发票（增值税专用发票）' : '电子发票（普通发票）';
}

/**
 * Red-letter amounts print negative. The document may carry them either signed or as
 * magnitudes, so the sign is taken from the kind rather than trusted.
 */
export function signedAmount(doc: Pick<InvoiceDocument, 'kind'>, value: number): number {
  return doc.kind === 'red' ? -Math.abs(value) : value;
}

/**
 * SES takes messages up to 10 MB including the MIME encoding, and base64 grows attachments by
 * a third: 7 MiB of raw PDFs (≈ 9.3 MB encoded, plus the text) is the most one e-mail carries.
 */
export const MAX_ATTACHMENT_BYTES = 7 * 1024 * 1024;

/** R27: attach the PDFs when they fit in one e-mail; otherwise send download links. */
export function fitsAsAttachments(sizes: readonly number[], limit = MAX_ATTACHMENT_BYTES): boolean {
  return sizes.reduce((sum, size) => sum + size, 0) <= limit;
}
