import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getApplication, leaveList, statusChange } from '#adapters/application-repository';
import { deadlineItem } from '#adapters/deadline-watch';
import { documentClient, isConditionFailure, keys, stripKeys, tableName, transact } from '#adapters/dynamodb';
import type { Application, TimelineEntry } from '#domain/application';

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
  // Listed for finance on gsi2 (oldest first) when it waits for a review.
  const listed = review
    ? {
        gsi2pk: keys.pendingReview('APPLICATION'),
        gsi2sk: `${application.submittedAt}#${application.applicationId}`,
      }
    : {};
  try {
    await transact([
      { Update: statusChange(application.applicationId, ['submitted'], to, entry, listed) },
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

/** An application that failed while in review is no longer waiting for finance (GET /v1/admin/reviews). */
export async function leaveReviewQueue(applicationId: string): Promise<void> {
  await leaveList(applicationId, keys.pendingReview('APPLICATION'));
}
