import { type Language, type MailContent, renderMail } from '#domain/mail';
import { consoleLink, type NoticeLinks } from '#domain/notifications';
import type { Title, TitleType } from '#domain/title';

const TYPE_NAMES: Record<Language, Record<TitleType, string>> = {
  zh: {
    'enterprise-special': '企业增值税专用发票',
    'enterprise-ordinary': '企业增值税普通发票',
    'personal-ordinary': '个人增值税普通发票',
    'organization-ordinary': '组织增值税普通发票',
  },
  en: {
    'enterprise-special': 'enterprise VAT special invoice',
    'enterprise-ordinary': 'enterprise VAT ordinary invoice',
    'personal-ordinary': 'personal VAT ordinary invoice',
    'organization-ordinary': 'organization VAT ordinary invoice',
  },
};

/** R30: the qualification review result for a special title, with the reason on rejection. */
export function titleReviewEmail(language: Language, title: Title, links: NoticeLinks = {}): MailContent {
  const approved = title.status === 'approved';
  const type = TYPE_NAMES[language][title.type];
  const console = consoleLink(language, links, 'titles');
  if (language === 'en') {
    return approved
      ? renderMail({
          language,
          subject: `Invoice title approved: ${title.name}`,
          greeting: 'Hello,',
          blocks: [
            {
              paragraph: [
                `The invoice title "${title.name}" (${type}) passed qualification review.`,
                'You can now use it to apply for invoices.',
              ],
            },
            ...console,
          ],
        })
      : renderMail({
          language,
          subject: `Invoice title not approved: ${title.name}`,
          greeting: 'Hello,',
          blocks: [
            {
              paragraph: [
                `The invoice title "${title.name}" (${type}) did not pass qualification review.`,
                `Reason: ${title.rejectionReason ?? ''}`,
              ],
            },
            { paragraph: 'Please correct the title and submit it again.' },
            ...console,
          ],
        });
  }
  return approved
    ? renderMail({
        language,
        subject: `发票抬头审核通过：${title.name}`,
        greeting: '您好：',
        blocks: [
          { paragraph: `您提交的发票抬头“${title.name}”（${type}）已通过资质审核，现在可以用它申请开票。` },
          ...console,
        ],
      })
    : renderMail({
        language,
        subject: `发票抬头审核未通过：${title.name}`,
        greeting: '您好：',
        blocks: [
          {
            paragraph: [
              `您提交的发票抬头“${title.name}”（${type}）未通过资质审核。`,
              `原因：${title.rejectionReason ?? ''}`,
            ],
          },
          { paragraph: '请修改发票抬头信息后重新提交。' },
          ...console,
        ],
      });
}
