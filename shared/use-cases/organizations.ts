import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { accountStateOf } from '#adapters/account-repository';
import { readApplicantState } from '#adapters/applicant-state';
import { documentClient, keys, tableName } from '#adapters/dynamodb';
import { readLedger } from '#adapters/ledger-aggregates-read';
import {
  getOrganization,
  listMemberIds,
  putOrganization,
  putPointers,
} from '#adapters/organization-repository';
import * as settings from '#config/settings';
import { type Account, assertMayApply } from '#domain/account';
import type { Allocation } from '#domain/application';
import { toShanghaiIso } from '#domain/calendar';
import {
  ArrearsOutstandingError,
  ForbiddenError,
  NotFoundError,
  RealNameRequiredError,
} from '#domain/errors';
import { sumFen } from '#domain/money';
import { assertWithinPooled, type MemberInvoiceable, organizationInvoiceable } from '#domain/organization';
import type { CreateApplicationBody } from '#schemas/applications';
import type {
  OrgAccountsView,
  OrgApplicationBody,
  OrgApplicationResult,
  OrganizationBody,
} from '#schemas/organizations';
import { allocateRead, checkDelivery, checkTitle, selectionRecords } from '#use-cases/application-plan';
import { createApplication, firstThen } from '#use-cases/applications';
import { invoiceableFrom } from '#use-cases/ledger';

/** PUT /v1/internal/organizations/{orgId} (billing system): R33's offset switch. */
export async function putOrganizationSettings(orgId: string, body: OrganizationBody, now: Date) {
  const organization = {
    orgId,
    crossMemberArrearsOffset: body.crossMemberArrearsOffset,
    updatedAt: now.toISOString(),
  };
  await putOrganization(organization);
  return { ...organization, updatedAt: toShanghaiIso(now) };
}

interface Caller {
  accountId?: string;
  groups: readonly string[];
}

/** The org-admin caller's own account and organization; another group or no organization is 403. */
async function adminOf(caller: Caller): Promise<{ account: Account; orgId: string }> {
  if (!caller.accountId || !caller.groups.includes('org-admin')) {
    throw new ForbiddenError('This endpoint is for the org-admin group.');
  }
  const { account } = await readApplicantState(caller.accountId);
  if (!account?.orgId) throw new ForbiddenError('The caller’s account is not in an organization.');
  return { account, orgId: account.orgId };
}

interface MemberState {
  account: Account;
  invoiceable: MemberInvoiceable;
}

/**
 * A member's profile and what it can invoice, with and without its arrears, from its ledger
 * aggregates (one batch read with the profile, R10), never from its records.
 */
async function memberState(accountId: string, orgId: string, now: Date): Promise<MemberState> {
  const profileKey = keys.account(accountId);
  const { aggregates, items } = await readLedger(accountId, now, [profileKey]);
  const { account } = accountStateOf(items.get(profileKey.sk));
  // Not a member of the caller's organization: as if it did not exist.
  if (!account || account.orgId !== orgId)
    throw new NotFoundError(`No account ${accountId} in the organization.`);
  const { amount, formula } = await invoiceableFrom(accountId, { account }, aggregates, now);
  return {
    account,
    invoiceable: {
      accountId,
      arrears: account.arrears,
      // What its arrears took off (R12) is in the formula: the amount as if it owed nothing.
      beforeArrears: amount + formula.arrearsOffset,
      own: amount,
    },
  };
}

/** GET /v1/org/accounts (R32, R33): the members with what each can invoice, and the organization's total. */
export async function listOrgAccounts(caller: Caller, now: Date): Promise<OrgAccountsView> {
  const { orgId } = await adminOf(caller);
  const [organization, ids] = await Promise.all([getOrganization(orgId), listMemberIds(orgId)]);
  const members = await Promise.all(ids.sort().map((id) => memberState(id, orgId, now)));
  const pooled = organization?.crossMemberArrearsOffset === true;
  return {
    orgId,
    crossMemberArrearsOffset: pooled,
    invoiceable: organizationInvoiceable(
      members.map((m) => m.invoiceable),
      pooled,
    ),
    items: members.map(({ invoiceable: m }) => ({
      accountId: m.accountId,
      arrears: m.arrears,
      invoiceable: m.own,
      invoiceableBeforeArrears: m.beforeArrears,
    })),
  };
}

/**
 * POST /v1/org/applications (R32, R33). Everything is checked before anything is created: the
 * admin's account may apply, the title (the admin's) and delivery as for any application, each
 * account is a member, each selection fits that member's ledger — with its own arrears, or
 * (consolidated, offset on) with all the members' arrears offset against their consumption
 * together. Then each application goes through the customer's create path (reservation,
 * idempotency, split by entity and tax rate, workflow), planned by this organization's rules:
 * - independent: one per account, in that account (its records, its ledger), listed for the admin;
 * - consolidated: one in the admin's account over every member's records, listed for each member.
 * The pointers that list an application for the other accounts are written before it, so an
 * accepted application is never invisible to them; member ledgers move on after a
 * consolidated reservation, so their cached invoiceable amounts are recomputed.
 */
