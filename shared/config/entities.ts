import * as z from '#schemas/zod';

/** The provider's invoicing entities (R11): the sellers printed on invoices. */
export const InvoicingEntitySchema = z.object({
  entityId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  taxId: z.string().check(z.minLength(15)),
  address: z.string().check(z.minLength(1)),
  phone: z.string().check(z.minLength(1)),
  bankName: z.string().check(z.minLength(1)),
  bankAccount: z.string().check(z.minLength(1)),
  /** Six digits that start this entity's invoice numbers. */
  numberPrefix: z.string().check(z.regex(/^\d{6}$/)),
  issuer: z.string().check(z.minLength(1)),
});
export type InvoicingEntity = z.infer<typeof InvoicingEntitySchema>;

export function parseEntities(json: string): InvoicingEntity[] {
  const entities = z.array(InvoicingEntitySchema).check(z.minLength(1)).parse(JSON.parse(json));
  const ids = new Set(entities.map((e) => e.entityId));
  if (ids.size !== entities.length) throw new Error('INVOICING_ENTITIES has duplicate entityId values');
  return entities;
}
