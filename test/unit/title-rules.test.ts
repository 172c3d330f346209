import { describe, expect, it } from 'vitest';
import { toShanghaiIso } from '#domain/calendar';
import { type DomainError, RealNameRequiredError, TitleTypeNotAllowedError } from '#domain/errors';
import {
  assertMayHold,
  decidedTitle,
  isUnmailedRepeat,
  missingFields,
  newTitle,
  requiredFields,
  revisedTitle,
  type Title,
  type TitleFields,
  type TitleType,
} from '#domain/title';
import { titleReviewEmail } from '#domain/title-notifications';
import { TitleBody, TitleDecisionBody } from '#schemas/titles';

const SPECIAL: TitleFields = {
  type: 'enterprise-special',
  name: '杭州示例科技有限公司',
  taxId: '91330106MA2H00006X',
  registeredAddress: '杭州市西湖区文三路1号',
  registeredPhone: '0571-88888888',
  bankName: '中国工商银行杭州文三支行',
  bankAccount: '1202000000000000000',
  notifyEmail: 'tax@example.com',
};

const ORDINARY: TitleFields = {
  type: 'enterprise-ordinary',
  name: '杭州示例科技有限公司',
  taxId: '91330106MA2H00006X',
};

// Friday 2026-02-13 10:00 in Shanghai: Saturday the 14th is a make-up working day, then the
// Spring Festival holiday runs 15–23 February, so the 2nd working day is Tuesday the 24th.
const BEFORE_SPRING_FESTIVAL = new Date('2026-02-13T02:00:00Z');

function thrown(act: () => unknown): DomainError | undefined {
  try {
    act();
  } catch (error) {
    return error as DomainError;
  }
  return undefined;
}

describe('title fields by type', () => {
  it.each<[TitleType, string[]]>([
    ['personal-ordinary', []],
    ['enterprise-ordinary', ['taxId']],
    ['organization-ordinary', ['taxId']],
    ['enterprise-special', ['taxId', 'registeredAddress', 'registeredPhone', 'bankName', 'bankAccount']],
  ])('R20 R21 a %s title requires %j beyond the name', (type, fields) => {
    // Act
    const required = requiredFields(type);

    // Assess
    expect([...required]).toEqual(fields);
  });

  it('R20 blank required fields count as missing', () => {
    // Act
    const missing = missingFields({ ...SPECIAL, bankName: '  ', registeredPhone: undefined });

    // Assess
    expect(missing).toEqual(['registeredPhone', 'bankName']);
  });

  it('R20 the request schema names every missing field of a special title', () => {
    // Act
    const parsed = TitleBody.safeParse({ type: 'enterprise-special', name: 'X 公司' });

    // Assess
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(
      ['bankAccount', 'bankName', 'registeredAddress', 'registeredPhone', 'taxId'].sort(),
    );
  });

  it('R21 a special title needs no notifyEmail: the fields of the API contract are enough', () => {
    // Act
    const parsed = TitleBody.safeParse({ ...SPECIAL, notifyEmail: undefined });

    // Assess
    expect(parsed.success).toBe(true);
    expect(missingFields({ ...SPECIAL, notifyEmail: undefined })).toEqual([]);
  });

  it('R20 a taxpayer ID is trimmed and upper-cased before its check character is verified', () => {
    // Act
    const lower = TitleBody.safeParse({ ...ORDINARY, taxId: ' 91330106ma2h00006x ' });
    const wrongCheck = TitleBody.safeParse({ ...ORDINARY, taxId: '91330106MA2H00006Y' });

    // Assess
    expect(lower.success && lower.data.taxId).toBe('91330106MA2H00006X');
    expect(wrongCheck.success).toBe(false);
    expect(wrongCheck.error?.issues[0]?.path).toEqual(['taxId']);
  });

  it('a name with a line break is refused: it would be printed on invoices and put in e-mail subjects', () => {
    // Act
    const parsed = TitleBody.safeParse({ type: 'personal-ordinary', name: '张三\r\nBcc: x@example.com' });

    // Assess
    expect(parsed.success).toBe(false);
  });

  it('R21 a rejection without a reason is refused by the decision schema', () => {
    // Act
    const rejected = TitleDecisionBody.safeParse({ approve: false });
    const approved = TitleDecisionBody.safeParse({ approve: true });

    // Assess
    expect(rejected.error?.issues[0]?.path).toEqual(['reason']);
    expect(approved.success).toBe(true);
  });
});