export async function createOrgApplications(
  caller: Caller,
  body: OrgApplicationBody,
  idempotencyKey: string | undefined,
  now: Date,
): Promise<OrgApplicationResult> {
  const admin = await adminOf(caller);
  const adminId = admin.account.accountId;
  const organization = await getOrganization(admin.orgId);
  const pooled = body.mode === 'consolidated' && organization?.crossMemberArrearsOffset === true;
  const paperAddress = body.delivery.medium === 'paper' ? body.delivery.addressId : undefined;

  /** The admin's account, title and delivery target, checked as for an application (R1–R4, R21, R23). */
  const applicant = async () => {
    const { account, title, addressSaved } = await readApplicantState(adminId, body.titleId, paperAddress);
    if (!account) throw new RealNameRequiredError('This account has no verified profile yet.');
    assertMayApply(account);
    if (!title) throw new NotFoundError(`No invoice title ${body.titleId}.`);
    checkTitle(account, title);
    const delivery = checkDelivery(
      { mode: 'amount', titleId: title.titleId, delivery: body.delivery },
      title,
      addressSaved,
    );
    return { account, title, delivery };
  };

  /**
   * One member's allocations for its selection, checked against its ledger (R7, R12, R14–R16):
   * the records it names, or by amount the oldest as far as it needs.
   */
  const allocate = async (
    member: MemberState,
    selection: OrgApplicationBody['accounts'][number],
    titleId: string,
    now: Date,
  ) => {
    const policy = settings.arrearsPolicy();
    if (policy === 'block' && member.account.arrears > 0) {
      throw new ArrearsOutstandingError(
        `Account ${member.account.accountId} owes ${member.account.arrears} fen.`,
      );
    }
    assertMayApply(member.account);
    // Pooled: each member as if it owed nothing; the arrears are checked together below.
    const arrears = pooled ? 0 : member.account.arrears;
    const invoiceable = pooled ? member.invoiceable.beforeArrears : member.invoiceable.own;
    const request = {
      mode: selection.amount === undefined ? ('orders' as const) : ('amount' as const),
      amount: selection.amount,
      recordIds: selection.recordIds,
      titleId,
    };
    const read = await selectionRecords(member.account.accountId, request, invoiceable, now);
    const allocations = allocateRead(request, read, invoiceable, arrears, now);
    return allocations.map((a): Allocation => ({ ...a, accountId: member.account.accountId }));
  };

  const planAll = async (at: Date) => {
    const { account, title, delivery } = await applicant();
    const members = await Promise.all(body.accounts.map((s) => memberState(s.accountId, admin.orgId, at)));
    const perMember = await Promise.all(
      members.map((m, i) => allocate(m, body.accounts[i]!, title.titleId, at)),
    );
    if (pooled) {
      assertWithinPooled(
        sumFen(perMember.flat().map((a) => a.amount)),
        members.map((m) => m.invoiceable),
      );
    }
    return { account, title, delivery, members, perMember };
  };

  // Everything is checked first: a refusal creates nothing. The first attempt at each
  // application is accepted on what this check read (its transaction holds it to the ledger
  // and records as read); a retry after a conflict plans afresh.
  const checked = await planAll(now);
  const submittedAt = now.toISOString();

  if (body.mode === 'consolidated') {
    const applicationId = `app_${randomUUID()}`;
    const mode = body.accounts.every((s) => s.amount !== undefined) ? 'amount' : 'orders';
    const others = body.accounts.map((s) => s.accountId).filter((id) => id !== adminId);
    await putPointers(applicationId, submittedAt, others);
    const consolidate = (plan: typeof checked) => ({
      account: plan.account,
      title: plan.title,
      delivery: plan.delivery,
      allocations: plan.perMember.flat(),
      applicationId,
    });
    const result = await createApplication(
      adminId,
      { ...body, mode, amount: undefined } as unknown as CreateApplicationBody,
      idempotencyKey,
      now,
      undefined,
      firstThen(
        async () => consolidate(checked),
        async (at) => consolidate(await planAll(at)),
      ),
    );
    await moveLedgers(others);
    return { mode: body.mode, applications: [result.body as OrgApplicationResult['applications'][number]] };
  }

  const applications: OrgApplicationResult['applications'] = [];
  for (const [index, selection] of body.accounts.entries()) {
    const memberId = selection.accountId;
    const applicationId = `app_${randomUUID()}`;
    if (memberId !== adminId) await putPointers(applicationId, submittedAt, [adminId]);
    const result = await createApplication(
      memberId,
      {
        ...(selection.amount === undefined
          ? { mode: 'orders', recordIds: selection.recordIds }
          : { mode: 'amount', amount: selection.amount }),
        titleId: body.titleId,
        delivery: body.delivery,
        appliedBy: adminId,
      } as unknown as CreateApplicationBody,
      idempotencyKey,
      now,
      undefined,
      firstThen(
        async () => ({
          account: checked.members[index]!.account,
          title: checked.title,
          delivery: checked.delivery,
          allocations: checked.perMember[index]!,
          applicationId,
        }),
        async (at) => {
          const { title, delivery } = await applicant();
          const member = await memberState(memberId, admin.orgId, at);
          return {
            account: member.account,
            title,
            delivery,
            allocations: await allocate(member, selection, title.titleId, at),
            applicationId,
          };
        },
      ),
    );
    applications.push(result.body as OrgApplicationResult['applications'][number]);
  }
  return { mode: body.mode, applications };
}

/**
 * A consolidated reservation changed the members' records: their ledger versions move, so a
 * cached invoiceable amount computed before is not used again (see ledger.currentInvoiceable).
 */
async function moveLedgers(accountIds: readonly string[]): Promise<void> {
  await Promise.all(
    accountIds.map((accountId) =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.account(accountId),
          UpdateExpression: 'ADD ledgerVersion :one',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      ),
    ),
  );
}
