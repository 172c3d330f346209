import { S3RequestPresigner } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { credentials, region, s3Location } from '#adapters/aws-request';
import { getObject, putObject, S3 } from '#adapters/aws-services';
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

/** SigV4 query signatures are valid for at most 7 days. */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;

/**
 * A pre-signed S3 GET of a stored PDF, valid for `seconds` (at most 7 days) from `now`: a link
 * a mail client opens without signing in. The download is named `filename`. It is signed with
 * the function's credentials, so it also ends when their session does (docs/DESIGN.md).
 */
export async function pdfDownloadUrl(
  key: string,
  filename: string,
  seconds: number,
  now: Date = new Date(),
): Promise<string> {
  const { endpoint, hostPrefix, path } = s3Location(S3, bucket, key);
  const hostname = hostPrefix ? `${hostPrefix}.${endpoint.hostname}` : endpoint.hostname;
  const presigner = new S3RequestPresigner({ credentials, region: region(), sha256: Sha256 });
  const signed = await presigner.presign(
    new HttpRequest({
      protocol: endpoint.protocol,
      hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      method: 'GET',
      path,
      query: { 'response-content-disposition': `attachment; filename="${filename}"` },
      headers: {},
    }),
    { expiresIn: Math.min(Math.max(1, Math.floor(seconds)), MAX_LINK_SECONDS), signingDate: now },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(String(value))}`)
    .join('&');
  const port = endpoint.port ? `:${endpoint.port}` : '';
  return `${endpoint.protocol}//${hostname}${port}${signed.path}?${query}`;
}

/** Percent-encoding as SigV4 canonicalizes query strings (encodeURIComponent leaves !'()*). */
function encodeRfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
