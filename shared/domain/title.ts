export type TitleType =
  | 'enterprise-ordinary'
  | 'enterprise-special'
  | 'personal-ordinary'
  | 'organization-ordinary';
export type TitleStatus = 'approved' | 'pending-review' | 'rejected';

export interface Title {
  accountId: string;
  titleId: string;
  type: TitleType;
  name: string;
  taxId?: string;
  registeredAddress?: string;
  registeredPhone?: string;
  bankName?: string;
  bankAccount?: string;
  remark?: string;
  status: TitleStatus;
  rejectionReason?: string;
  createdAt: string;
  updatedAt: string;
}

/** The title as frozen into an application and its invoices (R26). */
export type TitleSnapshot = Pick<
  Title,
  | 'titleId'
  | 'type'
  | 'name'
  | 'taxId'
  | 'registeredAddress'
  | 'registeredPhone'
  | 'bankName'
  | 'bankAccount'
  | 'remark'
>;

export function snapshotTitle(title: Title): TitleSnapshot {
  const { titleId, type, name, taxId, registeredAddress, registeredPhone, bankName, bankAccount, remark } =
    title;
  return { titleId, type, name, taxId, registeredAddress, registeredPhone, bankName, bankAccount, remark };
}

/** R20: enterprise and organization titles need the taxpayer ID; personal ones need only the name. */
export function requiresTaxId(type: TitleType): boolean {
  return type !== 'personal-ordinary';
}

/** R21: ordinary titles apply at once; special VAT titles wait for qualification review. */
export function initialStatus(type: TitleType): TitleStatus {
  return type === 'enterprise-special' ? 'pending-review' : 'approved';
}

/** R2: an individual may only hold personal titles. */
export function isAllowedFor(realNameType: 'none' | 'individual' | 'enterprise', type: TitleType): boolean {
  return realNameType === 'individual' ? type === 'personal-ordinary' : true;
}
