import * as z from 'zod';
import { DeliveryInput } from '#schemas/applications';
import { Email, Fen, Id, Instant } from '#schemas/common';

const Region = z.enum(['mainland', 'overseas']);
const RealName = z
  .object({
    type: z.enum(['none', 'individual', 'enterprise']),
    name: z.string().min(1).max(200).optional(),
  })
  .strict();
const Language = z.enum(['zh', 'en']);

export const PutAccountBody = z
  .object({
    region: Region,
    realName: RealName,
    arrears: Fen.meta({ description: 'What the account owes, in fen (R12); 0 when nothing' }),
    orgId: Id.optional(),
    language: Language.optional().meta({
      description: 'Language of e-mails and documents; when left out it stays as it was (zh at first)',
    }),
    email: Email.optional().meta({ description: 'Contact e-mail for notifications; left out removes it' }),
  })
  .strict()
  .meta({ id: 'AccountUpsert' });
export type PutAccountBody = z.infer<typeof PutAccountBody>;

export const AccountIdPath = z.object({ accountId: Id });

export const AccountProfileView = z
  .object({
    accountId: Id,
    region: Region,
    realName: RealName,
    arrears: Fen,
    orgId: Id.optional(),
    language: Language,
    email: Email.optional(),
    updatedAt: Instant,
  })
  .meta({ id: 'AccountProfile' });

export const AccountView = z
  .object({
    accountId: Id,
    synced: z.boolean().meta({
      description:
        'false while the billing system has not sent this account yet: the account is shown as not ' +
        'verified (realName.type "none", region "mainland", no arrears) and applying answers ' +
        'REAL_NAME_REQUIRED until the profile arrives; nothing is refused for reading',
    }),
    region: Region,
    realName: RealName,
    language: Language,
    email: Email.optional(),
    orgId: Id.optional(),
    arrears: Fen,
    deficit: Fen.meta({
      description:
        'R13: invoices owed for records refunded or reduced after they were invoiced, not yet covered by later consumption',
    }),
    invoiceable: Fen.meta({ description: 'The amount of GET /v1/invoiceable' }),
    autoInvoicing: z
      .object({ enabled: z.boolean(), titleId: Id.optional(), delivery: DeliveryInput.optional() })
      .meta({
        description:
          'R31 monthly automatic invoicing (PUT /v1/account/auto-invoicing): on with its title and delivery target, or { enabled: false }',
      }),
    lastUsed: z.object({ titleId: Id, delivery: DeliveryInput }).optional().meta({
      description: 'R19: the title and delivery target of the last application, to prefill the next one',
    }),
  })
  .meta({ id: 'Account' });
export type AccountView = z.infer<typeof AccountView>;
