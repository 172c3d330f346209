import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Account, assertMayApply, type RealNameType, type Region } from '#domain/account';
import { DomainError, RealNameRequiredError, RegionNotSupportedError } from '#domain/errors';
import { formatInvoiceNumber } from '#domain/issued-invoice';
import {
  initialStatus,
  isAllowedFor,
  requiresTaxId,
  snapshotTitle,
  type Title,
  type TitleSnapshot,
  type TitleType,
} from '#domain/title';

const TITLE_TYPES: TitleType[] = [
  'enterprise-ordinary',
  'enterprise-special',
  'personal-ordinary',
  'organization-ordinary',
];

function title(overrides: Partial<Title> = {}): Title {
  return {
    accountId: 'acc-1',
    titleId: 'title-1',
    type: 'enterprise-special',
    name: '北京云端科技有限公司',
    taxId: '91350100M000100Y43',
    registeredAddress: '北京市海淀区中关村大街1号',
    registeredPhone: '010-12345678',
    bankName: '中国工商银行北京中关村支行',
    bankAccount: '0200000000000000000',
    remark: '项目编号 A-17',
    status: 'approved',
    createdAt: '2025-05-01T00:00:00.000Z',
    updatedAt: '2025-05-02T00:00:00.000Z',
    ...overrides,
  };
}

function account(overrides: Partial<Account> = {}): Account {
  return {
    accountId: 'acc-1',
    region: 'mainland',
    realName: { type: 'enterprise', name: '北京云端科技有限公司' },
    arrears: 0,
    language: 'zh',
    ledgerVersion: 1,
    updatedAt: '2025-05-01T00:00:00.000Z',
    ...overrides,
  };
}

function thrown(act: () => void): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('title rules', () => {
  it.each<[TitleType, boolean]>([
    ['enterprise-ordinary', true],
    ['enterprise-special', true],
    ['organization-ordinary', true],
    ['personal-ordinary', false],
  ])('R20 a %s title requires a taxpayer ID: %s', (type, required) => {
    // Act
    const result = requiresTaxId(type);

    // Assess
    expect(result).toBe(required);
  });

  it.each<[TitleType, Title['status']]>([
    ['enterprise-ordinary', 'approved'],
    ['personal-ordinary', 'approved'],
    ['organization-ordinary', 'approved'],
    ['enterprise-special', 'pending-review'],
  ])('R21 a new %s title starts as %s', (type, status) => {
    // Act
    const result = initialStatus(type);

    // Assess
    expect(result).toBe(status);
  });

  it.each<[RealNameType, TitleType, boolean]>([
    ['individual', 'personal-ordinary', true],
    ['individual', 'enterprise-ordinary', false],
    ['individual', 'enterprise-special', false],
    ['individual', 'organization-ordinary', false],
    ['enterprise', 'personal-ordinary', true],
    ['enterprise', 'enterprise-ordinary', true],
    ['enterprise', 'enterprise-special', true],
    ['enterprise', 'organization-ordinary', true],
  ])('R2 an account verified as %s may hold a %s title: %s', (realName, type, allowed) => {
    // Act
    const result = isAllowedFor(realName, type);

    // Assess
    expect(result).toBe(allowed);
  });

  it('R2 an individual may hold only personal ordinary titles (every type checked)', () => {
    // Act
    const allowed = TITLE_TYPES.filter((type) => isAllowedFor('individual', type));

    // Assess
    expect(allowed).toEqual(['personal-ordinary']);
  });

  it('R26 the snapshot frozen into an invoice keeps the buyer fields and drops the bookkeeping', () => {
    // Prepare
    const source = title({ status: 'approved', rejectionReason: 'old', accountId: 'acc-9' });

    // Act
    const snapshot = snapshotTitle(source);

    // Assess
    expect(snapshot).toEqual({
      titleId: 'title-1',
      type: 'enterprise-special',
      name: '北京云端科技有限公司',
      taxId: '91350100M000100Y43',
      registeredAddress: '北京市海淀区中关村大街1号',
      registeredPhone: '010-12345678',
      bankName: '中国工商银行北京中关村支行',
      bankAccount: '0200000000000000000',
      remark: '项目编号 A-17',
    } satisfies TitleSnapshot);
    expect(snapshot).not.toHaveProperty('status');
    expect(snapshot).not.toHaveProperty('accountId');
    expect(snapshot).not.toHaveProperty('createdAt');
  });

  it('R26 a later edit of the title does not change a snapshot already taken', () => {
    // Prepare
    const source = title();
    const snapshot = snapshotTitle(source);

    // Act
    source.name = '北京云端科技（集团）有限公司';
    source.taxId = '91110108MA01A2B3CF';

    // Assess
    expect(snapshot.name).toBe('北京云端科技有限公司');
    expect(snapshot.taxId).toBe('91350100M000100Y43');
  });

  it('R20 a personal title snapshot carries only the name', () => {
    // Prepare
    const personal: Title = {
      accountId: 'acc-1',
      titleId: 'title-2',
      type: 'personal-ordinary',
      name: '张三',
      status: 'approved',
      createdAt: '2025-05-01T00:00:00.000Z',
      updatedAt: '2025-05-01T00:00:00.000Z',
    };

    // Act
    const snapshot = snapshotTitle(personal);

    // Assess
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual({
      titleId: 'title-2',
      type: 'personal-ordinary',
      name: '张三',
    });
  });
});

