import { getObject, putObject } from '#adapters/aws-services';
import { requireEnv } from '#config/env';

const bucket = requireEnv('DOCUMENTS_BUCKET');

export function invoicePdfKey(accountId: string, invoiceId: string): string {
  return `invoices/${accountId}/${invoiceId}.pdf`;
}

/** The invoice XML lies next to its PDF: the same key with .xml (the invoice names only the PDF). */
export function invoiceXmlKey(pdfKey: string): string {
  return pdfKey.replace(/\.pdf$/, '.xml');
}

/**
 * Stores an issued PDF once: the write is conditional on the key being new (If-None-Match: *),
 * so a PDF a customer may have received is never replaced. False when it was stored already
 * (a retried task after the PDF was written but before the invoice named it): that one stands.
 * The bucket keeps every stored version under Object Lock for the configured retention.
 */
export async function putPdf(key: string, body: Uint8Array): Promise<boolean> {
  return putOnce(key, body, 'application/pdf');
}

/** Stores an invoice XML once, like `putPdf` (same conditional write, same retention). */
export async function putXml(key: string, xml: string): Promise<boolean> {
  return putOnce(key, Buffer.from(xml, 'utf8'), 'application/xml');
}

export async function getPdf(key: string): Promise<Uint8Array | undefined> {
  return getDocument(key);
}

export async function getXml(key: string): Promise<Uint8Array | undefined> {
  return getDocument(key);
}

async function putOnce(key: string, body: Uint8Array, contentType: string): Promise<boolean> {
  try {
    await putObject({ bucket, key, body, contentType, ifNoneMatch: '*' });
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'PreconditionFailed') return false;
    throw error;
  }
}

async function getDocument(key: string): Promise<Uint8Array | undefined> {
  try {
    return await getObject({ bucket, key });
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey') return undefined;
    throw error;
  }
}
