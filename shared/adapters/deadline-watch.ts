import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, keys, queryAll, type TransactItem, tableName } from '#adapters/dynamodb';
import type { Application } from '#domain/application';
import { deadlineDay } from '#domain/lifecycle';

export function deadlineItem(application: Application): TransactItem {
  return {
    Put: {
      TableName: tableName,
      Item: {
        ...keys.deadline(
          deadlineDay(application.expectedBy),
          application.expectedBy,
          application.applicationId,
        ),
        applicationId: application.applicationId,
        expectedBy: application.expectedBy,
      },
    },
  };
}

/** The provider's part is done (or finance was told): stop watching the deadline. */
export async function stopWatchingDeadline(
  application: Pick<Application, 'applicationId' | 'expectedBy'>,
): Promise<void> {
  await documentClient.send(
    new DeleteCommand({
      TableName: tableName,
      Key: keys.deadline(
        deadlineDay(application.expectedBy),
        application.expectedBy,
        application.applicationId,
      ),
    }),
  );
}

/** Watched applications whose expectedBy lies before `now`, on the given China days. */
export async function dueDeadlines(
  days: readonly string[],
  now: Date,
): Promise<{ applicationId: string; expectedBy: string }[]> {
  const due: { applicationId: string; expectedBy: string }[] = [];
  for (const day of days) {
    for (const item of await queryAll({
      KeyConditionExpression: 'pk = :pk AND sk < :now',
      ExpressionAttributeValues: { ':pk': keys.deadlineDay(day), ':now': now.toISOString() },
    }))
      due.push({ applicationId: item.applicationId as string, expectedBy: item.expectedBy as string });
  }
  return due;
}
