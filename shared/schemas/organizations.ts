import * as z from 'zod';
import { ApplicationView, DeliveryInput } from '#schemas/applications';
import { Fen, Id, Instant } from '#schemas/common';

export const OrgIdPath = z.object({ orgId: Id });

export const OrganizationBody = z
  .object({
    crossMemberArrearsOffset: z.boolean().meta({
      description: "R33: one member's arrears may be offset by another member's consumption",
    }),
  })
  .strict()
  .meta({ id: 'OrganizationSettings' });
export type OrganizationBody = z.infer<typeof OrganizationBody>;

export const OrganizationView = z
  .object({ orgId: Id, crossMemberArrearsOffset: z.boolean(), updatedAt: Instant })
  .meta({ id: 'Organization' });

const MemberSelection = z
  .object({
    accountId: Id,
    amount: Fen.min(1).optional().meta({ description: 'Drawn oldest first, as mode amount (R14)' }),
    recordIds: z.array(Id).min(1).max(500).optional().meta({ description: 'Taken whole, as mode orders' }),
  })
  .strict()
  .refine((m) => (m.amount === undefined) !== (m.recordIds === undefined), {
    message: 'exactly one of amount and recordIds',
  });

export const OrgApplicationBody = z
  .object({
    mode: z.enum(['independent', 'consolidated']).meta({
      description:
        'R32. independent: one application per account, each through the normal create path. consolidated: one ' +
        "application over the accounts' records, still one invoice per (entity, tax rate) (R17)",
    }),
    accounts: z.array(MemberSelection).min(1).max(50),
    titleId: Id.meta({ description: "An approved title of the applying (org-admin's) account" }),
    delivery: DeliveryInput,
  })
  .strict()
  .superRefine((body, ctx) => {
    const ids = body.accounts.map((a) => a.accountId);
    if (new Set(ids).size !== ids.length) {
      ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'an account may appear once' });
    }
  })
  .meta({ id: 'OrganizationApplication' });
export type OrgApplicationBody = z.infer<typeof OrgApplicationBody>;

export const OrgApplicationResult = z
  .object({ mode: z.enum(['independent', 'consolidated']), applications: z.array(ApplicationView) })
  .meta({ id: 'OrganizationApplicationResult' });
export type OrgApplicationResult = z.infer<typeof OrgApplicationResult>;

export const OrgAccountsView = z
  .object({
    orgId: Id,
    crossMemberArrearsOffset: z.boolean(),
    invoiceable: Fen.meta({
      description:
        "R33: what the members can invoice together: each alone, or with everyone's arrears offset",
    }),
    items: z.array(
      z.object({
        accountId: Id,
        arrears: Fen,
        invoiceable: Fen.meta({ description: 'With its own arrears offset (what it can invoice alone)' }),
        invoiceableBeforeArrears: Fen,
      }),
    ),
  })
  .meta({ id: 'OrganizationAccounts' });
export type OrgAccountsView = z.infer<typeof OrgAccountsView>;
