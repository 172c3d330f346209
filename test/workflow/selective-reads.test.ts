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
  /** A batch read's keys, `pk|sk`. */
  keys: string[];
}
let reads: Read[] = [];
/** What a test does just before a DynamoDB call is sent, if anything. */
let beforeSend: ((command: string, input: Record<string, unknown>) => Promise<void>) | undefined;

beforeAll(async () => {
  own = await startOwnStack();
  runInProcessAgainst(own.stack);
  const { documentClient } = await import('#adapters/dynamodb');
  documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      await beforeSend?.(String(context.commandName), args.input as Record<string, unknown>);
      const result = await next(args);
      const input = args.input as {
        RequestItems?: Record<string, { Keys?: { pk: string; sk: string }[] }>;
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
        keys: Object.values(input.RequestItems ?? {}).flatMap((r) =>
          (r.Keys ?? []).map((k) => `${k.pk}|${k.sk}`),
        ),
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

/** An organization of two members and its admin (an org-admin user with a title), each with its history. */
async function organization(name: string) {
  const orgId = ownId(`${name}-org`);
  const settings = await own.request('PUT', `/v1/internal/organizations/${orgId}`, billing, {
    crossMemberArrearsOffset: false,
  });
  expect(settings.status).toBe(200);
  const adminId = ownId(`${name}-admin`);
  const members = [ownId(`${name}-m1`), ownId(`${name}-m2`)] as const;
  for (const id of [adminId, ...members]) await account(id, orgId);
  const titleId = await own.givenTitle(adminId);
  return { orgId, admin: { accountId: adminId, groups: ['org-admin'] }, titleId, members };
}

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

  it('R32 R33 an org admin lists, reads and applies for members of 600 records each, reading each ledger once', async () => {
    // Prepare: an organization of two members and its admin, each with a long history
    const { admin, titleId, members } = await organization('sel');
    const [first, second] = members;
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
    // Each application is accepted on what its check read: every ledger read once per request.
    const ledgerReads = (list: Read[], accountId: string) =>
      list.filter((r) => r.keys.includes(`ACCOUNT#${accountId}|LEDGER`)).length;
    expect(ledgerReads(independent.reads, first)).toBe(1);
    expect([ledgerReads(consolidated.reads, first), ledgerReads(consolidated.reads, second)]).toEqual([1, 1]);
    const after = await own.request('GET', '/v1/org/accounts', admin);
    expect(after.status).toBe(200);
    expect(after.body.items.find((m: { accountId: string }) => m.accountId === first).invoiceable).toBe(
      whole - 500 - 106,
    );
  });

  it('R32 a consolidated application whose ledger moved after the check is planned again and accepted once', async () => {
    // Prepare: the billing system updates the admin's profile (moving its ledger version) just
    // before the first accepting transaction, which was planned on the check's reads
    const { orgId, admin, titleId, members } = await organization('sel-retry');
    const { createOrgApplications } = await import('#use-cases/organizations');
    let moved = false;
    beforeSend = async (command, input) => {
      const items = (input.TransactItems ?? []) as { Put?: { Item?: { pk?: string } } }[];
      const accepting = items.some((i) => String(i.Put?.Item?.pk).startsWith('APPLICATION#'));
      if (!command.startsWith('TransactWrite') || !accepting || moved) return;
      moved = true;
      const put = await own.request('PUT', `/v1/internal/accounts/${admin.accountId}`, billing, {
        region: 'mainland',
        realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
        arrears: 0,
        orgId,
      });
      expect(put.status).toBe(200);
    };
    try {
      // Act
      const { result, reads: list } = await readsOf(() =>
        createOrgApplications(
          admin,
          {
            mode: 'consolidated',
            accounts: members.map((accountId) => ({ accountId, recordIds: [`${accountId}-0100`] })),
            titleId,
            delivery,
          },
          undefined,
          new Date(),
        ),
      );

      // Assess: accepted once, on a second plan that read the ledgers again
      expect(moved).toBe(true);
      expect(result.applications.map((a) => a.total)).toEqual([212]);
      const ledgerReads = list.filter((r) => r.keys.includes(`ACCOUNT#${members[0]}|LEDGER`)).length;
      expect(ledgerReads).toBe(2);
      const listed = await own.request('GET', '/v1/applications?limit=10', admin);
      expect(listed.body.items).toHaveLength(1);
    } finally {
      beforeSend = undefined;
    }
  });
});
