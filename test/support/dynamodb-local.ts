/**
 * One DynamoDB Local for the test files that only need tables (a JVM costs seconds of CPU to
 * boot): the global setup starts it in memory with no tables, and each file creates tables of
 * its own names on it. Files that test DynamoDB Local's own start, stop or persistence start
 * their own.
 */
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { createTables, type LocalDynamoDb, startDynamoDb } from '../../scripts/local/dynamodb.ts';
import type { LocalTable } from '../../scripts/local/types.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Endpoint of the DynamoDB Local shared by the test files of a project. */
    sharedDynamoDbEndpoint: string;
  }
}

/**
 * Global setup: start the shared DynamoDB Local. Every project that lists this setup gets the
 * same JVM (global setups all run in vitest's main process); the last teardown stops it.
 */
export default async function setup(project: TestProject) {
  const shared = globalThis as typeof globalThis & {
    sharedDynamoDb?: { db: Promise<LocalDynamoDb>; users: number };
  };
  shared.sharedDynamoDb ??= { db: startDynamoDb({ port: 0, tables: [] }), users: 0 };
  const state = shared.sharedDynamoDb;
  state.users++;
  const db = await state.db;
  project.provide('sharedDynamoDbEndpoint', db.endpoint);
  return async () => {
    state.users--;
    if (state.users > 0) return;
    shared.sharedDynamoDb = undefined;
    await db.close();
  };
}

/** Creates this file's tables (names no other file uses) on the shared DynamoDB Local; its endpoint. */
export async function sharedDynamoDb(tables: LocalTable[]): Promise<string> {
  const endpoint = inject('sharedDynamoDbEndpoint');
  await createTables(endpoint, tables);
  return endpoint;
}

/** A table keyed like the service's (`pk`, `sk`, strings), without indexes; with a stream if asked. */
export function keyTable(tableName: string, stream = false): LocalTable {
  return {
    logicalId: tableName,
    tableName,
    keySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    attributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    globalSecondaryIndexes: [],
    ...(stream ? { stream: { viewType: 'NEW_AND_OLD_IMAGES' as const } } : {}),
  };
}
