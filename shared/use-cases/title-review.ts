import { getAccount } from '#adapters/account-repository';
import { keys } from '#adapters/dynamodb';
import { logger } from '#adapters/logger';
import { sendMail } from '#adapters/mailer';
import { getTitle, markResultMailed, replaceTitle } from '#adapters/title-repository';
import * as settings from '#config/settings';
import { NotFoundError } from '#domain/errors';
import { decidedTitle, isUnmailedRepeat, type Title, type TitleDecision } from '#domain/title';
import { titleReviewEmail } from '#domain/title-notifications';
import { titleView } from '#use-cases/titles';

/**
 * Finance's decision on a pending special title (R21), e-mailed to the customer (R30) in the
 * account's language, with the reason on rejection. The decision is stored first; if the
 * e-mail then fails the request fails, and repeating the same decision sends it again
 * (a different decision, or any decision on a title not pending, is a conflict).
 */
export async function decideTitle(accountId: string, titleId: string, decision: TitleDecision, now: Date) {
  const title = await getTitle(accountId, titleId);
  if (!title) throw new NotFoundError(`Account ${accountId} has no invoice title ${titleId}.`);
  let decided = title;
  if (!isUnmailedRepeat(title, decision)) {
    decided = decidedTitle(title, decision, now);
    await replaceTitle(decided, title, { whilePending: true });
    logger.info('title decided', { titleId, status: decided.status });
  }
  await notifyCustomer(decided, now);
  return { accountId, ...titleView(decided) };
}

/**
 * R21, R30: the review result goes to the title's notifyEmail, else to the account's contact
 * e-mail from the billing system; with neither, the title's status is the only notice.
 */
async function notifyCustomer(title: Title, now: Date): Promise<void> {
  const account = await getAccount(title.accountId);
  const to = title.notifyEmail ?? account?.email;
  if (!to) {
    logger.info('title review result not mailed: no notifyEmail and no account e-mail', {
      titleId: title.titleId,
    });
    return;
  }
  const content = titleReviewEmail(account?.language ?? 'zh', title, { console: settings.consoleUrl() });
  await sendMail({
    to,
    ...content,
    accountId: title.accountId,
    item: keys.title(title.accountId, title.titleId),
  });
  await markResultMailed(title, now);
  logger.info('title review result mailed', { titleId: title.titleId, status: title.status });
}
