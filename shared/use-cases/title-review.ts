import { getAccount } from '#adapters/account-repository';
import { logger } from '#adapters/logger';
import { sendMail } from '#adapters/mailer';
import { getTitle, markResultMailed, replaceTitle } from '#adapters/title-repository';
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

async function notifyCustomer(title: Title, now: Date): Promise<void> {
  if (!title.notifyEmail) {
    // Special titles saved before notifyEmail was required have nowhere to send to.
    logger.warn('title review result not mailed: no notifyEmail', { titleId: title.titleId });
    return;
  }
  const account = await getAccount(title.accountId);
  const content = titleReviewEmail(account?.language ?? 'zh', title);
  await sendMail({ to: title.notifyEmail, ...content });
  await markResultMailed(title, now);
  logger.info('title review result mailed', { titleId: title.titleId, status: title.status });
}
