/**
 * Demo data for `npm start`, written through the API itself (the billing system's and the
 * customer's endpoints), so the seed exercises the same path as real traffic.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signLocalToken } from './jwt.ts';

export const DEMO_ACCOUNT = 'demo-enterprise';
const DAY = 86_400_000;

export interface SeedResult {
  accountId: string;
  titleId: string;
}

export async function seedDemoData(options: {
  apiUrl: string;
  jwtSecret: Uint8Array;
  dataDir?: string;
}): Promise<SeedResult> {
  const marker = options.dataDir ? join(options.dataDir, 'seed.json') : undefined;
  if (marker && existsSync(marker)) return JSON.parse(readFileSync(marker, 'utf8')) as SeedResult;

  const billing = await signLocalToken(options.jwtSecret, {
    accountId: 'billing-system',
    groups: ['billing-system'],
  });
  const customer = await signLocalToken(options.jwtSecret, { accountId: DEMO_ACCOUNT });
  const call = async (token: string, method: string, path: string, body: unknown) => {
    const response = await fetch(`${options.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`Seeding ${method} ${path} failed: ${response.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };

  await call(billing, 'PUT', `/v1/internal/accounts/${DEMO_ACCOUNT}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: 0,
  });
  const now = Date.now();
  const paid = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
  const record = (recordId: string, fields: Record<string, unknown>) => ({
    accountId: DEMO_ACCOUNT,
    recordId,
    kind: 'order',
    voucherAmount: 0,
    fulfilment: 'succeeded',
    ...fields,
  });
  await call(billing, 'POST', '/v1/internal/billing-records', {
    records: [
      record('demo-ecs-2026-09', {
        period: '2026-09',
        paidAt: paid(60),
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 128_000,
        productName: '云服务器 ECS',
      }),
      record('demo-oss-2026-10', {
        period: '2026-10',
        paidAt: paid(30),
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 45_600,
        voucherAmount: 4_400,
        productName: '对象存储 OSS',
      }),
      record('demo-hw-2026-10', {
        period: '2026-10',
        paidAt: paid(25),
        entity: 'cn-sh-01',
        taxRate: '0.13',
        cashAmount: 300_000,
        productName: '专属硬件',
      }),
      record('demo-refund-oss', {
        kind: 'refund',
        parentRecordId: 'demo-oss-2026-10',
        period: '2026-10',
        paidAt: paid(20),
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: -5_600,
      }),
      record('demo-recharge', {
        kind: 'recharge',
        period: '2026-11',
        paidAt: paid(10),
        entity: 'cn-bj-01',
        taxRate: '0.06',
        cashAmount: 1_000_000,
      }),
    ],
  });
  const title = await call(customer, 'POST', '/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  const result: SeedResult = { accountId: DEMO_ACCOUNT, titleId: String(title.titleId) };
  if (marker) writeFileSync(marker, `${JSON.stringify(result, null, 2)}\n`);
  return result;
}
