/**
 * The one HTTP client of the tests and benchmarks, for any local stack's API: the shared one
 * (api.ts) or a test's own (own-stack.ts). No vitest import, so benchmarks can use it too.
 */
import { randomUUID } from 'node:crypto';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';

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

/** Calls the API at `apiUrl` with the bearer token (none: unauthenticated); JSON answers are parsed. */
export function httpClient(apiUrl: string, token: string | undefined): ApiClient {
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

export interface AccountOptions {
  realName?: { type: 'none' | 'individual' | 'enterprise'; name?: string };
  region?: 'mainland' | 'overseas';
  arrears?: number;
  records?: Record<string, unknown>[];
}

/** A verified mainland enterprise account (unless told otherwise) with its records, as the billing system sends them. */
export async function upsertAccount(
  billing: ApiClient,
  accountId: string,
  options: AccountOptions = {},
): Promise<void> {
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

/** What the local SES at `sesUrl` has sent to the address. */
export async function sentMail(sesUrl: string, address: string): Promise<SesStoredEmail[]> {
  const response = await fetch(`${sesUrl}/store`);
  const store = (await response.json()) as { emails: SesStoredEmail[] };
  return store.emails.filter((e) => e.destination.to.includes(address));
}

export const uniqueId = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

const DAY = 86_400_000;
export const daysAgo = (days: number) => new Date(Date.now() - days * DAY).toISOString();

/** A paid order (106 yuan, cn-bj-01, 6 %, paid 20 days ago), with any fields replaced. */
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
