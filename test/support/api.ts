import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';
import { type AccountOptions, type ApiClient, httpClient, sentMail, upsertAccount } from './http.ts';
import './stack-context.ts';

export type { ApiClient, ApiResponse } from './http.ts';
export { daysAgo, order, uniqueId } from './http.ts';

const secret = () => Buffer.from(inject('jwtSecretHex'), 'hex');

export async function tokenFor(accountId: string, groups?: string[]): Promise<string> {
  return signLocalToken(secret(), { accountId, groups });
}

export async function clientFor(accountId: string, groups?: string[]): Promise<ApiClient> {
  return clientWithToken(await tokenFor(accountId, groups));
}

export function clientWithToken(token: string | undefined): ApiClient {
  return httpClient(inject('apiUrl'), token);
}

/** A verified mainland enterprise account with the given records, through the billing-system API. */
export async function givenAccount(accountId: string, options: AccountOptions = {}): Promise<void> {
  await upsertAccount(await clientFor('billing-system', ['billing-system']), accountId, options);
}

/** A complete mainland address (R22), with any fields replaced. */
export function sampleAddress(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recipient: '王五',
    phone: '13800138000',
    province: '浙江省',
    city: '杭州市',
    district: '西湖区',
    street: '文三路1号',
    postalCode: '310000',
    ...fields,
  };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 45_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function sentMailTo(address: string): Promise<SesStoredEmail[]> {
  return sentMail(inject('sesUrl'), address);
}

/** The text of a PDF as `pdftotext -layout` reads it (poppler-utils). */
export function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-'));
  const file = join(dir, 'doc.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
