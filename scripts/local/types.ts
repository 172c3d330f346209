/**
 * The local stack's view of the synthesized CloudFormation template. The template is the
 * single source of truth: everything the local stack runs is read from it.
 */

export interface LocalTable {
  logicalId: string;
  /** TableName from the template, or the logical id when the template leaves it to CloudFormation. */
  tableName: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  }[];
  /** Local secondary indexes, when the table has any (DynamoDB Local must create them with the table). */
  localSecondaryIndexes?: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
  }[];
  ttlAttribute?: string;
  /** The table's StreamSpecification: DynamoDB Local keeps a stream of this view type. */
  stream?: { viewType: 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES' };
}

export interface LocalFunction {
  logicalId: string;
  /** Absolute path of the bundled asset folder in cdk.out. */
  assetDir: string;
  /** e.g. "index.handler": file "index.mjs" (or .js) in assetDir, export "handler". */
  handler: string;
  /** Environment from the template, intrinsic functions resolved to local names. */
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** MemorySize from the template (CloudFormation default 128); reported in the Lambda context. */
  memorySize?: number;
}

export interface LocalRoute {
  method: string;
  /** e.g. "/v1/applications/{applicationId}" */
  path: string;
  functionLogicalId: string;
  /** true when the method has a Cognito user-pool authorizer. */
  requiresAuth: boolean;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  /** The ASL definition with every intrinsic resolved (Lambda ARNs become local ARNs). */
  definition: Record<string, unknown>;
  /** Task state name (at any depth) to the logical id of the Lambda function it invokes. */
  taskFunctions: Record<string, string>;
  /** StateMachineType from the template (CloudFormation default STANDARD). */
  type?: 'STANDARD' | 'EXPRESS';
}

export interface LocalBucket {
  logicalId: string;
  bucketName: string;
  versioned: boolean;
  /** Object Lock's default retention, in days. */
  objectLock?: { mode: 'COMPLIANCE' | 'GOVERNANCE'; days: number };
}

export interface LocalSchedule {
  logicalId: string;
  /** "rate(1 minute)", "cron(0 9 10 * ? *)" or "at(2026-12-10T09:00:00)". */
  expression: string;
  timezone: string;
  enabled: boolean;
  /** The target's Input (JSON text). */
  input: string;
  target: { kind: 'lambda'; functionLogicalId: string } | { kind: 'state-machine'; stateMachineArn: string };
}

/** A Lambda event source mapping on a table's DynamoDB stream. */
export interface LocalEventSourceMapping {
  logicalId: string;
  functionLogicalId: string;
  /** The local name of the table whose stream feeds the function. */
  tableName: string;
  /** Records per invocation (DynamoDB default 100). */
  batchSize: number;
  /** Where a mapping without a checkpoint starts reading (Lambda's StartingPosition). */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** Event filter patterns (FilterCriteria), parsed; a record reaches the function if any matches. */
  filters: Record<string, unknown>[];
  /** On a function error, split the batch in two and retry the halves. */
  bisectBatchOnFunctionError: boolean;
  /** -1 (CloudFormation's default): retry until the record leaves the stream. */
  maximumRetryAttempts: number;
  /** FunctionResponseTypes has ReportBatchItemFailures: the function may answer `batchItemFailures`. */
  reportBatchItemFailures: boolean;
  enabled: boolean;
}

/** An EventBridge rule of the template on an event bus, with the Lambda targets it invokes. */
export interface LocalEventRule {
  logicalId: string;
  /** The bus's name: `default` when the rule names none. */
  busName: string;
  /** The parsed EventPattern; rules with only a ScheduleExpression have none. */
  pattern?: Record<string, unknown>;
  /** ScheduleExpression (rules on the default bus that fire on a clock). */
  schedule?: string;
  enabled: boolean;
  targets: {
    id: string;
    functionLogicalId: string;
    /** Target Input (constant JSON text) or InputPath (`$` or `$.field…`); else the whole event. */
    input?: string;
    inputPath?: string;
    /** RetryPolicy (EventBridge defaults: 185 attempts within 24 hours). */
    maximumRetryAttempts: number;
    maximumEventAgeSeconds: number;
  }[];
}

/**
 * An AWS WAF rate-based rule of the template keyed on request headers (the caller's
 * Authorization), as the local gateway enforces it.
 */
export interface LocalRateLimit {
  /** The WebACL rule's name. */
  name: string;
  /** Requests per key and window; past it, requests are blocked. */
  limit: number;
  windowSeconds: number;
  /** Lower-case names of the headers whose values make the key; a request lacking one is not counted. */
  keyHeaders: string[];
  /** The rule's scope-down: only these methods are counted; undefined counts every request. */
  methods?: string[];
  /** What the block action answers (its custom response). */
  response: { status: number; headers: Record<string, string>; contentType: string; body: string };
}

export interface LocalTemplate {
  tables: LocalTable[];
  functions: LocalFunction[];
  routes: LocalRoute[];
  /** The REST API's BinaryMediaTypes: bodies of these content types reach the handler base64-encoded. */
  binaryMediaTypes?: string[];
  stateMachines: LocalStateMachine[];
  buckets: LocalBucket[];
  schedules?: LocalSchedule[];
  eventSourceMappings?: LocalEventSourceMapping[];
  /** Header-keyed rate-based rules of the template's WebACLs, in priority order. */
  rateLimits?: LocalRateLimit[];
  /** Custom event buses of the template, by name (the `default` bus always exists). */
  eventBuses?: string[];
  eventRules?: LocalEventRule[];
}

/** Invokes bundled handlers the way Lambda does; a handler's thrown error keeps its name. */
export interface LambdaRuntime {
  invoke(functionLogicalId: string, event: unknown): Promise<unknown>;
  close(): Promise<void>;
}

/** Error raised by LambdaRuntime.invoke when the handler threw: name = the handler error's name. */
export class LambdaInvocationError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    /** Stack lines of the handler's error, as Lambda reports them in `trace`. */
    readonly trace: string[] = [],
  ) {
    super(message);
    this.name = errorType;
  }
}
