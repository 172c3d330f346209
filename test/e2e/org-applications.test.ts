import { describe, expect, it } from 'vitest';
import { type ApiClient, clientFor, order, uniqueId, waitFor } from '../support/api.ts';

/**
 * R32 R33 over HTTP: an organization (the billing system sets orgId on its accounts), an
 * org-admin user whose own account is in it, members, and an outsider.
 */
interface Org {
  orgId: string;
  admin: ApiClient;
  adminId: string;
  titleId: string;
  members: Record<string, { id: string; api: ApiClient }>;
  outsider: { id: string; api: ApiClient };
}

async function account(
  accountId: string,
  orgId: string | undefined,
  records: Record<string, unknown>[],
  arrears = 0,
) {
  const billing = await clientFor('billing-system', ['billing-system']);
  const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
    region: 'mainland',
    realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
    arrears,
    ...(orgId ? { orgId } : {}),
  });
  expect(put.status).toBe(200);
  if (records.length > 0) {
    const post = await billing.post('/v1/internal/billing-records', {
      records: records.map((r) => ({ accountId, ...r })),
    });
    expect(post.status).toBe(200);
  }
}

async function organization(
  members: Record<string, { records: Record<string, unknown>[]; arrears?: number }>,
  crossMemberArrearsOffset = false,
): Promise<Org> {
  const orgId = uniqueId('org');
  const billing = await clientFor('billing-system', ['billing-system']);
  const settings = await billing.put(`/v1/internal/organizations/${orgId}`, { crossMemberArrearsOffset });
  expect(settings.status).toBe(200);
  const adminId = uniqueId('org-admin');
  await account(adminId, orgId, []);
  const admin = await clientFor(adminId, ['org-admin']);
  const title = await admin.post('/v1/titles', {
    type: 'enterprise-ordinary',
    name: '杭州示例集团有限公司',
    taxId: '91330106MA2H00006X',
  });
  expect(title.status).toBe(201);
  const created: Org['members'] = {};
  for (const [name, m] of Object.entries(members)) {
    const id = uniqueId(`org-${name}`);
    await account(id, orgId, m.records, m.arrears ?? 0);
    created[name] = { id, api: await clientFor(id) };
  }
  const outsiderId = uniqueId('outsider');
  await account(outsiderId, undefined, [order(uniqueId('o'))]);
  return {
    orgId,
    admin,
    adminId,
    titleId: title.body.titleId,
    members: created,
    outsider: { id: outsiderId, api: await clientFor(outsiderId) },
  };
}

const delivery = { medium: 'electronic', email: 'finance@group.example.com' };

const listed = async (api: ApiClient) =>
  ((await api.get('/v1/applications?limit=100')).body.items as { applicationId: string }[]).map(
    (a) => a.applicationId,
  );

