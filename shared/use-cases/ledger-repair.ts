import { ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  isConditionFailure,
  keys,
  MAX_TRANSACTION_ITEMS,
  tableName,
  transact,
} from '#adapters/dynamodb';
import { aggregateUpdate } from '#adapters/ledger-aggregates';
import { readAllAggregates } from '#adapters/ledger-aggregates-read';
import { listLedger } from '#adapters/record-repository';
import {
  addParts,
  emptyParts,
  isException,
  type LedgerParts,
  linearParts,
  locationAt,
  MAIN,
} from '#domain/ledger-aggregate';

/** One aggregate number that is not what the records give. */
export interface Drift {
  location: string;
  part: string;
  stored: number;
  expected: number;
}

export interface LedgerCheck {
  accountId: string;
  records: number;
  drift: Drift[];
  /** Records that need their exact share read but are not listed (the amount is wrong while they are missing). */
  unlistedExceptions: string[];
  /** Listed records that no longer need it (harmless: a read gets their exact share, which equals the linear one). */
  staleExceptions: string[];
  /** Records without aggAt given one (with `fix`: stored before the check). */
  placed: number;
  fixed: boolean;
}

/**
 * Recomputes an account's ledger aggregates from its records and compares them with the stored
 * ones. Passed instants count as the main item (a read sums them together). With `fix`, records
 * without a place for their parts (written before the aggregates existed, nothing held on them)
 * get aggAt = eligibleFrom first, and the differences are added to the aggregate items. Meant
 * for a quiet account: writes during the check may show up as drift, and a fix made from them
 * would be wrong; run it again to see nothing left.
 */
export async function checkLedger(accountId: string, now: Date, fix: boolean): Promise<LedgerCheck> {
  let placed = 0;
  if (fix) placed = await placeRecords(accountId);
  const { records } = await listLedger(accountId);
  const expected = new Map<string, LedgerParts>();
  const exceptions = new Set<string>();
  for (const record of records) {
    const location = locationAt(record.aggAt, now);
    expected.set(location, addParts(expected.get(location) ?? emptyParts(), linearParts(record)));
    if (isException(record)) exceptions.add(record.recordId);
  }
  const stored = await readAllAggregates(accountId);
  const storedByLocation = new Map<string, LedgerParts>();
  for (const [instant, parts] of stored) {
    const location = instant === MAIN ? MAIN : locationAt(instant, now);
    storedByLocation.set(location, addParts(storedByLocation.get(location) ?? emptyParts(), parts));
  }
  const drift: Drift[] = [];
  const corrections = new Map<string, LedgerParts>();
  for (const location of new Set([...expected.keys(), ...storedByLocation.keys()])) {
    const want = expected.get(location) ?? emptyParts();
    const have = storedByLocation.get(location) ?? emptyParts();
    const difference = addParts(addParts(emptyParts(), want), have, -1);
    const report = (part: string, s: number, e: number) => {
      if (s !== e) drift.push({ location, part, stored: s, expected: e });
    };
    for (const part of ['consumedCash', 'negatives', 'invoiced', 'reserved'] as const) {
      report(part, have[part], want[part]);
    }
    for (const key of new Set([...Object.keys(want.groups), ...Object.keys(have.groups)])) {
      report(`group ${key}`, have.groups[key] ?? 0, want.groups[key] ?? 0);
    }
    if (drift.some((d) => d.location === location)) corrections.set(location, difference);
  }
  // Every instant item must be on the main item's list, or reads miss it once it has passed.
  const listedInstants = new Set(stored.instants ?? []);
  const unlistedInstants = [...stored.keys()].filter((k) => k !== MAIN && !listedInstants.has(k)).sort();
  for (const instant of unlistedInstants)
    drift.push({ location: instant, part: 'listed on the main item', stored: 0, expected: 1 });
  const listed = new Set(stored.exceptions ?? []);
  const unlistedExceptions = [...exceptions].filter((id) => !listed.has(id)).sort();
  const staleExceptions = [...listed].filter((id) => !exceptions.has(id)).sort();
  let fixed = false;
  if (fix && (drift.length > 0 || unlistedExceptions.length > 0 || staleExceptions.length > 0)) {
    const main = corrections.get(MAIN) ?? emptyParts();
    corrections.delete(MAIN);
    const instants = [...new Set([...unlistedInstants, ...corrections.keys()])];
    const items = [
      aggregateUpdate(accountId, MAIN, main, {
        listed: unlistedExceptions,
        unlisted: staleExceptions,
        instants: { add: instants },
      }),
      ...[...corrections].map(([location, parts]) => aggregateUpdate(accountId, location, parts)),
    ];
    for (let i = 0; i < items.length; i += MAX_TRANSACTION_ITEMS)
      await transact(items.slice(i, i + MAX_TRANSACTION_ITEMS));
    fixed = true;
  }
  return { accountId, records: records.length, drift, unlistedExceptions, staleExceptions, placed, fixed };
}

/** Gives records without aggAt, with nothing reserved or invoiced, aggAt = eligibleFrom (as a billing upsert would). */
async function placeRecords(accountId: string): Promise<number> {
  const { records } = await listLedger(accountId);
  let placed = 0;
  for (const record of records) {
    if (record.aggAt !== undefined || record.eligibleFrom === undefined) continue;
    if (record.reservedAmount !== 0 || record.invoicedAmount !== 0) continue;
    try {
      await documentClient.send(
        new UpdateCommand({
          TableName: tableName,
          Key: keys.record(accountId, record.recordId),
          UpdateExpression: 'SET aggAt = eligibleFrom',
          ConditionExpression:
            'attribute_not_exists(aggAt) AND reservedAmount = :zero AND invoicedAmount = :zero',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      );
      placed++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return placed;
}

/** Every account with a profile or ledger aggregates (a scan: for the repair command only). */
export async function listLedgerAccounts(): Promise<string[]> {
  const accounts = new Set<string>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await documentClient.send(
      new ScanCommand({
        TableName: tableName,
        ProjectionExpression: 'pk, sk',
        FilterExpression: 'sk = :ledger OR sk = :profile',
        ExpressionAttributeValues: { ':ledger': 'LEDGER', ':profile': 'PROFILE' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const pk = item.pk as string;
      if (pk.startsWith('ACCOUNT#')) accounts.add(pk.slice('ACCOUNT#'.length));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return [...accounts].sort();
}
