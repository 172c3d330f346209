/**
 * Seeding a benchmark's customers over the API, as the billing system and a customer would:
 * the account, its paid orders (alternating two entities) and an approved ordinary title.
 * bench/apply.ts and bench/soak.ts seed the same way and differ only in the numbers.
 */
import { BatchWriteCommand, type BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { NEGATIVE_KINDS } from '#domain/billing-record';
import { recordChange } from '#domain/ledger-aggregate';
import { planRecordUpserts, type RecordInput } from '#domain/record-upsert';
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

/**
 * Seeding a very large ledger straight into the table (BatchWrite, not the API): each record
 * as the billing upsert would store it (planned by the same domain code, placed where its
 * aggregate parts are kept, on the open-records index while something is available), then the
 * ledger repair adds up the aggregates from the records (npm run ledger:repair's fix), so the
 * account ends exactly as if the records had come in over the API, only faster.
 */
export async function seedLedgerDirectly(
  endpoint: string,
  tableName: string,
  paymentSyncDays: number,
  inputs: readonly RecordInput[],
  parallel = 8,
): Promise<void> {
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_REGION: 'us-east-1',
  });
  const { documentClient, keys } = await import('#adapters/dynamodb');
  const { checkLedger } = await import('#use-cases/ledger-repair');
  const now = new Date();
  const plan = planRecordUpserts(inputs, new Map(), paymentSyncDays);
  if (plan.negatives.length > 0) throw new Error('direct seeding writes positive records only');
  const items = plan.positives.map(({ record }) => {
    const open = !NEGATIVE_KINDS.has(record.kind) && record.kind !== 'recharge' && record.availableAmount > 0;
    const { aggAt } = recordChange(undefined, record, now);
    return {
      ...keys.record(record.accountId, record.recordId),
      ...record,
      ...(aggAt === undefined ? {} : { aggAt }),
      ...(open ? { gsi3pk: keys.openRecords(record.accountId), gsi3sk: record.paidAt } : {}),
    };
  });
  let next = 0;
  const writer = async () => {
    while (next < items.length) {
      const batch = items.slice(next, next + 25);
      next += 25;
      let requests: Record<string, unknown>[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests && requests.length > 0; attempt++) {
        const output: BatchWriteCommandOutput = await documentClient.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = output.UnprocessedItems?.[tableName];
        if (requests?.length) await new Promise((r) => setTimeout(r, 10 * 2 ** Math.min(attempt, 6)));
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, writer));
  for (const accountId of new Set(inputs.map((i) => i.accountId))) {
    const check = await checkLedger(accountId, now, true);
    const again = await checkLedger(accountId, now, false);
    if (!check.fixed || again.drift.length > 0)
      throw new Error(`seeding ${accountId}: aggregates do not add up`);
  }
}