describe('who may hold a title', () => {
  it.each([undefined, 'none'] as const)('R1 an account verified as %s gets REAL_NAME_REQUIRED', (type) => {
    // Act
    const error = thrown(() => assertMayHold(type, 'personal-ordinary'));

    // Assess
    expect(error).toBeInstanceOf(RealNameRequiredError);
  });

  it.each<TitleType>(['enterprise-ordinary', 'enterprise-special', 'organization-ordinary'])(
    'R2 an individual may not hold a %s title',
    (type) => {
      // Act
      const error = thrown(() => assertMayHold('individual', type));

      // Assess
      expect(error).toBeInstanceOf(TitleTypeNotAllowedError);
    },
  );

  it('R2 an individual may hold a personal title and an enterprise any title', () => {
    // Act / Assess
    expect(thrown(() => assertMayHold('individual', 'personal-ordinary'))).toBeUndefined();
    expect(thrown(() => assertMayHold('enterprise', 'enterprise-special'))).toBeUndefined();
  });
});

describe('review lifecycle', () => {
  it('R21 an ordinary title is approved at once, with no review due date', () => {
    // Act
    const title = newTitle('acc-1', 'ttl-1', ORDINARY, BEFORE_SPRING_FESTIVAL);

    // Assess
    expect(title.status).toBe('approved');
    expect(title.reviewDueBy).toBeUndefined();
  });

  it('R21 a special title is due for review at the end of the 2nd mainland working day (make-up day and holiday)', () => {
    // Act
    const title = newTitle('acc-1', 'ttl-1', SPECIAL, BEFORE_SPRING_FESTIVAL);

    // Assess
    expect(title.status).toBe('pending-review');
    expect(title.submittedAt).toBe(BEFORE_SPRING_FESTIVAL.toISOString());
    expect(toShanghaiIso(new Date(title.reviewDueBy!))).toBe('2026-02-25T00:00:00+08:00');
  });

  it('R21 a special title submitted before National Day is due after the holiday week', () => {
    // Act: Wednesday 2026-09-30; 1–7 October are holidays, the 8th and 9th working days.
    const title = newTitle('acc-1', 'ttl-1', SPECIAL, new Date('2026-09-30T09:00:00+08:00'));

    // Assess
    expect(toShanghaiIso(new Date(title.reviewDueBy!))).toBe('2026-10-10T00:00:00+08:00');
  });

  it('R21 editing an ordinary title applies at once', () => {
    // Prepare
    const title = newTitle('acc-1', 'ttl-1', ORDINARY, BEFORE_SPRING_FESTIVAL);

    // Act
    const edited = revisedTitle(title, { ...ORDINARY, name: '杭州新名称有限公司' }, new Date());

    // Assess
    expect(edited).toMatchObject({ status: 'approved', name: '杭州新名称有限公司', titleId: 'ttl-1' });
    expect(edited.createdAt).toBe(title.createdAt);
  });

  it('R21 editing an approved special title sends it back to review with a new due date', () => {
    // Prepare
    const approved = decidedTitle(
      newTitle('acc-1', 'ttl-1', SPECIAL, BEFORE_SPRING_FESTIVAL),
      { approve: true },
      BEFORE_SPRING_FESTIVAL,
    );
    const later = new Date('2026-03-02T01:00:00Z'); // Monday 09:00 in Shanghai

    // Act
    const edited = revisedTitle(approved, { ...SPECIAL, bankAccount: '6222000000000000' }, later);

    // Assess
    expect(edited.status).toBe('pending-review');
    expect(edited.decidedAt).toBeUndefined();
    expect(toShanghaiIso(new Date(edited.reviewDueBy!))).toBe('2026-03-05T00:00:00+08:00');
  });

  it('R21 saving the same fields again changes nothing, but resubmits a rejected title', () => {
    // Prepare
    const pending = newTitle('acc-1', 'ttl-1', SPECIAL, BEFORE_SPRING_FESTIVAL);
    const rejected = decidedTitle(pending, { approve: false, reason: '银行账号有误' }, new Date());

    // Act
    const samePending = revisedTitle(pending, { ...SPECIAL }, new Date());
    const resubmitted = revisedTitle(rejected, { ...SPECIAL }, new Date());

    // Assess
    expect(samePending).toBe(pending);
    expect(resubmitted.status).toBe('pending-review');
    expect(resubmitted.rejectionReason).toBeUndefined();
  });

  it('R21 finance approves or rejects with a reason', () => {
    // Prepare
    const pending = newTitle('acc-1', 'ttl-1', SPECIAL, BEFORE_SPRING_FESTIVAL);
    const at = new Date('2026-02-24T03:00:00Z');

    // Act
    const approved = decidedTitle(pending, { approve: true }, at);
    const rejected = decidedTitle(pending, { approve: false, reason: ' 开户行与账号不符 ' }, at);

    // Assess
    expect(approved).toMatchObject({ status: 'approved', decidedAt: at.toISOString() });
    expect(approved.rejectionReason).toBeUndefined();
    expect(rejected).toMatchObject({ status: 'rejected', rejectionReason: '开户行与账号不符' });
  });

  it('R21 a title that is not pending cannot be decided (CONFLICT), and a rejection needs a reason', () => {
    // Prepare
    const ordinary = newTitle('acc-1', 'ttl-1', ORDINARY, BEFORE_SPRING_FESTIVAL);
    const pending = newTitle('acc-1', 'ttl-2', SPECIAL, BEFORE_SPRING_FESTIVAL);

    // Act
    const notPending = thrown(() => decidedTitle(ordinary, { approve: true }, new Date()));
    const noReason = thrown(() => decidedTitle(pending, { approve: false, reason: '  ' }, new Date()));

    // Assess
    expect(notPending?.code).toBe('CONFLICT');
    expect(noReason?.code).toBe('VALIDATION_FAILED');
  });

  it('R30 only the same decision, taken and not yet mailed, counts as a retry', () => {
    // Prepare
    const ordinary = newTitle('acc-1', 'ttl-1', ORDINARY, BEFORE_SPRING_FESTIVAL);
    const approved = decidedTitle(
      newTitle('acc-1', 'ttl-2', SPECIAL, BEFORE_SPRING_FESTIVAL),
      { approve: true },
      new Date(),
    );
    const mailed: Title = { ...approved, resultMailedAt: new Date().toISOString() };

    // Act / Assess
    expect(isUnmailedRepeat(approved, { approve: true })).toBe(true);
    expect(isUnmailedRepeat(approved, { approve: false, reason: 'x' })).toBe(false);
    expect(isUnmailedRepeat(mailed, { approve: true })).toBe(false);
    expect(isUnmailedRepeat(ordinary, { approve: true })).toBe(false);
  });
});

