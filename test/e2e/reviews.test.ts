import { describe, expect, it } from 'vitest';
import type { SesStoredEmail } from '../../scripts/local/ses.ts';
import {
  type ApiClient,
  clientFor,
  givenAccount,
  order,
  sentMailTo,
  uniqueId,
  waitFor,
} from '../support/api.ts';

const special = (notifyEmail: string, fields: Record<string, unknown> = {}) => ({
  type: 'enterprise-special',
  name: '杭州示例科技有限公司',
  taxId: '91330106MA2H00006X',
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202000000000000000',
  notifyEmail,
  ...fields,
});

interface Customer {
  accountId: string;
  api: ApiClient;
  email: string;
}

async function customer(
  options: { language?: 'zh' | 'en'; records?: Record<string, unknown>[] } = {},
): Promise<Customer> {
  const accountId = uniqueId('acct');
  if (options.language) {
    const billing = await clientFor('billing-system', ['billing-system']);
    const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
      arrears: 0,
      language: options.language,
    });
    expect(put.status).toBe(200);
  } else {
    await givenAccount(accountId, { records: options.records });
  }
  return { accountId, api: await clientFor(accountId), email: `${accountId}@example.com` };
}

const finance = () => clientFor('finance-staff', ['finance']);

/** Every pending title review, following the cursor (the stack is shared by all tests). */
async function pendingTitles(): Promise<{ accountId: string; titleId: string }[]> {
  const api = await finance();
  const titles: { accountId: string; titleId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get(`/v1/admin/reviews?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.status).toBe(200);
    titles.push(...page.body.titles);
    cursor = page.body.nextCursor;
  } while (cursor);
  return titles;
}

async function pendingApplications(): Promise<{ applicationId: string }[]> {
  const api = await finance();
  const applications: { applicationId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.get(`/v1/admin/reviews?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    applications.push(...page.body.applications);
    cursor = page.body.nextCursor;
  } while (cursor);
  return applications;
}

const decide = async (accountId: string, titleId: string, body: unknown) =>
  (await finance()).post(`/v1/admin/accounts/${accountId}/titles/${titleId}/decision`, body);

const mailText = (mail: SesStoredEmail) => mail.body.text ?? '';

describe('finance reviews special titles', () => {
  it('R21 a pending special title is listed for finance with its account, details and due date', async () => {
    // Prepare
    const { accountId, api, email } = await customer();

    // Act
    const created = await api.post('/v1/titles', special(email));
    const listed = (await pendingTitles()).find((t) => t.titleId === created.body.titleId);

    // Assess
    expect(listed).toEqual({ accountId, ...created.body });
    expect(listed).toMatchObject({
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
      bankAccount: '1202000000000000000',
      status: 'pending-review',
      submittedAt: expect.stringMatching(/\+08:00$/),
      reviewDueBy: expect.stringMatching(/T00:00:00\+08:00$/),
    });
  });

  it('R21 R30 a pending title cannot be used until finance approves it; approval is e-mailed in Chinese', async () => {
    // Prepare
    const { accountId, api, email } = await customer({
      records: [order(uniqueId('o'), { cashAmount: 20_000 })],
    });
    const title = await api.post('/v1/titles', special(email));
    const apply = () =>
      api.post('/v1/applications', {
        mode: 'amount',
        amount: 10_000,
        titleId: title.body.titleId,
        delivery: { medium: 'electronic', email },
      });
    const whilePending = await apply();

    // Act
    const decided = await decide(accountId, title.body.titleId, { approve: true });

    // Assess
    expect(whilePending.status).toBe(422);
    expect(whilePending.body.code).toBe('TITLE_NOT_APPROVED');
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      accountId,
      titleId: title.body.titleId,
      status: 'approved',
      decidedAt: expect.stringMatching(/\+08:00$/),
    });
    expect((await api.get(`/v1/titles/${title.body.titleId}`)).body.status).toBe('approved');
    expect((await pendingTitles()).some((t) => t.titleId === title.body.titleId)).toBe(false);
    const mails = await sentMailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('发票抬头审核通过：杭州示例科技有限公司');
    expect(mailText(mails[0]!)).toContain('已通过资质审核');
    expect((await apply()).status).toBe(201);
  });

  it('R21 R30 a special title sent exactly as the API contract describes it (no notifyEmail) is accepted; its result goes to the account’s contact e-mail', async () => {
    // Prepare
    const accountId = uniqueId('acct');
    const contact = `${accountId}-contact@example.com`;
    const billing = await clientFor('billing-system', ['billing-system']);
    const put = await billing.put(`/v1/internal/accounts/${accountId}`, {
      region: 'mainland',
      realName: { type: 'enterprise', name: '杭州示例科技有限公司' },
      arrears: 0,
      email: contact,
    });
    expect(put.status).toBe(200);
    const api = await clientFor(accountId);
    const { notifyEmail: _, ...contractFields } = special('unused@example.com');

    // Act
    const title = await api.post('/v1/titles', contractFields);
    const decided = await decide(accountId, title.body.titleId, { approve: true });

    // Assess
    expect(title.status).toBe(201);
    expect(title.body.status).toBe('pending-review');
    expect(title.body).not.toHaveProperty('notifyEmail');
    expect(decided.status).toBe(200);
    const mails = await waitFor(async () => {
      const sent = await sentMailTo(contact);
      return sent.length > 0 ? sent : undefined;
    }, 'the review result at the account’s contact e-mail');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('发票抬头审核通过：杭州示例科技有限公司');
  });

  it('R21 R30 with neither notifyEmail nor an account e-mail, the review result is the title’s status alone', async () => {
    // Prepare
    const { accountId, api } = await customer();
    const { notifyEmail: _, ...contractFields } = special('unused@example.com');
    const title = await api.post('/v1/titles', contractFields);

    // Act
    const decided = await decide(accountId, title.body.titleId, {
      approve: false,
      reason: '开户行与账号不符',
    });

    // Assess
    expect(title.status).toBe(201);
    expect(decided.status).toBe(200);
    const shown = await api.get(`/v1/titles/${title.body.titleId}`);
    expect(shown.body).toMatchObject({ status: 'rejected', rejectionReason: '开户行与账号不符' });
    expect(await sentMailTo('unused@example.com')).toEqual([]);
    expect(await sentMailTo(`${accountId}@example.com`)).toEqual([]);
  });

  it('R21 R30 finance rejects with a reason: the title shows it and an English account is e-mailed it in English', async () => {
    // Prepare
    const { accountId, api, email } = await customer({ language: 'en' });
    const title = await api.post('/v1/titles', special(email));

    // Act
    const decided = await decide(accountId, title.body.titleId, {
      approve: false,
      reason: 'The bank account does not belong to the company',
    });

    // Assess
    expect(decided.status).toBe(200);
    const read = await api.get(`/v1/titles/${title.body.titleId}`);
    expect(read.body).toMatchObject({
      status: 'rejected',
      rejectionReason: 'The bank account does not belong to the company',
    });
    expect((await pendingTitles()).some((t) => t.titleId === title.body.titleId)).toBe(false);
    const mails = await sentMailTo(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Invoice title not approved: 杭州示例科技有限公司');
    expect(mailText(mails[0]!)).toContain('Reason: The bank account does not belong to the company');
  });

  it('R21 a rejection without a reason is VALIDATION_FAILED and the title stays pending, unmailed', async () => {
    // Prepare
    const { accountId, api, email } = await customer();
    const title = await api.post('/v1/titles', special(email));

    // Act
    const noReason = await decide(accountId, title.body.titleId, { approve: false });
    const blankReason = await decide(accountId, title.body.titleId, { approve: false, reason: '   ' });
    const wrongType = await decide(accountId, title.body.titleId, { approve: 'no' });

    // Assess
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors).toEqual([{ path: 'body.reason', message: 'is required when rejecting' }]);
    expect(blankReason.status).toBe(400);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.approve']);
    expect((await api.get(`/v1/titles/${title.body.titleId}`)).body.status).toBe('pending-review');
    expect(await sentMailTo(email)).toEqual([]);
  });

  it('R21 deciding a title that is not pending answers 409 CONFLICT and sends nothing more', async () => {
    // Prepare
    const { accountId, api, email } = await customer();
    const ordinary = await api.post('/v1/titles', {
      type: 'enterprise-ordinary',
      name: '杭州示例科技有限公司',
      taxId: '91330106MA2H00006X',
    });
    const title = await api.post('/v1/titles', special(email));
    expect((await decide(accountId, title.body.titleId, { approve: true })).status).toBe(200);

    // Act
    const onOrdinary = await decide(accountId, ordinary.body.titleId, { approve: true });
    const again = await decide(accountId, title.body.titleId, { approve: true });
    const reversed = await decide(accountId, title.body.titleId, { approve: false, reason: '改主意了' });

    // Assess
    for (const response of [onOrdinary, again, reversed]) {
      expect(response.status).toBe(409);
      expect(response.body.code).toBe('CONFLICT');
    }
    expect((await api.get(`/v1/titles/${title.body.titleId}`)).body.status).toBe('approved');
    expect(await sentMailTo(email)).toHaveLength(1);
  });

  it('R21 editing an approved special title sends it back to review, and it cannot be used meanwhile', async () => {
    // Prepare
    const { accountId, api, email } = await customer({
      records: [order(uniqueId('o'), { cashAmount: 20_000 })],
    });
    const title = await api.post('/v1/titles', special(email));
    await decide(accountId, title.body.titleId, { approve: true });

    // Act
    const edited = await api.request(
      'PUT',
      `/v1/titles/${title.body.titleId}`,
      special(email, { bankAccount: '6222000000000000000' }),
    );
    const application = await api.post('/v1/applications', {
      mode: 'amount',
      amount: 10_000,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email },
    });

    // Assess
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'pending-review', bankAccount: '6222000000000000000' });
    expect(edited.body.decidedAt).toBeUndefined();
    expect(edited.body.reviewDueBy).toMatch(/T00:00:00\+08:00$/);
    expect((await pendingTitles()).some((t) => t.titleId === title.body.titleId)).toBe(true);
    expect(application.status).toBe(422);
    expect(application.body.code).toBe('TITLE_NOT_APPROVED');
  });

  it('R21 a rejected special title is resubmitted by editing it, without the old reason', async () => {
    // Prepare
    const { accountId, api, email } = await customer();
    const title = await api.post('/v1/titles', special(email));
    await decide(accountId, title.body.titleId, { approve: false, reason: '开户行名称有误' });

    // Act
    const resubmitted = await api.request(
      'PUT',
      `/v1/titles/${title.body.titleId}`,
      special(email, { bankName: '中国工商银行股份有限公司杭州文三支行' }),
    );
    const decidedAgain = await decide(accountId, title.body.titleId, { approve: true });

    // Assess
    expect(resubmitted.body.status).toBe('pending-review');
    expect(resubmitted.body.rejectionReason).toBeUndefined();
    expect(decidedAgain.body.status).toBe('approved');
    const subjects = (await sentMailTo(email)).map((m) => m.subject).sort();
    expect(subjects).toEqual(
      ['发票抬头审核未通过：杭州示例科技有限公司', '发票抬头审核通过：杭州示例科技有限公司'].sort(),
    );
  });

  it('R21 a pending title the customer deletes leaves the review list and cannot be decided (404)', async () => {
    // Prepare
    const { accountId, api, email } = await customer();
    const title = await api.post('/v1/titles', special(email));
    expect((await pendingTitles()).some((t) => t.titleId === title.body.titleId)).toBe(true);

    // Act
    const deleted = await api.request('DELETE', `/v1/titles/${title.body.titleId}`);
    const decided = await decide(accountId, title.body.titleId, { approve: true });

    // Assess
    expect(deleted.status).toBe(204);
    expect((await pendingTitles()).some((t) => t.titleId === title.body.titleId)).toBe(false);
    expect(decided.status).toBe(404);
    expect(await sentMailTo(email)).toEqual([]);
  });

  it('R25 applications waiting for finance are listed next to the titles', async () => {
    // Prepare: a special-invoice application goes to finance after the cancellation window
    const { accountId, api, email } = await customer({
      records: [order(uniqueId('o'), { cashAmount: 20_000 })],
    });
    const title = await api.post('/v1/titles', special(email));
    await decide(accountId, title.body.titleId, { approve: true });
    const application = await api.post('/v1/applications', {
      mode: 'amount',
      amount: 10_000,
      titleId: title.body.titleId,
      delivery: { medium: 'electronic', email },
    });
    expect(application.status).toBe(201);

    // Act
    const listed = await waitFor(
      async () =>
        (await pendingApplications()).find((a) => a.applicationId === application.body.applicationId),
      'the application to wait for finance',
    );

    // Assess
    expect(listed).toEqual({
      accountId,
      applicationId: application.body.applicationId,
      total: 10_000,
      titleName: '杭州示例科技有限公司',
      titleType: 'enterprise-special',
      medium: 'electronic',
      submittedAt: application.body.submittedAt,
      expectedBy: application.body.expectedBy,
    });
  });
});

