import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  getStoredApplication,
  isUnaccepted,
  type StoredStatus,
  toApplication,
} from '#adapters/application-repository';
import { documentClient, itemsOnList, keys, tableName } from '#adapters/dynamodb';
import type { Application, ApplicationStatus } from '#domain/application';

export interface ApplicationPage {
  items: Application[];
  /** The gsi1 sort key of the last item returned, when there may be more. */
  after?: string;
}

/**
 * One page of an account's applications, newest first, optionally of one status. A status
 * filter reads past non-matching items (DynamoDB filters after reading), so this keeps
 * querying until the page is full, the list ends, or a bounded number of reads is spent.
 * Items are the listing view's: allocations of chunked applications are not read.
 */
export async function listApplicationsOf(
  accountId: string,
  options: { limit: number; status?: ApplicationStatus; after?: string },
): Promise<ApplicationPage> {
  const pk = keys.applicationsOf(accountId);
  const items: Application[] = [];
  let cursor: Record<string, unknown> | undefined = options.after
    ? {
        ...keys.application(options.after.slice(options.after.lastIndexOf('#') + 1)),
        gsi1pk: pk,
        gsi1sk: options.after,
      }
    : undefined;
  let last: string | undefined;
  for (let reads = 0; reads < 10; reads++) {
    const page = await documentClient.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        // R32: pointers to applications that include the account's records pass the filter; their
        // application's status is checked once read.
        ...(options.status
          ? {
              FilterExpression: '#status = :status OR begins_with(sk, :pointer)',
              ExpressionAttributeNames: { '#status': 'status' },
            }
          : {}),
        ExpressionAttributeValues: {
          ':pk': pk,
          ...(options.status ? { ':status': options.status, ':pointer': keys.applicationPointerPrefix } : {}),
        },
        ScanIndexForward: false,
        Limit: options.status ? Math.max(options.limit, 50) : options.limit - items.length,
        ExclusiveStartKey: cursor,
      }),
    );
    const resolved = await Promise.all((page.Items ?? []).map(resolvePointer));
    for (const [index, item] of (page.Items ?? []).entries()) {
      if (items.length === options.limit) return { items, after: last };
      const shown = resolved[index];
      if (shown && (!options.status || shown.status === options.status)) items.push(toApplication(shown));
      last = item.gsi1sk as string;
    }
    cursor = page.LastEvaluatedKey;
    if (!cursor) return { items };
    last = cursor.gsi1sk as string;
    if (items.length === options.limit) return { items, after: last };
  }
  return { items, after: last };
}

/**
 * R32: a pointer item (`keys.applicationPointer`) lists another account's application in this
 * account's list; it is read in its place (and left out while not accepted, or if it never was).
 */
async function resolvePointer(item: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  if (!String(item.sk).startsWith(keys.applicationPointerPrefix)) return item;
  const stored = await getStoredApplication(item.applicationId as string);
  if (!stored || isUnaccepted(stored)) return undefined;
  return stored;
}

export interface PendingApplication {
  applicationId: string;
  accountId: string;
  status: StoredStatus;
  submittedAt: string;
  cancellableUntil: string;
  correlationId?: string;
}

/**
 * Applications on the sweeper's list (gsi2 `WORKFLOW_PENDING`) submitted before `before`,
 * oldest first: accepted ones whose workflow was not seen to start, and chunked reservations
 * that have not finished. gsi2 keeps keys only; the items are read strongly consistent.
 */
export async function listWorkflowPending(before: string, limit: number): Promise<PendingApplication[]> {
  const items = await itemsOnList(keys.workflowPending, before, limit, {
    projection: 'applicationId, accountId, #status, submittedAt, cancellableUntil, correlationId, gsi2pk',
    names: { '#status': 'status' },
  });
  return items.map((item) => ({
    applicationId: item.applicationId,
    accountId: item.accountId,
    status: item.status,
    submittedAt: item.submittedAt,
    cancellableUntil: item.cancellableUntil,
    ...(item.correlationId ? { correlationId: item.correlationId } : {}),
  }));
}
