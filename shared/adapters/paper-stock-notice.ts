import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, stripKeys, tableName } from '#adapters/dynamodb';

export interface PaperStockNotice {
  message: string;
  /** YYYY-MM-DD, China date. */
  expectedMailingDate: string;
  updatedAt: string;
}

export async function getPaperStockNotice(): Promise<PaperStockNotice | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.paperStockNotice }),
  );
  return Item ? stripKeys<PaperStockNotice>(Item) : undefined;
}

export async function putPaperStockNotice(notice: PaperStockNotice | undefined): Promise<void> {
  if (!notice) {
    await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.paperStockNotice }));
    return;
  }
  await documentClient.send(
    new PutCommand({ TableName: tableName, Item: { ...keys.paperStockNotice, ...notice } }),
  );
}
