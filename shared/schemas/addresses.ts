import { isValidMainlandPhone, isValidPostalCode } from '#domain/address';
import { Id } from '#schemas/common';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

export const AddressBody = z.meta(
  z.strictObject({
    recipient: text({ max: 50, printed: true }),
    phone: z
      .string()
      .check(
        z.trim(),
        z.refine(
          isValidMainlandPhone,
          'a mainland mobile number (1[3-9] and 9 digits) or landline (0, area code, optional "-", 7–8 digits)',
        ),
      ),
    province: text({ max: 50, printed: true }),
    city: text({ max: 50, printed: true }),
    district: text({ max: 50, printed: true }),
    street: text({ max: 200, printed: true }),
    postalCode: z.string().check(z.trim(), z.refine(isValidPostalCode, 'six digits')),
    isDefault: z.meta(z.optional(z.boolean()), {
      description:
        'true makes this the default (the old default is unset in the same change); the first address is always the default',
    }),
  }),
  { id: 'AddressInput' },
);
export type AddressBody = z.infer<typeof AddressBody>;

export const AddressView = z.meta(
  z.object({
    addressId: Id,
    recipient: z.string(),
    phone: z.string(),
    province: z.string(),
    city: z.string(),
    district: z.string(),
    street: z.string(),
    postalCode: z.string(),
    isDefault: z.boolean(),
  }),
  { id: 'Address' },
);

export const AddressList = z.meta(
  z.object({
    items: z.meta(z.array(AddressView), { description: 'At most 20; the default first, then the newest' }),
    nextCursor: z.meta(z.optional(z.string()), { description: 'Never set: every address fits one page' }),
  }),
  { id: 'AddressList' },
);

export const AddressIdPath = z.object({ addressId: Id });
