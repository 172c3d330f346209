import { type Language, type MailContent, renderMail } from '#domain/mail';
import { shanghaiMinute } from '#domain/notifications';
import type { Webhook } from '#domain/webhooks';

/** The customer's notice that the service disabled a failing webhook endpoint (docs/webhooks.md). */
export function webhookDisabledEmail(language: Language, webhook: Webhook, reason: string): MailContent {
  const since = webhook.failingSince ? shanghaiMinute(webhook.failingSince) : '';
  if (language === 'en') {
    return renderMail({
      language,
      subject: `Webhook endpoint disabled: ${webhook.url}`,
      greeting: 'Hello,',
      blocks: [
        {
          paragraph: [
            `We stopped sending events to your webhook endpoint ${webhook.url}: ${reason}.`,
            'Events that occur while it is disabled are not delivered to it.',
          ],
        },
        {
          fields: [
            ['Endpoint', webhook.webhookId],
            ['Failing since', since],
          ],
        },
        {
          paragraph:
            'Once the endpoint answers again, turn it back on (PUT /v1/webhooks/{webhookId} with "enabled": true) and resend the deliveries you need from its delivery log.',
        },
      ],
    });
  }
  return renderMail({
    language,
    subject: `Webhook 端点已停用：${webhook.url}`,
    greeting: '您好：',
    blocks: [
      {
        paragraph: [
          `您的 Webhook 端点 ${webhook.url} 持续投递失败，已被停用（${reason === 'every delivery failed for 24 hours' ? '24 小时内投递全部失败' : '连续多次投递失败'}）。`,
          '停用期间发生的事件不会再投递到该端点。',
        ],
      },
      {
        fields: [
          ['端点', webhook.webhookId],
          ['开始失败时间', since],
        ],
      },
      {
        paragraph:
          '端点恢复后，请重新启用（PUT /v1/webhooks/{webhookId}，"enabled": true），并在投递记录中重新发送所需的投递。',
      },
    ],
  });
}
