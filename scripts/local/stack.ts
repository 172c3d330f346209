/**
 * The local stack: runs the synthesized template on this machine (DynamoDB Local, SES, S3,
 * the Lambda handlers, Step Functions, API Gateway), each handler pointed at the local
 * endpoints through AWS_ENDPOINT_URL_<SERVICE>. Used by `npm start` and by tests.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, parse, resolve } from 'node:path';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { startApiGateway } from './api-gateway.ts';
import { startDynamoDb } from './dynamodb.ts';
import { type LocalEventBridge, startEventBridge } from './eventbridge.ts';
import { loadOrCreateJwtSecret } from './jwt.ts';
import { createLambdaRuntime } from './lambda-runtime.ts';
import { freePort, isPortFree } from './ports.ts';
import { startS3Server } from './s3.ts';
import { type LocalScheduler, startScheduler } from './scheduler.ts';
import { startSes } from './ses.ts';
import {
  type StepFunctionsServer,
  type StepFunctionsServerOptions,
  startStepFunctionsServer,
} from './stepfunctions.ts';
import { type LocalStreams, startStreamPollers } from './streams.ts';
import { readTemplate } from './template.ts';
import type { LambdaRuntime, LocalTemplate } from './types.ts';

export interface LocalStackPorts {
  api?: number;
  ses?: number;
  dynamodb?: number;
  sfn?: number;
  s3?: number;
  events?: number;
}

export interface LocalStackOptions {
  cdkOutDir: string;
  /** Persistent state: `dynamodb/`, `s3/`, `streams/` checkpoints, the Step Functions server's files and `jwt-secret`. */
  dataDir: string;
  /** Wipe dataDir's state first (the JWT secret is kept, so issued tokens stay valid). */
  fresh?: boolean;
  /** Tests: DynamoDB and S3 in memory, nothing written to dataDir, a random JWT secret. */
  inMemory?: boolean;
  /** Defaults api 3000 (env PORT overrides), ses 8005, dynamodb 8000, sfn 8083, s3 4569, events 8089; 0 = a free port. */
  ports?: LocalStackPorts;
  /** Extra env for every Lambda (wins over everything), e.g. { CANCEL_WINDOW: 'PT2S' }. */
  functionEnv?: Record<string, string>;
  /** Tests: shorten Wait states and retry intervals of the state machines. */
  stepFunctions?: Pick<
    StepFunctionsServerOptions,
    'waitOverrides' | 'retryIntervalOverrides' | 'taskTimeoutOverrides'
  >;
  /** Fire the template's schedules on their own clock (npm start); tests fire them by hand. */
  runSchedules?: boolean;
  /** Served at `<apiUrl>/openapi.json`; default `<cdkOutDir>/openapi.json`. */
  openApiFile?: string;
  /** The built console (web/dist), served at `<apiUrl>/` next to /v1, with its local sign-in. */
  consoleDir?: string;
  quiet?: boolean;
  /** Each function's console output is also appended to `<functionLogDir>/<logicalId>.log`. */
  functionLogDir?: string;
}

export interface LocalStack {
  apiUrl: string;
  /** SES v2 endpoint; sent mail is listed at `${sesUrl}/store`. */
  sesUrl: string;
  dynamodbEndpoint: string;
  sfnEndpoint: string;
  s3Endpoint: string;
  /** EventBridge endpoint; every event put is listed at `${eventsUrl}/store`. */
  eventsUrl: string;
  template: LocalTemplate;
  jwtSecret: Uint8Array;
  lambda: LambdaRuntime;
  /** The Step Functions server, for tests (waitForExecution, history). */
  stepFunctions: StepFunctionsServer;
  /** The template's EventBridge schedules; `fire(logicalId)` runs one now. */
  scheduler: LocalScheduler;
  /** DynamoDB stream → Lambda pollers of the template's event source mappings; `drain()` for tests. */
  streams: LocalStreams;
  /** The template's event buses and rules; `drain()` waits for the targets' deliveries. */
  events: LocalEventBridge;
  /** Milliseconds each part took to become ready (DynamoDB includes the JVM start). */
  timings: Record<string, number>;
  /**
   * Fault tests: stops one service (its process or server goes away, its port refuses
   * connections) until `restart()` starts it again on the same port with the same state:
   * DynamoDB reopens its files, SES keeps the mail it had sent (the store lives in this
   * process), Step Functions replays the executions that were running. DynamoDB and Step
   * Functions keep state only on disk, so an `inMemory` stack can interrupt SES alone.
   */
  interrupt(service: InterruptibleService): Promise<{ restart(): Promise<void> }>;
  /** Stops everything in reverse start order; safe to call more than once. */
  stop(): Promise<void>;
}

