import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { documentClient, keys, tableName } from '#adapters/dynamodb';
import { logger } from '#adapters/logger';
import { markApplication, markTitles, suppress } from '#adapters/mail-suppression';
import { feedbackOf } from '#domain/mail-feedback';

/**
 * Bounces and complaints (issue 14): SES's events for the service's configuration set, routed
 * from the default EventBridge bus by a rule (infra/constructs/mail.ts). For each address:
 * hard bounces and complaints go on the account's suppression list (the mailer sends nothing
 * there until the customer changes the address); the application the mail was about and the
 * account's titles that name the address are marked, so the customer and finance see it.
 * Every write is idempotent: a redelivered event changes nothing more.
 */
export const handler = middy(async (event: unknown) => {
  const feedback = feedbackOf(event);
  if (!feedback) {
    logger.warn('not a bounce or complaint event; ignored');
    return;
  }
  const { accountId, item, messageId } = feedback;
  const applicationId = await applicationOf(item);
  for (const address of feedback.addresses) {
    if (accountId && address.suppress) await suppress(accountId, address, messageId);
    const application = applicationId ? await markApplication(applicationId, address) : false;
    const titles = accountId ? await markTitles(accountId, address) : 0;
    logger.info('mail feedback recorded', {
      kind: address.kind,
      type: address.type,
      suppressed: Boolean(accountId && address.suppress),
      applicationId,
      applicationMarked: application,
      titlesMarked: titles,
      messageId,
    });
  }
}).use(injectLambdaContext(logger, { resetKeys: true }));

/** The application a mail was about: its own item, or an invoice's (shipped notice, red-letter invoice). */
async function applicationOf(item: { pk: string; sk: string } | undefined): Promise<string | undefined> {
  if (!item) return undefined;
  const application = /^APPLICATION#(.+)$/.exec(item.pk);
  if (application && item.sk === keys.application(application[1]!).sk) return application[1];
  const invoice = /^INVOICE#(.+)$/.exec(item.pk);
  if (!invoice || item.sk !== keys.invoice(invoice[1]!).sk) return undefined;
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.invoice(invoice[1]!),
      ProjectionExpression: 'applicationId',
    }),
  );
  return typeof Item?.applicationId === 'string' ? Item.applicationId : undefined;
}