describe('enterprises with several accounts (R32, R33)', () => {
  it('R32 an org admin sees its members and their records; not another account’s, and not without the group', async () => {
    // Prepare
    const org = await organization({
      b: { records: [order(uniqueId('o'), { cashAmount: 3_000 })] },
      c: { records: [] },
    });
    const b = org.members.b!;

    // Act
    const members = await org.admin.get('/v1/org/accounts');
    const records = await org.admin.get(`/v1/billing-records?accountId=${b.id}`);

    // Assess
    expect(members.status).toBe(200);
    expect(members.body.items.map((i: { accountId: string }) => i.accountId).sort()).toEqual(
      [org.adminId, b.id, org.members.c!.id].sort(),
    );
    expect(members.body.items.find((i: { accountId: string }) => i.accountId === b.id).invoiceable).toBe(
      3_000,
    );
    expect(records.status).toBe(200);
    expect(records.body.items).toHaveLength(1);
    expect((await org.admin.get(`/v1/billing-records?accountId=${org.outsider.id}`)).status).toBe(404);
    // A member without the group sees only its own; so does the admin's account without it.
    expect((await org.members.c!.api.get(`/v1/billing-records?accountId=${b.id}`)).status).toBe(404);
    const adminWithoutGroup = await clientFor(org.adminId);
    expect((await adminWithoutGroup.get(`/v1/billing-records?accountId=${b.id}`)).status).toBe(404);
    expect((await adminWithoutGroup.get('/v1/org/accounts')).status).toBe(403);
    expect((await b.api.get('/v1/billing-records')).body.items).toHaveLength(1);
  });

  it('R32 independent: one application per member account, visible to that member and the applicant only', async () => {
    // Prepare
    const org = await organization({
      b: { records: [order(uniqueId('o'), { cashAmount: 3_000 })] },
      c: { records: [order(uniqueId('o'), { cashAmount: 2_000, entity: 'cn-sh-01', taxRate: '0.13' })] },
    });
    const { b, c } = org.members as { b: Org['members'][string]; c: Org['members'][string] };

    // Act
    const created = await org.admin.post('/v1/org/applications', {
      mode: 'independent',
      accounts: [
        { accountId: b.id, amount: 3_000 },
        { accountId: c.id, amount: 2_000 },
      ],
      titleId: org.titleId,
      delivery,
    });

    // Assess
    expect(created.status).toBe(201);
    expect(created.body.applications).toHaveLength(2);
    const [forB, forC] = created.body.applications as { applicationId: string; total: number }[];
    expect(forB!.total).toBe(3_000);
    expect(forC!.total).toBe(2_000);
    // Each in its member's account: that member and the applicant see it; the other member and outsiders do not.
    expect((await b.api.get(`/v1/applications/${forB!.applicationId}`)).status).toBe(200);
    expect((await org.admin.get(`/v1/applications/${forB!.applicationId}`)).status).toBe(200);
    expect((await org.admin.get(`/v1/applications/${forC!.applicationId}`)).status).toBe(200);
    expect((await c.api.get(`/v1/applications/${forB!.applicationId}`)).status).toBe(404);
    expect((await org.outsider.api.get(`/v1/applications/${forB!.applicationId}`)).status).toBe(404);
    expect(await listed(b.api)).toEqual([forB!.applicationId]);
    expect(await listed(c.api)).toEqual([forC!.applicationId]);
    expect((await listed(org.admin)).sort()).toEqual([forB!.applicationId, forC!.applicationId].sort());
    expect(await listed(org.outsider.api)).toEqual([]);
    // Each member's own ledger holds its reservation.
    expect((await b.api.get('/v1/invoiceable')).body.amount).toBe(0);
  });

  it('R32 consolidated: one application over several members’ records, split by entity and tax rate, visible to each included account', async () => {
    // Prepare
    const org = await organization({
      b: { records: [order(uniqueId('o'), { cashAmount: 3_000 })] },
      c: {
        records: [
          order(uniqueId('o'), { cashAmount: 2_000 }),
          order(uniqueId('o'), { cashAmount: 1_000, entity: 'cn-sh-01', taxRate: '0.13' }),
        ],
      },
      e: { records: [order(uniqueId('o'), { cashAmount: 500 })] },
    });
    const { b, c, e } = org.members as Record<'b' | 'c' | 'e', Org['members'][string]>;

    // Act
    const created = await org.admin.post('/v1/org/applications', {
      mode: 'consolidated',
      accounts: [
        { accountId: b.id, amount: 3_000 },
        { accountId: c.id, amount: 3_000 },
      ],
      titleId: org.titleId,
      delivery,
    });

    // Assess: one application, one invoice per (entity, tax rate) across the accounts
    expect(created.status).toBe(201);
    expect(created.body.applications).toHaveLength(1);
    const application = created.body.applications[0];
    expect(application.total).toBe(6_000);
    expect(
      application.invoices.map((i: { entity: string; taxRate: string; amount: number }) => [
        i.entity,
        i.taxRate,
        i.amount,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['cn-bj-01', '0.06', 5_000],
        ['cn-sh-01', '0.13', 1_000],
      ]),
    );
    expect(application.invoices).toHaveLength(2);
    const id = application.applicationId as string;
    for (const who of [org.admin, b.api, c.api]) {
      expect((await who.get(`/v1/applications/${id}`)).status).toBe(200);
      expect(await listed(who)).toContain(id);
    }
    // A member whose records it does not include, and an outsider: as if it did not exist.
    expect((await e.api.get(`/v1/applications/${id}`)).status).toBe(404);
    expect(await listed(e.api)).not.toContain(id);
    expect((await org.outsider.api.get(`/v1/applications/${id}`)).status).toBe(404);
    // The members' own ledgers hold the reservation, and are invoiced once issued.
    expect((await b.api.get('/v1/invoiceable')).body.amount).toBe(0);
    expect((await c.api.get('/v1/invoiceable')).body.amount).toBe(0);
    await waitFor(async () => {
      const records = (await c.api.get('/v1/billing-records')).body.items as { invoicedAmount: number }[];
      return records.every((r) => r.invoicedAmount > 0) ? true : undefined;
    }, 'the consolidated application to be issued on the members’ records');
    const bRecords = (await b.api.get('/v1/billing-records')).body.items;
    expect(bRecords[0]).toMatchObject({ invoicedAmount: 3_000, reservedAmount: 0, invoiceableAmount: 0 });
  });

  it('R33 one member’s arrears are offset by another member’s consumption only when the organization enables it', async () => {
    // Prepare: b owes 5,000 and consumed 3,000; c consumed 10,000 and owes nothing
    const org = await organization({
      b: { records: [order(uniqueId('o'), { cashAmount: 3_000 })], arrears: 5_000 },
      c: { records: [order(uniqueId('o'), { cashAmount: 10_000 })] },
    });
    const { b, c } = org.members as Record<'b' | 'c', Org['members'][string]>;
    const billing = await clientFor('billing-system', ['billing-system']);
    const apply = (bAmount: number, cAmount: number) =>
      org.admin.post('/v1/org/applications', {
        mode: 'consolidated',
        accounts: [
          { accountId: b.id, amount: bAmount },
          { accountId: c.id, amount: cAmount },
        ],
        titleId: org.titleId,
        delivery,
      });

    // Act and assess: off — each member's own arrears apply; b can invoice nothing
    const off = await org.admin.get('/v1/org/accounts');
    expect(off.body).toMatchObject({ crossMemberArrearsOffset: false, invoiceable: 10_000 });
    const refused = await apply(3_000, 5_000);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('ARREARS_OUTSTANDING');

    // Act and assess: on — b's arrears come off the members' consumption together
    expect(
      (await billing.put(`/v1/internal/organizations/${org.orgId}`, { crossMemberArrearsOffset: true }))
        .status,
    ).toBe(200);
    const on = await org.admin.get('/v1/org/accounts');
    expect(on.body).toMatchObject({ crossMemberArrearsOffset: true, invoiceable: 8_000 });
    const tooMuch = await apply(3_000, 6_000);
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('ARREARS_OUTSTANDING');
    const accepted = await apply(3_000, 5_000);
    expect(accepted.status).toBe(201);
    expect(accepted.body.applications[0].total).toBe(8_000);
    // Independent applications still go by each member's own ledger.
    const alone = await org.admin.post('/v1/org/applications', {
      mode: 'independent',
      accounts: [{ accountId: c.id, amount: 5_000 }],
      titleId: org.titleId,
      delivery,
    });
    expect(alone.status).toBe(201);
  });

  it('R32 only org admins apply for an organization, and only for its members', async () => {
    const org = await organization({ b: { records: [order(uniqueId('o'), { cashAmount: 1_000 })] } });
    const body = {
      mode: 'independent',
      accounts: [{ accountId: org.outsider.id, amount: 1_000 }],
      titleId: org.titleId,
      delivery,
    };
    const outsider = await org.admin.post('/v1/org/applications', body);
    expect(outsider.status).toBe(404);
    const notAdmin = await org.members.b!.api.post('/v1/org/applications', {
      ...body,
      accounts: [{ accountId: org.members.b!.id, amount: 1_000 }],
    });
    expect(notAdmin.status).toBe(403);
    // Nothing was created for the member.
    expect(await listed(org.members.b!.api)).toEqual([]);
  });
});
