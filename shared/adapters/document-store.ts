import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '#config/env';

const bucket = requireEnv('DOCUMENTS_BUCKET');
const s3 = new S3Client({});

export function invoicePdfKey(accountId: string, invoiceId: string): string {
  return `invoices/${accountId}/${invoiceId}.pdf`;
}

export async function putPdf(key: string, body: Uint8Array): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/pdf' }),
  );
}

export async function getPdf(key: string): Promise<Uint8Array | undefined> {
  try {
    const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return await result.Body!.transformToByteArray();
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}
