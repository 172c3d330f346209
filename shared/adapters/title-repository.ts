import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, tableName } from '#adapters/dynamodb';
import type { Title } from '#domain/title';

export async function getTitle(accountId: string, titleId: string): Promise<Title | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.title(accountId, titleId) }),
  );
  return Item ? stripKeys<Title>(Item) : undefined;
}

export async function putNewTitle(title: Title): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.title(title.accountId, title.titleId), ...title },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}
