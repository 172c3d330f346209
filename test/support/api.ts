import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';
import './stack-context.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  raw: Uint8Array;
}

export interface ApiClient {
  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>>;
  get<T = any>(path: string): Promise<ApiResponse<T>>;
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  put<T = any>(path: string, body?: unknown): Promise<ApiResponse<T>>;
}

const secret = () => Buffer.from(inject('jwtSecretHex'), 'hex');

export async function tokenFor(accountId: string, groups?: string[]): Promise<string> {
  return signLocalToken(secret(), { accountId, groups });
}

export async function clientFor(accountId: string, groups?: string[]): Promise<ApiClient> {
  return clientWithToken(await tokenFor(accountId, groups));
}

export function clientWithToken(token: string | undefined): ApiClient {
  const apiUrl = inject('apiUrl');
  const request = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const raw = new Uint8Array(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    const parsed =
      type.includes('json') && raw.length > 0 ? JSON.parse(Buffer.from(raw).toString('utf8')) : undefined;
    return { status: response.status, headers: response.headers, body: parsed, raw };
  };
  return {
    request,
    get: (path) => request('GET', path),
    post: (path, body, headers) => request('POST', path, body, headers),
    put: (path, body) => request('PUT', path, body),
  };
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const DAY = 86_400_000;
export const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** A verified mainland enterprise account with the given records, through the billing-system API. */
export async function givenAccount(
  accountId: string,
  options: {
    realName?: { type: 'none' | 'individual' | 'enterprise'; name?: string };
    region?: 'mainland' | 'overseas';
    arrears?: number;
    records?: Record<string, unknown>[];
  } = {},
): Promise<void> {
  const billing = await clientFor('billing-system', ['billing-system']);
  const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
    region: options.region ?? 'mainland',
    realName: options.realName ?? { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: options.arrears ?? 0,
  });
  if (put.status !== 200) throw new Error(`account upsert failed: ${put.status} ${JSON.stringify(put.body)}`);
  if (options.records && options.records.length > 0) {
    const post = await billing.post('/v1/internal/billing-records', {
      records: options.records.map((r) => ({ accountId, ...r })),
    });
    if (post.status !== 200)
      throw new Error(`records upsert failed: ${post.status} ${JSON.stringify(post.body)}`);
  }
}

export function order(recordId: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    recordId,
    kind: 'order',
    period: '2026-10',
    paidAt: daysAgo(20),
    entity: 'cn-bj-01',
    taxRate: '0.06',
    cashAmount: 10_600,
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
  const response = await fetch(`${inject('sesUrl')}/store`);
  const store = (await response.json()) as { emails: SesStoredEmail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

/** The text of a PDF as `pdftotext -layout` reads it (poppler-utils). */
export function pdfText(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdf-'));
  const file = join(dir, 'doc.pdf');
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}
