import { randomUUID } from 'node:crypto';
import { getAccount } from '#adapters/account-repository';
import { putNewTitle } from '#adapters/title-repository';
import { RealNameRequiredError, TitleTypeNotAllowedError } from '#domain/errors';
import { initialStatus, isAllowedFor, type Title } from '#domain/title';
import type { CreateTitleBody } from '#schemas/titles';

export function titleView(title: Title) {
  const { accountId: _a, createdAt: _c, updatedAt: _u, ...view } = title;
  return view;
}

export async function createTitle(accountId: string, body: CreateTitleBody, now: Date) {
  const account = await getAccount(accountId);
  if (!account || account.realName.type === 'none') {
    throw new RealNameRequiredError('Complete real-name verification before adding invoice titles.');
  }
  if (!isAllowedFor(account.realName.type, body.type)) {
    throw new TitleTypeNotAllowedError(
      'An account verified as an individual can only hold personal ordinary titles.',
    );
  }
  const title: Title = {
    ...body,
    accountId,
    titleId: `ttl_${randomUUID()}`,
    status: initialStatus(body.type),
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await putNewTitle(title);
  return titleView(title);
}
