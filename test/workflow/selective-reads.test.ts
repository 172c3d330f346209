import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcessAgainst } from '../../bench/local-stack.ts';
import { daysAgo } from '../support/http.ts';
import { type OwnStack, order, ownId, startOwnStack } from '../support/own-stack.ts';

/**
 * Issue 11's rule for request paths: each reads what its request selects, never an account's
 * whole partition, whatever the account's history. On a stack of this file's own, accounts of
 * RECORDS billing records each; the use cases run in this process with every DynamoDB read
 * watched: how many items it brought back, and whether any was a query of a whole account
 * partition (`pk = :pk` on an `ACCOUNT#` key, no sort-key condition).
 */
const RECORDS = 600;
let own: OwnStack;
const billing = { accountId: 'billing-system', groups: ['billing-system'] };
const delivery = { medium: 'electronic' as const, email: 'finance@group.example.com' };

interface Read {
  command: string;
  wholePartition: boolean;
  items: number;
}
let reads: Read[] = [];

beforeAll(async () => {
  own = await startOwnStack();
  runInProcessAgainst(own.stack);
  const { documentClient } = await import('#adapters/dynamodb');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as {
        IndexName?: string;
        KeyConditionExpression?: string;
        ExpressionAttributeValues?: Record<string, unknown>;
      };
      const output = result.output as {
        Items?: unknown[];
        Item?: unknown;
        Responses?: Record<string, unknown[]>;
      };
      reads.push({
        command: String(context.commandName),
        wholePartition:
          input.IndexName === undefined &&
          input.KeyConditionExpression?.trim() === 'pk = :pk' &&
          String(input.ExpressionAttributeValues?.[':pk']).startsWith('ACCOUNT#'),
        items:
          (output.Items?.length ?? 0) +
          (output.Item ? 1 : 0) +
          Object.values(output.Responses ?? {}).reduce((n, items) => n + items.length, 0),
      });
      return result;
    },
    { step: 'initialize', name: 'watch-reads' },
  );
}, 180_000);

afterAll(async () => {
  await own?.stop();
});

/** RECORDS paid orders of 1.06 yuan, one a day apart, oldest first by id. */
const history = (accountId: string) =>
  Array.from({ length: RECORDS }, (_, i) =>
    order(`${accountId}-${String(i).padStart(4, '0')}`, {
      cashAmount: 106,
      paidAt: daysAgo(20 + RECORDS - i),
    }),
  );

/** A verified account of the organization (or of none) with its whole history. */
async function account(accountId: string, orgId?: string) {
  const put = await own.request('PUT', `/v1/internal/accounts/${accountId}`, billing, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears: 0,
    ...(orgId ? { orgId } : {}),
  });
  expect(put.status).toBe(200);
  const records = history(accountId);
  for (let i = 0; i < records.length; i += 300) {
    const post = await own.request('POST', '/v1/internal/billing-records', billing, {
      records: records.slice(i, i + 300).map((r) => ({ accountId, ...r })),
    });
    expect(post.status).toBe(200);
  }
}

/** What `act` read, each read counted, once it is done. */
async function readsOf<T>(act: () => Promise<T>): Promise<{ result: T; reads: Read[] }> {
  reads = [];
  const result = await act();
  return { result, reads: [...reads] };
}

const itemsRead = (list: Read[]) => list.reduce((n, r) => n + r.items, 0);

