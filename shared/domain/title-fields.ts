/**
 * What the customer writes on an invoice title and which of it each type requires (R20, R21).
 * Apart from `#domain/title` so the request schemas validate titles without bundling what
 * titles do once stored (review deadlines in mainland working days).
 */
export type TitleType =
  | 'enterprise-ordinary'
  | 'enterprise-special'
  | 'personal-ordinary'
  | 'organization-ordinary';

/** What the customer writes; everything else on a title is the service's. */
export interface TitleFields {
  type: TitleType;
  name: string;
  taxId?: string;
  registeredAddress?: string;
  registeredPhone?: string;
  bankName?: string;
  bankAccount?: string;
  remark?: string;
  /** Where the qualification review result is e-mailed (special titles). */
  notifyEmail?: string;
}

export type OptionalField = Exclude<keyof TitleFields, 'type' | 'name'>;

export const SPECIAL_FIELDS: readonly OptionalField[] = [
  'taxId',
  'registeredAddress',
  'registeredPhone',
  'bankName',
  'bankAccount',
  'notifyEmail',
];

/**
 * R20, R21: what a title of this type must carry besides the buyer name. Enterprise and
 * organization titles need the taxpayer ID; special VAT titles also the registered address and
 * phone, bank name and account (printed on the invoice), and an e-mail for the review result.
 */
export function requiredFields(type: TitleType): readonly OptionalField[] {
  if (type === 'personal-ordinary') return [];
  if (type === 'enterprise-special') return SPECIAL_FIELDS;
  return ['taxId'];
}

/** The required fields that are absent or blank, in a stable order. */
export function missingFields(fields: TitleFields): OptionalField[] {
  return requiredFields(fields.type).filter((field) => !fields[field]?.trim());
}

/** R20: enterprise and organization titles need the taxpayer ID; personal ones need only the name. */
export function requiresTaxId(type: TitleType): boolean {
  return requiredFields(type).includes('taxId');
}