export type InterruptibleService = 'dynamodb' | 'ses' | 'sfn';

export const DEFAULT_PORTS = {
  api: 3000,
  ses: 8005,
  dynamodb: 8000,
  sfn: 8083,
  s3: 4569,
  events: 8089,
} as const;

const SERVICE_NAMES: Record<keyof LocalStackPorts, string> = {
  api: 'API Gateway',
  ses: 'SES',
  dynamodb: 'DynamoDB Local',
  sfn: 'Step Functions',
  s3: 'S3',
  events: 'EventBridge',
};

/** DynamoDB Local accepts only letters and digits in the key id; nothing checks the values. */
const LOCAL_CLIENT = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

const FAKE_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};

const LOOPBACK = '127.0.0.1';

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const ports = await resolvePorts(options.ports);
  if (options.fresh && !options.inMemory) wipeDataDir(dataDir);

  const template = readTemplate(options.cdkOutDir);
  const jwtSecret = options.inMemory ? new Uint8Array(randomBytes(32)) : loadOrCreateJwtSecret(dataDir);
  const persistentDir = options.inMemory ? undefined : dataDir;

  const timings: Record<string, number> = {};
  const closers: { name: string; close: () => Promise<void> }[] = [];
  const timed = async <T extends { close(): Promise<void> }>(name: string, start: () => Promise<T> | T) => {
    const started = performance.now();
    const service = await start();
    timings[name] = Math.round(performance.now() - started);
    closers.push({ name, close: () => service.close() });
    return service;
  };

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= closeAll(closers);
    return stopping;
  };

  let dynamoDbStarting: Promise<unknown> | undefined;
  try {
    // The endpoints are known before anything listens (concrete ports), so the JVM (the slow
    // part, ~2 s) boots while SES, S3 and the Lambda runtime start. Step Functions waits for
    // DynamoDB (it resumes persisted executions at once, and their Lambdas need the tables);
    // the API opens last, when everything behind it answers.
    const dynamodbEndpoint = `http://${LOOPBACK}:${ports.dynamodb}`;
    const sfnEndpoint = `http://${LOOPBACK}:${ports.sfn}`;
    const eventsEndpoint = `http://${LOOPBACK}:${ports.events}`;
    const dynamoDbReady = timed('dynamodb', () =>
      startDynamoDb({ port: ports.dynamodb, dataDir: persistentDir, tables: template.tables }),
    );
    // Keep a failure here from being reported as unhandled while the others start.
    dynamoDbStarting = dynamoDbReady.catch(() => {});

    const [ses, s3] = await Promise.all([
      timed('ses', () => startSes({ port: ports.ses, host: LOOPBACK, keepStore: false })),
      timed('s3', () =>
        startS3Server({
          port: ports.s3,
          host: LOOPBACK,
          dataDir: persistentDir,
          // The functions' credentials: the download links they pre-sign are verified.
          credentials: {
            accessKeyId: FAKE_AWS_ENV.AWS_ACCESS_KEY_ID,
            secretAccessKey: FAKE_AWS_ENV.AWS_SECRET_ACCESS_KEY,
          },
          buckets: template.buckets.map((b) => ({
            name: b.bucketName,
            versioned: b.versioned,
            ...(b.objectLock ? { objectLock: b.objectLock } : {}),
          })),
        }),
      ),
    ]);
    const lambda = await timed('lambda', () =>
      createLambdaRuntime(template.functions, {
        quiet: options.quiet,
        logDir: options.functionLogDir,
        env: {
          ...FAKE_AWS_ENV,
          AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
          AWS_ENDPOINT_URL_SFN: sfnEndpoint,
          AWS_ENDPOINT_URL_SESV2: ses.url,
          AWS_ENDPOINT_URL_S3: s3.endpoint,
          AWS_ENDPOINT_URL_EVENTBRIDGE: eventsEndpoint,
          // E-mails link to the console, which the local API server serves next to /v1.
          ...(ports.api !== 0 ? { CONSOLE_URL: `http://${LOOPBACK}:${ports.api}` } : {}),
          ...options.functionEnv,
        },
      }),
    );
    // Before anything that writes (the table-facts consumer puts events); closed after the streams.
    const events = await timed('events', () =>
      startEventBridge({
        port: ports.events,
        host: LOOPBACK,
        buses: template.eventBuses ?? [],
        rules: template.eventRules ?? [],
        lambda,
        log: options.quiet ? () => {} : undefined,
      }),
    );
    const dynamodb = await dynamoDbReady;
    const startSfn = () =>
      startStepFunctionsServer({
        port: ports.sfn,
        host: LOOPBACK,
        stateMachines: template.stateMachines,
        lambda,
        dataDir: persistentDir === undefined ? undefined : join(persistentDir, 'stepfunctions'),
        ...options.stepFunctions,
      });
    const sfn = await timed('sfn', startSfn);
    // After DynamoDB and the Lambda runtime, closed before them; checkpoints live with the data.
    const streams = await timed('streams', () =>
      startStreamPollers({
        endpoint: dynamodb.endpoint,
        mappings: template.eventSourceMappings ?? [],
        lambda,
        checkpointDir: persistentDir === undefined ? undefined : join(persistentDir, 'streams'),
        log: options.quiet ? () => {} : undefined,
      }),
    );
    const api = await timed('api', () =>
      startApiGateway({
        port: ports.api,
        host: LOOPBACK,
        routes: template.routes,
        binaryMediaTypes: template.binaryMediaTypes,
        rateLimits: template.rateLimits,
        lambda,
        jwtSecret,
        openApiFile: options.openApiFile ?? join(options.cdkOutDir, 'openapi.json'),
        consoleDir: options.consoleDir,
        // Only the local stack signs tokens for the console: the deployed one has Cognito.
        localSignIn: true,
        quiet: options.quiet,
      }),
    );

    const sfnClient = new SFNClient({ ...LOCAL_CLIENT, endpoint: sfn.url });
    const scheduler = startScheduler({
      schedules: template.schedules ?? [],
      lambda,
      armTimers: options.runSchedules ?? false,
      startExecution: async (stateMachineArn, input) => {
        await sfnClient.send(new StartExecutionCommand({ stateMachineArn, input }));
      },
      log: options.quiet ? () => {} : undefined,
    });
    closers.push({ name: 'scheduler', close: async () => scheduler.close() });

    // The closers above close the instance each service started with; a restarted one replaces
    // it there, so stop() closes whatever runs now.
    const replace = (name: string, next: { close(): Promise<void> }) => {
      const closer = closers.find((c) => c.name === name)!;
      closer.close = () => next.close();
    };
    const sesPort = Number(new URL(ses.url).port);
    const current: Record<InterruptibleService, { close(): Promise<void> }> = { dynamodb, ses, sfn };
    const starters: Record<InterruptibleService, () => Promise<{ close(): Promise<void> }>> = {
      dynamodb: () =>
        startDynamoDb({ port: ports.dynamodb, dataDir: persistentDir, tables: template.tables }),
      ses: () => startSes({ port: sesPort, host: LOOPBACK, keepStore: true }),
      sfn: startSfn,
    };
    const interrupt = async (service: InterruptibleService) => {
      if (service !== 'ses' && persistentDir === undefined) {
        throw new Error(
          `Cannot interrupt ${SERVICE_NAMES[service]} of an in-memory stack: its state would be lost`,
        );
      }
      await current[service].close();
      let restarted: Promise<void> | undefined;
      return {
        restart() {
          restarted ??= starters[service]().then((next) => {
            current[service] = next;
            replace(service, next);
          });
          return restarted;
        },
      };
    };

    return {
      apiUrl: api.url,
      sesUrl: ses.url,
      dynamodbEndpoint: dynamodb.endpoint,
      sfnEndpoint: sfn.url,
      s3Endpoint: s3.endpoint,
      eventsUrl: events.url,
      template,
      jwtSecret,
      lambda,
      stepFunctions: sfn,
      scheduler,
      streams,
      events,
      timings,
      interrupt,
      stop,
    };
  } catch (error) {
    // DynamoDB may still be booting when a later part failed: wait for it so it gets closed too.
    await dynamoDbStarting;
    await stop().catch(() => {});
    throw error;
  }
}

