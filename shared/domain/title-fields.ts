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

/** What a special VAT title must carry besides the buyer name (printed on the invoice). */
export const SPECIAL_FIELDS: readonly OptionalField[] = [
  'taxId',
  'registeredAddress',
  'registeredPhone',
  'bankName',
  'bankAccount',
];

/** Every field a title may carry besides its type and name. */
export const TITLE_FIELDS: readonly OptionalField[] = [...SPECIAL_FIELDS, 'notifyEmail', 'remark'];

/**
 * R20, R21: what a title of this type must carry besides the buyer name. Enterprise and
 * organization titles need the taxpayer ID; special VAT titles also the registered address and
 * phone, bank name and account (printed on the invoice). The e-mail for the review result
 * (notifyEmail) is optional: the result goes there, else to the account's contact e-mail, else
 * it is only the title's status (docs/DOMAIN.md, R21).
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
