import { json, route } from '#http/handler';
import { AccountTitlePath, TitleDecisionBody } from '#schemas/titles';
import { decideTitle } from '#use-cases/title-review';

export const handler = route(
  { access: 'finance', path: AccountTitlePath, body: TitleDecisionBody },
  async ({ path, body, now }) => json(200, await decideTitle(path.accountId, path.titleId, body, now)),
);