describe('assertMayApply', () => {
  it.each<RealNameType>(['individual', 'enterprise'])(
    'R1 a mainland account verified as %s may apply',
    (type) => {
      // Prepare
      const verified = account({ realName: { type } });

      // Act / Assess
      expect(() => assertMayApply(verified)).not.toThrow();
    },
  );

  it('R1 an account without real-name verification gets REAL_NAME_REQUIRED', () => {
    // Prepare
    const unverified = account({ realName: { type: 'none' } });

    // Act
    const error = thrown(() => assertMayApply(unverified));

    // Assess
    expect(error).toBeInstanceOf(RealNameRequiredError);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as RealNameRequiredError).code).toBe('REAL_NAME_REQUIRED');
    expect((error as Error).name).toBe('RealNameRequiredError');
    expect((error as Error).message).toMatch(/real-name verification/i);
  });

  it('R3 an account outside the mainland gets REGION_NOT_SUPPORTED, pointing to a support ticket', () => {
    // Prepare
    const overseas = account({ region: 'overseas' });

    // Act
    const error = thrown(() => assertMayApply(overseas));

    // Assess
    expect(error).toBeInstanceOf(RegionNotSupportedError);
    expect((error as RegionNotSupportedError).code).toBe('REGION_NOT_SUPPORTED');
    expect((error as Error).name).toBe('RegionNotSupportedError');
    expect((error as Error).message).toMatch(/support ticket/);
    expect((error as Error).message).toMatch(/commercial invoice/);
  });

  it('R3 the region is checked first: an unverified overseas account is told about the region', () => {
    // Prepare
    const overseasUnverified = account({ region: 'overseas', realName: { type: 'none' } });

    // Act
    const error = thrown(() => assertMayApply(overseasUnverified));

    // Assess
    expect((error as DomainError).code).toBe('REGION_NOT_SUPPORTED');
  });

  it('R1 R3 R12 arrears alone never stop the account-level check', () => {
    // Prepare
    const owing = account({ arrears: 50_000 });

    // Act / Assess
    expect(() => assertMayApply(owing)).not.toThrow();
  });

  it('R1 R3 exactly verified mainland accounts may apply (every combination)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Region>('mainland', 'overseas'),
        fc.constantFrom<RealNameType>('none', 'individual', 'enterprise'),
        (region, type) => {
          // Act
          const error = thrown(() => assertMayApply(account({ region, realName: { type } })));

          // Assess
          const expected =
            region !== 'mainland'
              ? 'REGION_NOT_SUPPORTED'
              : type === 'none'
                ? 'REAL_NAME_REQUIRED'
                : undefined;
          expect((error as DomainError | undefined)?.code).toBe(expected);
        },
      ),
    );
  });
});

describe('formatInvoiceNumber', () => {
  it('R26 the number is 20 digits: year, entity prefix, zero-padded sequence', () => {
    // Prepare
    const issuedAt = new Date('2025-06-15T04:00:00.000Z');

    // Act
    const number = formatInvoiceNumber(issuedAt, '110105', 42);

    // Assess
    expect(number).toBe('25110105000000000042');
    expect(number).toMatch(/^\d{20}$/);
  });

  it('R26 the largest twelve-digit sequence still fits in 20 digits', () => {
    // Act
    const number = formatInvoiceNumber(new Date('2030-01-15T00:00:00.000Z'), '310000', 999_999_999_999);

    // Assess
    expect(number).toBe('30310000999999999999');
  });

  it('R26 years are written with two digits, including the first decade of a century', () => {
    // Act
    const number = formatInvoiceNumber(new Date('2105-03-01T00:00:00.000Z'), '440300', 1);

    // Assess
    expect(number.slice(0, 2)).toBe('05');
    expect(number).toHaveLength(20);
  });

  it('R26 the year is the Shanghai year of issue, as printed on the invoice', () => {
    // Prepare: 2025-12-31T16:30Z is 2026-01-01 00:30 in Shanghai; the PDF shows 2026年01月01日.
    const issuedAt = new Date('2025-12-31T16:30:00.000Z');

    // Act
    const number = formatInvoiceNumber(issuedAt, '110105', 1);

    // Assess
    expect(number).toBe('26110105000000000001');
  });

  it('R26 every number is 20 digits and decodes back to its parts (property)', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00.000Z'),
          max: new Date('2099-12-31T00:00:00.000Z'),
          noInvalidDate: true,
        }),
        fc.stringMatching(/^\d{6}$/),
        fc.integer({ min: 0, max: 999_999_999_999 }),
        (issuedAt, prefix, sequence) => {
          // Act
          const number = formatInvoiceNumber(issuedAt, prefix, sequence);

          // Assess
          expect(number).toMatch(/^\d{20}$/);
          expect(number.slice(2, 8)).toBe(prefix);
          expect(Number(number.slice(8))).toBe(sequence);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('invariant 2 different sequences of one entity and year never give the same number (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 999_999_999_999 }),
        fc.integer({ min: 0, max: 999_999_999_999 }),
        (a, b) => {
          // Prepare
          const issuedAt = new Date('2025-06-15T04:00:00.000Z');

          // Act
          const first = formatInvoiceNumber(issuedAt, '110105', a);
          const second = formatInvoiceNumber(issuedAt, '110105', b);

          // Assess
          expect(first === second).toBe(a === b);
        },
      ),
      { numRuns: 500 },
    );
  });
});