describe('access to reviews', () => {
  it('only finance staff may list reviews or decide (403 FORBIDDEN otherwise)', async () => {
    // Prepare
    const { accountId, api, email } = await customer();
    const title = await api.post('/v1/titles', special(email));

    // Act
    const list = await api.get('/v1/admin/reviews');
    const selfApproval = await api.post(
      `/v1/admin/accounts/${accountId}/titles/${title.body.titleId}/decision`,
      {
        approve: true,
      },
    );

    // Assess
    expect(list.status).toBe(403);
    expect(list.body.code).toBe('FORBIDDEN');
    expect(selfApproval.status).toBe(403);
    expect((await api.get(`/v1/titles/${title.body.titleId}`)).body.status).toBe('pending-review');
  });

  it('a decision names the title’s own account: another account or an unknown title answers 404', async () => {
    // Prepare
    const owner = await customer();
    const other = await customer();
    const title = await owner.api.post('/v1/titles', special(owner.email));

    // Act
    const wrongAccount = await decide(other.accountId, title.body.titleId, { approve: true });
    const unknownTitle = await decide(owner.accountId, 'ttl_00000000-0000-0000-0000-000000000000', {
      approve: true,
    });

    // Assess
    expect(wrongAccount.status).toBe(404);
    expect(unknownTitle.status).toBe(404);
    expect((await owner.api.get(`/v1/titles/${title.body.titleId}`)).body.status).toBe('pending-review');
  });

  it('a cursor the reviews endpoint did not give out is refused at query.cursor', async () => {
    // Act
    const forged = await (await finance()).get(
      `/v1/admin/reviews?cursor=${Buffer.from(JSON.stringify({ titles: { pk: 'ACCOUNT#x', sk: 'PROFILE', gsi2pk: 'OTHER', gsi2sk: 'x' }, applications: null })).toString('base64url')}`,
    );

    // Assess
    expect(forged.status).toBe(400);
    expect(forged.body.errors).toEqual([
      { path: 'query.cursor', message: 'is not a cursor this endpoint returned' },
    ]);
  });
});
