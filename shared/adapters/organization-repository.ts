import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, queryAll, stripKeys, tableName } from '#adapters/dynamodb';
import type { Organization } from '#domain/organization';

/** PUT /v1/internal/organizations/{orgId}: the billing system's settings of an organization. */
export async function putOrganization(organization: Organization): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.organization(organization.orgId), ...organization },
    }),
  );
}

export async function getOrganization(orgId: string): Promise<Organization | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tableName, Key: keys.organization(orgId), ConsistentRead: true }),
  );
  return Item ? stripKeys<Organization>(Item) : undefined;
}

/** The member accounts of an organization (their profiles sit on gsi1 under the organization). */
export async function listMemberIds(orgId: string): Promise<string[]> {
  const items = await queryAll({
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.organizationMembers(orgId) },
    ProjectionExpression: 'accountId',
  });
  return items.map((item) => item.accountId as string);
}

/**
 * R32: lists an application in the applications of other accounts (those whose records it
 * includes, and the one that applied for them), one small item each on gsi1. Written before
 * the application, so it is never without them; a pointer to an application that was not
 * accepted is left out when read.
 */
export async function putPointers(applicationId: string, submittedAt: string, accountIds: readonly string[]) {
  const unique = [...new Set(accountIds)];
  for (let i = 0; i < unique.length; i += 25) {
    let requests = unique.slice(i, i + 25).map((accountId) => ({
      PutRequest: {
        Item: {
          ...keys.applicationPointer(applicationId, accountId),
          gsi1pk: keys.applicationsOf(accountId),
          gsi1sk: `${submittedAt}#${applicationId}`,
          applicationId,
          accountId,
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      const { UnprocessedItems } = await documentClient.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      if (requests.length > 0) {
        if (attempt >= 8) throw new Error('Pointers left unwritten after retries');
        await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      }
    }
  }
}

export async function isListedFor(applicationId: string, accountId: string): Promise<boolean> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tableName,
      Key: keys.applicationPointer(applicationId, accountId),
      ConsistentRead: true,
    }),
  );
  return Item !== undefined;
}
