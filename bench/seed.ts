/**
 * Seeding a benchmark's customers over the API, as the billing system and a customer would:
 * the account, its paid orders (alternating two entities) and an approved ordinary title.
 * bench/apply.ts and bench/soak.ts seed the same way and differ only in the numbers.
 */
import { signLocalToken } from '../scripts/local/jwt.ts';

export type ApiCall = (
  token: string,
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; json: unknown }>;

export interface SeedSpec {
  accountId: string;
  records: number;
  /** Cash of each order, in fen. */
  cashAmount: number;
  /** Day of September 2026 order r was paid on. */
  paidDay(r: number): number;
}

export interface SeededCustomer {
  accountId: string;
  token: string;
  titleId: string;
}

const ENTITIES = ['cn-bj-01', 'cn-sh-01'];

export async function seedCustomer(
  call: ApiCall,
  billing: string,
  jwtSecret: Uint8Array,
  spec: SeedSpec,
): Promise<SeededCustomer> {
  const { accountId } = spec;
  const profile = await call(billing, 'PUT', `/v1/internal/accounts/${accountId}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: 0,
  });
  const records = await call(billing, 'POST', '/v1/internal/billing-records', {
    records: Array.from({ length: spec.records }, (_, r) => ({
      accountId,
      recordId: `${accountId}-o${r}`,
      kind: 'order',
      period: '2026-09',
      paidAt: new Date(Date.UTC(2026, 8, spec.paidDay(r))).toISOString(),
      entity: ENTITIES[r % 2],
      taxRate: '0.06',
      cashAmount: spec.cashAmount,
    })),
  });
  const token = await signLocalToken(jwtSecret, { accountId });
  const title = await call(token, 'POST', '/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例科技有限公司',
    taxId: '91330106MA2H00006X',
  });
  if (profile.status !== 200 || records.status !== 200 || title.status !== 201) {
    throw new Error(`seeding ${accountId} failed: ${profile.status} ${records.status} ${title.status}`);
  }
  return { accountId, token, titleId: (title.json as { titleId: string }).titleId };
}