describe('request paths read what they select (issue 11)', () => {
  it('an application by amount or by orders reads a few items of an account of 600 records', async () => {
    // Prepare
    const accountId = ownId('sel-customer');
    await account(accountId);
    const titleId = await own.givenTitle(accountId);
    const { createApplication } = await import('#use-cases/applications');

    // Act
    const byAmount = await readsOf(() =>
      createApplication(accountId, { mode: 'amount', amount: 300, titleId, delivery }, undefined, new Date()),
    );
    const named = [`${accountId}-0100`, `${accountId}-0200`, `${accountId}-0300`];
    const byOrders = await readsOf(() =>
      createApplication(
        accountId,
        { mode: 'orders', recordIds: named, titleId, delivery },
        undefined,
        new Date(),
      ),
    );

    // Assess: the oldest three records by amount, the named three by orders, and few items read
    expect(byAmount.result.statusCode).toBe(201);
    expect(byAmount.result.body).toMatchObject({ total: 300 });
    expect(byOrders.result.statusCode).toBe(201);
    expect(byOrders.result.body).toMatchObject({ total: 318 });
    for (const { reads: list } of [byAmount, byOrders]) {
      expect(list.filter((r) => r.wholePartition)).toEqual([]);
      expect(itemsRead(list)).toBeLessThan(40);
    }
  });

  it('R31 turning monthly invoicing on reads the profile, the title and nothing else', async () => {
    // Prepare
    const accountId = ownId('sel-monthly');
    await account(accountId);
    const titleId = await own.givenTitle(accountId);
    const { putAutoInvoicing } = await import('#use-cases/monthly-settings');

    // Act
    const { result, reads: list } = await readsOf(() =>
      putAutoInvoicing(accountId, { enabled: true, titleId, delivery }, new Date()),
    );

    // Assess
    expect(result).toEqual({ enabled: true, titleId, delivery });
    expect(list.filter((r) => r.wholePartition)).toEqual([]);
    expect(itemsRead(list)).toBe(2);
  });

  it('R32 R33 an org admin lists, reads and applies for members of 600 records each without reading their histories', async () => {
    // Prepare: an organization of two members and its admin, each with a long history
    const orgId = ownId('sel-org');
    const settings = await own.request('PUT', `/v1/internal/organizations/${orgId}`, billing, {
      crossMemberArrearsOffset: false,
    });
    expect(settings.status).toBe(200);
    const adminId = ownId('sel-admin');
    const [first, second] = [ownId('sel-m1'), ownId('sel-m2')];
    for (const id of [adminId, first, second]) await account(id, orgId);
    const titleId = await own.givenTitle(adminId);
    const admin = { accountId: adminId, groups: ['org-admin'] };
    const { listOrgAccounts, createOrgApplications } = await import('#use-cases/organizations');
    const { readableAccount } = await import('#use-cases/organization-access');

    // Act
    const listed = await readsOf(() => listOrgAccounts(admin, new Date()));
    const readable = await readsOf(() => readableAccount(admin, first));
    const independent = await readsOf(() =>
      createOrgApplications(
        admin,
        { mode: 'independent', accounts: [{ accountId: first, amount: 500 }], titleId, delivery },
        undefined,
        new Date(),
      ),
    );
    const consolidated = await readsOf(() =>
      createOrgApplications(
        admin,
        {
          mode: 'consolidated',
          accounts: [
            { accountId: first, recordIds: [`${first}-0500`] },
            { accountId: second, recordIds: [`${second}-0500`, `${second}-0501`] },
          ],
          titleId,
          delivery,
        },
        undefined,
        new Date(),
      ),
    );

    // Assess: the same answers as from the records, each from a few items
    const whole = RECORDS * 106;
    expect(listed.result.invoiceable).toBe(3 * whole);
    expect(listed.result.items.map((m) => m.invoiceable)).toEqual([whole, whole, whole]);
    expect(readable.result).toBe(first);
    expect(independent.result.applications.map((a) => a.total)).toEqual([500]);
    expect(consolidated.result.applications.map((a) => a.total)).toEqual([318]);
    for (const { reads: list } of [listed, readable, independent, consolidated]) {
      expect(list.filter((r) => r.wholePartition)).toEqual([]);
      expect(itemsRead(list)).toBeLessThan(60);
    }
    const after = await own.request('GET', '/v1/org/accounts', admin);
    expect(after.status).toBe(200);
    expect(after.body.items.find((m: { accountId: string }) => m.accountId === first).invoiceable).toBe(
      whole - 500 - 106,
    );
  });
});