async function closeAll(closers: { name: string; close: () => Promise<void> }[]): Promise<void> {
  const failures: string[] = [];
  for (const { name, close } of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`Local stack did not stop cleanly:\n${failures.join('\n')}`);
}

/**
 * Fails fast, naming every busy port, before anything starts. Port 0 becomes a concrete free
 * port for DynamoDB Local (the JVM needs one) and Step Functions (the Lambdas need its URL
 * before it starts); the Node servers bind port 0 themselves.
 */
async function resolvePorts(requested: LocalStackPorts = {}): Promise<Required<LocalStackPorts>> {
  const envPort =
    process.env.PORT === undefined || process.env.PORT === '' ? undefined : Number(process.env.PORT);
  if (envPort !== undefined && !Number.isInteger(envPort))
    throw new Error(`PORT=${process.env.PORT} is not a port number`);
  const ports: Required<LocalStackPorts> = {
    api: requested.api ?? envPort ?? DEFAULT_PORTS.api,
    ses: requested.ses ?? DEFAULT_PORTS.ses,
    dynamodb: requested.dynamodb ?? DEFAULT_PORTS.dynamodb,
    sfn: requested.sfn ?? DEFAULT_PORTS.sfn,
    s3: requested.s3 ?? DEFAULT_PORTS.s3,
    // Stacks that ask for free ports (tests, benches) get a free one for EventBridge too.
    events: requested.events ?? (requested.sfn === 0 ? 0 : DEFAULT_PORTS.events),
  };
  const entries = Object.entries(ports) as [keyof LocalStackPorts, number][];
  const fixed = entries.filter(([, port]) => port !== 0);
  const duplicates = fixed.filter(([, port], i) => fixed.findIndex(([, p]) => p === port) !== i);
  if (duplicates.length > 0) {
    throw new Error(`Port ${duplicates[0]![1]} is configured for more than one local service`);
  }
  const busy = (
    await Promise.all(fixed.map(async ([name, port]) => ((await isPortFree(port)) ? undefined : name)))
  )
    .filter((name) => name !== undefined)
    .map((name) => `${ports[name]} (${SERVICE_NAMES[name]})`);
  if (busy.length > 0) {
    throw new Error(
      `Port ${busy.join(', ')} already in use on ${LOOPBACK}. Is another local stack running ` +
        '(`pgrep -af DynamoDBLocal`)? Stop it or choose other ports (env PORT for the API).',
    );
  }
  if (ports.dynamodb === 0) ports.dynamodb = await freePort();
  if (ports.sfn === 0) ports.sfn = await freePort();
  if (ports.events === 0) ports.events = await freePort();
  return ports;
}

/** Removes everything in dataDir but the JWT secret; refuses folders that look like more than local state. */
function wipeDataDir(dataDir: string): void {
  if (dataDir === parse(dataDir).root || dataDir === homedir() || existsSync(join(dataDir, 'package.json'))) {
    throw new Error(`Refusing to wipe ${dataDir}: it does not look like a local data folder`);
  }
  if (!existsSync(dataDir)) return;
  for (const entry of readdirSync(dataDir)) {
    if (entry === 'jwt-secret') continue;
    rmSync(join(dataDir, entry), { recursive: true, force: true });
  }
}
