import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getApplication } from '#adapters/application-repository';
import {
  documentClient,
  keys,
  queryAll,
  stripKeys,
  type TransactItem,
  tableName,
  transact,
} from '#adapters/dynamodb';
import type { Application, ApplicationStatus, TimelineEntry } from '#domain/application';
import { ConflictError } from '#domain/errors';
import { deadlineDay } from '#domain/lifecycle';

/** What finance decided (R25), kept on the application so a half-done decision can be finished. */
export interface ReviewDecision {
  approve: boolean;
  reason?: string;
  at: string;
}

/** The application with the fields this part of the workflow adds. */
export type ReviewedApplication = Application & {
  decision?: ReviewDecision;
  /** Set once the waiting workflow was resumed (or found to wait no more). */
  decisionSignalledAt?: string;
};

const isConditionFailure = (error: unknown) =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof ConflictError && error.reasons.includes('ConditionalCheckFailed'));

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

/**
 * After the cancellation deadline (R24, R25): `submitted` → `in-review` (listed for finance on
 * gsi2, oldest first) or `issuing` (approved by rule), and the deadline watch starts (R28),
 * in one transaction. False when the application had already moved (a retry, a cancellation).
 */
export async function leaveSubmitted(
  application: Application,
  to: 'in-review' | 'issuing',
  entry: TimelineEntry,
): Promise<boolean> {
  const review = to === 'in-review';
  try {
    await transact([
      {
        Update: {
          TableName: tableName,
          Key: keys.application(application.applicationId),
          UpdateExpression: `SET #status = :to, timeline = list_append(timeline, :entry)${
            review ? ', gsi2pk = :gsi2pk, gsi2sk = :gsi2sk' : ''
          }`,
          ConditionExpression: '#status = :submitted',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':to': to,
            ':entry': [entry],
            ':submitted': 'submitted',
            ...(review
              ? {
                  ':gsi2pk': keys.pendingReview('APPLICATION'),
                  ':gsi2sk': `${application.submittedAt}#${application.applicationId}`,
                }
              : {}),
          },
        },
      },
      deadlineItem(application),
    ]);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Keeps the task token that resumes the workflow, while the application still waits for
 * finance. False when finance decided first: the caller then resumes the workflow itself.
 */
export async function storeReviewToken(applicationId: string, taskToken: string): Promise<boolean> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: 'SET reviewTaskToken = :token',
        ConditionExpression: '#status = :inReview',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':token': taskToken, ':inReview': 'in-review' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Finance approved: `in-review` → `issuing`, off the review list. Undefined if not in review. */
export async function approveInReview(
  applicationId: string,
  decision: ReviewDecision,
  entry: TimelineEntry,
): Promise<ReviewedApplication | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression:
          'SET #status = :issuing, timeline = list_append(timeline, :entry), decision = :decision REMOVE gsi2pk, gsi2sk',
        ConditionExpression: '#status = :inReview',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':issuing': 'issuing',
          ':inReview': 'in-review',
          ':entry': [entry],
          ':decision': decision,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return stripKeys<ReviewedApplication>(Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/** After a rejection (status already `rejected`): record it and take it off the review list. */
export async function closeRejectedReview(
  applicationId: string,
  decision: ReviewDecision,
): Promise<ReviewedApplication> {
  const { Attributes } = await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.application(applicationId),
      UpdateExpression: 'SET decision = if_not_exists(decision, :decision) REMOVE gsi2pk, gsi2sk',
      ConditionExpression: '#status = :rejected',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':decision': decision, ':rejected': 'rejected' },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return stripKeys<ReviewedApplication>(Attributes!);
}

export async function markDecisionSignalled(applicationId: string, at: string): Promise<void> {
  await documentClient.send(
    new UpdateCommand({
      TableName: tableName,
      Key: keys.application(applicationId),
      UpdateExpression: 'SET decisionSignalledAt = if_not_exists(decisionSignalledAt, :at)',
      ExpressionAttributeValues: { ':at': at },
    }),
  );
}

/** The whole application (allocations of a chunked one included) with its decision fields. */
export async function getReviewedApplication(
  applicationId: string,
): Promise<ReviewedApplication | undefined> {
  return (await getApplication(applicationId)) as ReviewedApplication | undefined;
}

/**
 * Moves an application along the paper path (`issued` → `shipped` → `delivered`) when all its
 * invoices got there. False when it is not in one of `from` (already moved: nothing to do).
 */
export async function advanceApplication(
  applicationId: string,
  from: readonly ApplicationStatus[],
  to: ApplicationStatus,
  entry: TimelineEntry,
): Promise<boolean> {
  const values: Record<string, unknown> = { ':to': to, ':entry': [entry] };
  from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: 'SET #status = :to, timeline = list_append(timeline, :entry)',
        ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
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

/** Written before failure handling starts, removed when it is done: what is left is unfinished. */
export async function flagForRecovery(applicationId: string, error: unknown, at: string): Promise<void> {
  await documentClient.send(
    new PutCommand({
      TableName: tableName,
      Item: { ...keys.recovery(applicationId), applicationId, error, at },
    }),
  );
}

export async function flaggedForRecovery(): Promise<{ applicationId: string; error?: unknown }[]> {
  const items = await queryAll({
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.recoveryPartition },
    ConsistentRead: true,
  });
  return items.map((item) => ({ applicationId: item.applicationId as string, error: item.error }));
}

export async function clearRecoveryFlag(applicationId: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tableName, Key: keys.recovery(applicationId) }));
}

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

/** An application that failed while in review is no longer waiting for finance (GET /v1/admin/reviews). */
export async function leaveReviewQueue(applicationId: string): Promise<void> {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.application(applicationId),
        UpdateExpression: 'REMOVE gsi2pk, gsi2sk',
        ConditionExpression: 'gsi2pk = :review',
        ExpressionAttributeValues: { ':review': keys.pendingReview('APPLICATION') },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
