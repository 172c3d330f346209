/**
 * R12 under the `block` policy: a deployment setting, so this file starts a second local stack
 * from the same synthesized template with ARREARS_POLICY=block (the shared stack runs `offset`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signLocalToken } from '../../scripts/local/jwt.ts';
import { type LocalStack, startLocalStack } from '../../scripts/local/stack.ts';
import { cdkOutDir } from '../../scripts/local/synth.ts';
import { order, uniqueId } from '../support/api.ts';

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'invoice-block-'));
  stack = await startLocalStack({
    cdkOutDir,
    dataDir,
    inMemory: true,
    ports: { api: 0, ses: 0, dynamodb: 0, sfn: 0, s3: 0 },
    functionEnv: { CANCEL_WINDOW: 'PT2S', ARREARS_POLICY: 'block' },
    quiet: true,
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body: unknown, accountId: string, groups?: string[]) {
  const token = await signLocalToken(stack.jwtSecret, { accountId, groups });
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const profile = (arrears: number) => ({
  region: 'mainland',
  realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
  arrears,
});

describe('R12 arrears policy block (deployment setting ARREARS_POLICY=block)', () => {
  it('R12 under block, any arrears leave nothing invoiceable and applications are refused until paid', async () => {
    // Prepare
    const accountId = uniqueId('block');
    const billing = (method: string, path: string, body: unknown) =>
      call(method, path, body, 'billing-system', ['billing-system']);
    expect((await billing('PUT', `/v1/internal/accounts/${accountId}`, profile(1))).status).toBe(200);
    const records = await billing('POST', '/v1/internal/billing-records', {
      records: [order('o-1', { accountId, cashAmount: 50_000 })],
    });
    expect(records.status).toBe(200);
    const title = await call(
      'POST',
      '/v1/titles',
      { type: 'enterprise-ordinary', name: '杭州示例科技有限公司', taxId: '91330106MA2H00006X' },
      accountId,
    );
    expect(title.status).toBe(201);
    const application = {
      mode: 'amount',
      amount: 10_000,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email: `${accountId}@example.com` },
    };

    // Act
    const owing = await call('GET', '/v1/invoiceable', undefined, accountId);
    const account = await call('GET', '/v1/account', undefined, accountId);
    const refused = await call('POST', '/v1/applications', application, accountId);
    await billing('PUT', `/v1/internal/accounts/${accountId}`, profile(0));
    const paid = await call('GET', '/v1/invoiceable', undefined, accountId);
    const accepted = await call('POST', '/v1/applications', application, accountId);

    // Assess
    expect(owing.body.amount).toBe(0);
    expect(owing.body.byEntity).toEqual([]);
    expect(owing.body.formula).toEqual({
      consumedCash: 50_000,
      negatives: 0,
      invoiced: 0,
      reserved: 0,
      arrearsOffset: 50_000,
      deficit: 0,
      amount: 0,
    });
    expect(account.body).toMatchObject({ arrears: 1, invoiceable: 0 });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('ARREARS_OUTSTANDING');
    expect(paid.body.amount).toBe(50_000);
    expect(paid.body.formula.arrearsOffset).toBe(0);
    expect(accepted.status).toBe(201);
  });
});
