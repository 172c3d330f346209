import { ApplicationView, DeliveryInput } from '#schemas/applications';
import { Fen, Id, Instant } from '#schemas/common';
import * as z from '#schemas/zod';

export const OrgIdPath = z.object({ orgId: Id });

export const OrganizationBody = z.meta(
  z.strictObject({
    crossMemberArrearsOffset: z.meta(z.boolean(), {
      description: "R33: one member's arrears may be offset by another member's consumption",
    }),
  }),
  { id: 'OrganizationSettings' },
);
export type OrganizationBody = z.infer<typeof OrganizationBody>;

export const OrganizationView = z.meta(
  z.object({ orgId: Id, crossMemberArrearsOffset: z.boolean(), updatedAt: Instant }),
  { id: 'Organization' },
);

const MemberSelection = z
  .strictObject({
    accountId: Id,
    amount: z.meta(z.optional(Fen.check(z.gte(1))), {
      description: 'Drawn oldest first, as mode amount (R14)',
    }),
    recordIds: z.meta(z.optional(z.array(Id).check(z.minLength(1), z.maxLength(500))), {
      description: 'Taken whole, as mode orders',
    }),
  })
  .check(
    z.refine((m) => (m.amount === undefined) !== (m.recordIds === undefined), {
      message: 'exactly one of amount and recordIds',
    }),
  );

export const OrgApplicationBody = z.meta(
  z
    .strictObject({
      mode: z.meta(z.enum(['independent', 'consolidated']), {
        description:
          'R32. independent: one application per account, each through the normal create path. consolidated: one ' +
          "application over the accounts' records, still one invoice per (entity, tax rate) (R17)",
      }),
      accounts: z.array(MemberSelection).check(z.minLength(1), z.maxLength(50)),
      titleId: z.meta(Id, { description: "An approved title of the applying (org-admin's) account" }),
      delivery: DeliveryInput,
    })
    .check(
      z.superRefine((body, ctx) => {
        const ids = body.accounts.map((a) => a.accountId);
        if (new Set(ids).size !== ids.length) {
          ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'an account may appear once' });
        }
      }),
    ),
  { id: 'OrganizationApplication' },
);
export type OrgApplicationBody = z.infer<typeof OrgApplicationBody>;

export const OrgApplicationResult = z.meta(
  z.object({ mode: z.enum(['independent', 'consolidated']), applications: z.array(ApplicationView) }),
  { id: 'OrganizationApplicationResult' },
);
export type OrgApplicationResult = z.infer<typeof OrgApplicationResult>;

export const OrgAccountsView = z.meta(
  z.object({
    orgId: Id,
    crossMemberArrearsOffset: z.boolean(),
    invoiceable: z.meta(Fen, {
      description:
        "R33: what the members can invoice together: each alone, or with everyone's arrears offset",
    }),
    items: z.array(
      z.object({
        accountId: Id,
        arrears: Fen,
        invoiceable: z.meta(Fen, { description: 'With its own arrears offset (what it can invoice alone)' }),
        invoiceableBeforeArrears: Fen,
      }),
    ),
  }),
  { id: 'OrganizationAccounts' },
);
export type OrgAccountsView = z.infer<typeof OrgAccountsView>;
