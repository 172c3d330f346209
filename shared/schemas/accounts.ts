import { DeliveryInput } from '#schemas/applications';
import { Email, Fen, Id, Instant } from '#schemas/common';
import { text } from '#schemas/text';
import * as z from '#schemas/zod';

const Region = z.enum(['mainland', 'overseas']);
const RealName = z.strictObject({
  type: z.enum(['none', 'individual', 'enterprise']),
  name: z.optional(text({ max: 200 })),
});
const Language = z.enum(['zh', 'en']);

export const PutAccountBody = z.meta(
  z.strictObject({
    region: Region,
    realName: RealName,
    arrears: z.meta(Fen, { description: 'What the account owes, in fen (R12); 0 when nothing' }),
    orgId: z.optional(Id),
    language: z.meta(z.optional(Language), {
      description: 'Language of e-mails and documents; when left out it stays as it was (zh at first)',
    }),
    email: z.meta(z.optional(Email), {
      description: 'Contact e-mail for notifications; left out removes it',
    }),
  }),
  { id: 'AccountUpsert' },
);
export type PutAccountBody = z.infer<typeof PutAccountBody>;

export const AccountIdPath = z.object({ accountId: Id });

export const AccountProfileView = z.meta(
  z.object({
    accountId: Id,
    region: Region,
    realName: RealName,
    arrears: Fen,
    orgId: z.optional(Id),
    language: Language,
    email: z.optional(Email),
    updatedAt: Instant,
  }),
  { id: 'AccountProfile' },
);

export const AccountView = z.meta(
  z.object({
    accountId: Id,
    synced: z.meta(z.boolean(), {
      description:
        'false while the billing system has not sent this account yet: the account is shown as not ' +
        'verified (realName.type "none", region "mainland", no arrears) and applying answers ' +
        'REAL_NAME_REQUIRED until the profile arrives; nothing is refused for reading',
    }),
    region: Region,
    realName: RealName,
    language: Language,
    email: z.optional(Email),
    orgId: z.optional(Id),
    arrears: Fen,
    deficit: z.meta(Fen, {
      description:
        'R13: invoices owed for records refunded or reduced after they were invoiced, not yet covered by later consumption',
    }),
    invoiceable: z.meta(Fen, { description: 'The amount of GET /v1/invoiceable' }),
    autoInvoicing: z.meta(
      z.object({ enabled: z.boolean(), titleId: z.optional(Id), delivery: z.optional(DeliveryInput) }),
      {
        description:
          'R31 monthly automatic invoicing (PUT /v1/account/auto-invoicing): on with its title and delivery target, or { enabled: false }',
      },
    ),
    lastUsed: z.meta(z.optional(z.object({ titleId: Id, delivery: DeliveryInput })), {
      description: 'R19: the title and delivery target of the last application, to prefill the next one',
    }),
  }),
  { id: 'Account' },
);
export type AccountView = z.infer<typeof AccountView>;