describe('review result e-mail', () => {
  const pending = newTitle('acc-1', 'ttl-1', SPECIAL, BEFORE_SPRING_FESTIVAL);

  it('R30 the approval is written in Chinese by default', () => {
    // Act
    const mail = titleReviewEmail('zh', decidedTitle(pending, { approve: true }, new Date()));

    // Assess
    expect(mail.subject).toBe('发票抬头审核通过：杭州示例科技有限公司');
    expect(mail.text).toContain('企业增值税专用发票');
  });

  it('R30 a rejection in English carries the reason', () => {
    // Act
    const mail = titleReviewEmail(
      'en',
      decidedTitle(pending, { approve: false, reason: 'The bank account does not match' }, new Date()),
    );

    // Assess
    expect(mail.subject).toBe('Invoice title not approved: 杭州示例科技有限公司');
    expect(mail.text).toContain('Reason: The bank account does not match');
  });

  it('R30 links to the titles page of the console when there is one, and nowhere otherwise', () => {
    const approved = decidedTitle(pending, { approve: true }, new Date());
    const linked = titleReviewEmail('zh', approved, { console: 'https://console.example/' });
    expect(linked.text).toContain('在控制台查看发票抬头：https://console.example/titles');
    expect(linked.html).toContain('<a href="https://console.example/titles">在控制台查看发票抬头</a>');
    expect(titleReviewEmail('en', approved).text).not.toContain('console');
  });
});
