import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Address,
  type AddressFields,
  type AddressPlan,
  isValidMainlandPhone,
  isValidPostalCode,
  listOrder,
  MAX_ADDRESSES,
  planAdd,
  planChange,
  planRemove,
} from '#domain/address';
import type { DomainError } from '#domain/errors';

const FIELDS: AddressFields = {
  recipient: '王五',
  phone: '13800138000',
  province: '浙江省',
  city: '杭州市',
  district: '西湖区',
  street: '文三路1号',
  postalCode: '310000',
};

const T0 = Date.parse('2026-03-02T01:00:00Z');
const at = (minute: number) => new Date(T0 + minute * 60_000);

/** Applies a plan to a book, as the repository's transaction does. */
function apply(book: Address[], plan: AddressPlan): Address[] {
  const byId = new Map(book.map((a) => [a.addressId, a]));
  for (const id of plan.remove) byId.delete(id);
  for (const a of plan.put) byId.set(a.addressId, a);
  return [...byId.values()];
}

function add(book: Address[], addressId: string, minute: number, isDefault?: boolean): Address[] {
  return apply(book, planAdd(book, { ...FIELDS, isDefault }, { accountId: 'acc-1', addressId }, at(minute)));
}

const defaults = (book: Address[]) => book.filter((a) => a.isDefault).map((a) => a.addressId);

function thrown(act: () => unknown): DomainError | undefined {
  try {
    act();
  } catch (error) {
    return error as DomainError;
  }
  return undefined;
}

describe('one default address', () => {
  it('R22 the first address becomes the default even when not asked', () => {
    // Act
    const book = add([], 'a1', 0, false);

    // Assess
    expect(defaults(book)).toEqual(['a1']);
  });

  it('R22 a new default unsets the old one in the same change', () => {
    // Prepare
    const book = add(add([], 'a1', 0), 'a2', 1);

    // Act
    const plan = planAdd(
      book,
      { ...FIELDS, isDefault: true },
      { accountId: 'acc-1', addressId: 'a3' },
      at(2),
    );

    // Assess
    expect(plan.put.map((a) => [a.addressId, a.isDefault])).toEqual([
      ['a3', true],
      ['a1', false],
    ]);
    expect(defaults(apply(book, plan))).toEqual(['a3']);
  });

  it('R22 changing an address with isDefault moves the default; leaving it out keeps roles', () => {
    // Prepare
    const book = add(add([], 'a1', 0), 'a2', 1);

    // Act
    const moved = apply(book, planChange(book, 'a2', { ...FIELDS, isDefault: true }, at(2)));
    const kept = apply(moved, planChange(moved, 'a2', { ...FIELDS, street: '文三路2号' }, at(3)));

    // Assess
    expect(defaults(moved)).toEqual(['a2']);
    expect(defaults(kept)).toEqual(['a2']);
    expect(kept.find((a) => a.addressId === 'a2')?.street).toBe('文三路2号');
  });

  it('R22 the default cannot be unset directly: another address must be made default', () => {
    // Prepare
    const book = add(add([], 'a1', 0), 'a2', 1);

    // Act
    const error = thrown(() => planChange(book, 'a1', { ...FIELDS, isDefault: false }, at(2)));

    // Assess
    expect(error?.code).toBe('VALIDATION_FAILED');
    expect(error?.errors?.[0]?.path).toBe('body.isDefault');
  });

  it('R22 deleting the default makes the most recently added remaining address the default', () => {
    // Prepare
    const book = add(add(add([], 'a1', 0), 'a2', 1), 'a3', 2);

    // Act
    const after = apply(book, planRemove(book, 'a1', at(3)));

    // Assess
    expect(after.map((a) => a.addressId).sort()).toEqual(['a2', 'a3']);
    expect(defaults(after)).toEqual(['a3']);
  });

  it('R22 deleting another address leaves the default alone; deleting the last leaves none', () => {
    // Prepare
    const book = add(add([], 'a1', 0), 'a2', 1);

    // Act
    const plan = planRemove(book, 'a2', at(2));
    const last = planRemove(add([], 'a1', 0), 'a1', at(2));

    // Assess
    expect(plan).toEqual({ put: [], remove: ['a2'] });
    expect(last).toEqual({ put: [], remove: ['a1'] });
  });

  it('R22 an unknown address is NOT_FOUND', () => {
    // Act
    const error = thrown(() => planRemove(add([], 'a1', 0), 'zz', at(1)));

    // Assess
    expect(error?.code).toBe('NOT_FOUND');
  });

  it(`R22 at most ${MAX_ADDRESSES} addresses: the next one is VALIDATION_FAILED`, () => {
    // Prepare
    let book: Address[] = [];
    for (let i = 0; i < MAX_ADDRESSES; i++) book = add(book, `a${i}`, i);

    // Act
    const error = thrown(() => add(book, 'extra', 99));

    // Assess
    expect(book).toHaveLength(MAX_ADDRESSES);
    expect(error?.code).toBe('VALIDATION_FAILED');
  });

  it('R22 the list shows the default first, then the newest', () => {
    // Prepare
    const book = add(add(add([], 'a1', 0), 'a2', 1), 'a3', 2);

    // Act
    const order = listOrder(book).map((a) => a.addressId);

    // Assess
    expect(order).toEqual(['a1', 'a3', 'a2']);
  });

  it('R22 any sequence of adds, changes and deletes leaves exactly one default while addresses remain (property)', () => {
    const step = fc.oneof(
      fc.record({ op: fc.constant('add' as const), isDefault: fc.option(fc.boolean(), { nil: undefined }) }),
      fc.record({
        op: fc.constant('change' as const),
        pick: fc.nat(),
        isDefault: fc.option(fc.boolean(), { nil: undefined }),
      }),
      fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        let book: Address[] = [];
        steps.forEach((s, i) => {
          const target = book[('pick' in s ? s.pick : 0) % Math.max(book.length, 1)];
          const plan = (() => {
            try {
              if (s.op === 'add')
                return planAdd(
                  book,
                  { ...FIELDS, isDefault: s.isDefault },
                  { accountId: 'acc', addressId: `a${i}` },
                  at(i),
                );
              if (!target) return undefined;
              if (s.op === 'change')
                return planChange(book, target.addressId, { ...FIELDS, isDefault: s.isDefault }, at(i));
              return planRemove(book, target.addressId, at(i));
            } catch (error) {
              // Refusals are allowed (21st address, unsetting the default); they change nothing.
              expect((error as DomainError).code).toBe('VALIDATION_FAILED');
              return undefined;
            }
          })();
          if (plan) book = apply(book, plan);
          expect(book.length).toBeLessThanOrEqual(MAX_ADDRESSES);
          expect(defaults(book)).toHaveLength(book.length === 0 ? 0 : 1);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('phone and postal code', () => {
  it.each(['13800138000', '19912345678', '010-12345678', '01012345678', '0571-8888888', '0755-88888888'])(
    'R22 %s is a mainland phone number',
    (phone) => {
      expect(isValidMainlandPhone(phone)).toBe(true);
    },
  );

  it.each([
    '12800138000',
    '1380013800',
    '138001380001',
    '+8613800138000',
    '010-123456',
    '10-12345678',
    '0571-888888888',
    'phone',
  ])('R22 %s is not a mainland phone number', (phone) => {
    expect(isValidMainlandPhone(phone)).toBe(false);
  });

  it.each([
    ['310000', true],
    ['31000', false],
    ['3100000', false],
    ['31000a', false],
  ])('R22 postal code %s valid: %s', (code, valid) => {
    expect(isValidPostalCode(code)).toBe(valid);
  });
});
