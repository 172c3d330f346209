import * as z from 'zod';
import { isValidMainlandPhone, isValidPostalCode } from '#domain/address';
import { Id } from '#schemas/common';

const PLAIN = /^[^\p{Cc}]*$/u;
const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(PLAIN, 'no control characters (line breaks, tabs)');

export const AddressBody = z
  .object({
    recipient: text(50),
    phone: z
      .string()
      .trim()
      .refine(
        isValidMainlandPhone,
        'a mainland mobile number (1[3-9] and 9 digits) or landline (0, area code, optional "-", 7–8 digits)',
      ),
    province: text(50),
    city: text(50),
    district: text(50),
    street: text(200),
    postalCode: z.string().trim().refine(isValidPostalCode, 'six digits'),
    isDefault: z.boolean().optional().meta({
      description:
        'true makes this the default (the old default is unset in the same change); the first address is always the default',
    }),
  })
  .strict()
  .meta({ id: 'AddressInput' });
export type AddressBody = z.infer<typeof AddressBody>;

export const AddressView = z
  .object({
    addressId: Id,
    recipient: z.string(),
    phone: z.string(),
    province: z.string(),
    city: z.string(),
    district: z.string(),
    street: z.string(),
    postalCode: z.string(),
    isDefault: z.boolean(),
  })
  .meta({ id: 'Address' });

export const AddressList = z
  .object({
    items: z.array(AddressView).meta({ description: 'At most 20; the default first, then the newest' }),
    nextCursor: z.string().optional().meta({ description: 'Never set: every address fits one page' }),
  })
  .meta({ id: 'AddressList' });

export const AddressIdPath = z.object({ addressId: Id });
