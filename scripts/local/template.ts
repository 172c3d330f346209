/**
 * Reads the CloudFormation template that `cdk synth` wrote and turns it into the local stack's
 * view of it (tables, functions, routes, state machines, buckets). The template is the single
 * source of truth: nothing here knows the app's resource names, everything is found by type.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type {
  LocalBucket,
  LocalEventRule,
  LocalEventSourceMapping,
  LocalFunction,
  LocalRateLimit,
  LocalRoute,
  LocalSchedule,
  LocalStateMachine,
  LocalTable,
  LocalTemplate,
} from './types.ts';

export interface ReadTemplateOptions {
  region?: string;
  accountId?: string;
  /** Stack to read when the cloud assembly holds more than one (default 'InvoiceService'). */
  stackName?: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  Metadata?: JsonObject;
}

interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Parameters?: Record<string, { Default?: Json }>;
}

const DEFAULT_STACK = 'InvoiceService';
/** CloudFormation's default Lambda timeout and memory when the template leaves them out. */
const DEFAULT_TIMEOUT_SECONDS = 3;
const DEFAULT_MEMORY_MB = 128;

export function readTemplate(cdkOutDir: string, options: ReadTemplateOptions = {}): LocalTemplate {
  const outDir = resolve(cdkOutDir);
  const stackName = options.stackName ?? DEFAULT_STACK;
  const templateFile = findTemplateFile(outDir, stackName);
  const template = JSON.parse(readFileSync(join(outDir, templateFile), 'utf8')) as CfnTemplate;
  const resolver = new IntrinsicResolver(template, {
    region: options.region ?? 'us-east-1',
    accountId: options.accountId ?? '000000000000',
    stackName,
  });
  const resources = template.Resources ?? {};
  const functions = readFunctions(outDir, resources, resolver);
  const functionIds = new Set(functions.map((fn) => fn.logicalId));
  return {
    tables: readTables(resources, resolver),
    functions,
    routes: readRoutes(resources, resolver, functionIds),
    binaryMediaTypes: readBinaryMediaTypes(resources, resolver),
    stateMachines: readStateMachines(resources, resolver, functionIds),
    buckets: readBuckets(resources, resolver),
    schedules: readSchedules(resources, resolver, functionIds),
    eventSourceMappings: readEventSourceMappings(resources, resolver, functionIds),
    rateLimits: readRateLimits(resources),
    eventBuses: ofType(resources, 'AWS::Events::EventBus').map(([logicalId]) =>
      resolver.eventBusName(logicalId),
    ),
    eventRules: readEventRules(resources, resolver, functionIds),
  };
}

function findTemplateFile(outDir: string, stackName: string): string {
  const manifestPath = join(outDir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    throw new Error(`No cloud assembly at ${outDir} (manifest.json missing): run \`cdk synth\` first`);
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    artifacts?: Record<
      string,
      { type: string; displayName?: string; properties?: { templateFile?: string } }
    >;
  };
  const stacks = Object.entries(manifest.artifacts ?? {}).filter(
    ([, artifact]) => artifact.type === 'aws:cloudformation:stack',
  );
  const named = stacks.find(([id, artifact]) => id === stackName || artifact.displayName === stackName);
  const chosen = named ?? (stacks.length === 1 ? stacks[0] : undefined);
  const templateFile = chosen?.[1].properties?.templateFile;
  if (!templateFile) {
    const found = stacks.map(([id]) => id).join(', ') || 'none';
    throw new Error(`Stack ${stackName} not found in ${manifestPath} (stacks: ${found})`);
  }
  return templateFile;
}

// ---------------------------------------------------------------------------------------------
// Intrinsic functions

interface ResolverContext {
  region: string;
  accountId: string;
  stackName: string;
}

/**
 * Resolves the intrinsic functions CDK emits to the names the local stack uses. Refs and ARNs
 * must come out identical however the template spells them (e.g. the state machine ARN the app
 * builds with Fn::Join for a Lambda's environment equals the state machine's own ARN).
 */
export class IntrinsicResolver {
  private readonly resources: Record<string, CfnResource>;
  private readonly parameters: Record<string, { Default?: Json }>;

  constructor(
    template: CfnTemplate,
    private readonly ctx: ResolverContext,
  ) {
    this.resources = template.Resources ?? {};
    this.parameters = template.Parameters ?? {};
  }

  /** Resolves every intrinsic in a value; plain values pass through unchanged. */
  resolve(value: Json, where = 'template'): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, where));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.intrinsic(key, value[key] as Json, where);
    }
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) out[k] = this.resolve(v, where);
    return out;
  }

  resolveString(value: Json, where: string): string {
    const resolved = this.resolve(value, where);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new Error(`${where}: expected a string, got ${JSON.stringify(resolved)}`);
  }

  ref(name: string, where: string): string {
    switch (name) {
      case 'AWS::Region':
        return this.ctx.region;
      case 'AWS::AccountId':
        return this.ctx.accountId;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return this.ctx.stackName;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.ctx.region}:${this.ctx.accountId}:stack/${this.ctx.stackName}/local`;
      case 'AWS::NoValue':
        throw new Error(`${where}: AWS::NoValue is not supported locally`);
    }
    const parameter = this.parameters[name];
    if (parameter) {
      if (parameter.Default === undefined) throw new Error(`${where}: parameter ${name} has no Default`);
      return this.resolveString(parameter.Default, `${where} (parameter ${name})`);
    }
    const resource = this.resources[name];
    if (!resource) throw new Error(`${where}: Ref to unknown resource or parameter ${name}`);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return this.tableName(name);
      case 'AWS::S3::Bucket':
        return this.bucketName(name);
      case 'AWS::StepFunctions::StateMachine':
        return this.stateMachineArn(name);
      case 'AWS::Events::EventBus':
        return this.eventBusName(name);
      default:
        // Lambda functions (local function name = logical id) and anything else the local stack
        // does not emulate: the logical id is the most readable stand-in for a physical id.
        return name;
    }
  }

  getAtt(logicalId: string, attribute: string, where: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`${where}: Fn::GetAtt of unknown resource ${logicalId}`);
    const { region, accountId } = this.ctx;
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${region}:${accountId}:function:${logicalId}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${this.tableName(logicalId)}`;
      case 'AWS::DynamoDB::Table.StreamArn':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${this.tableName(logicalId)}/stream/local`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:aws:s3:::${this.bucketName(logicalId)}`;
      case 'AWS::S3::Bucket.DomainName':
        return `${this.bucketName(logicalId)}.s3.amazonaws.com`;
      case 'AWS::S3::Bucket.RegionalDomainName':
        return `${this.bucketName(logicalId)}.s3.${region}.amazonaws.com`;
      case 'AWS::StepFunctions::StateMachine.Arn':
        return this.stateMachineArn(logicalId);
      case 'AWS::StepFunctions::StateMachine.Name':
        return this.stateMachineName(logicalId);
      case 'AWS::Events::EventBus.Name':
        return this.eventBusName(logicalId);
      case 'AWS::Events::EventBus.Arn':
        return `arn:aws:events:${region}:${accountId}:event-bus/${this.eventBusName(logicalId)}`;
    }
    if (attribute === 'Arn') {
      // Not emulated locally (roles, user pools, …): a well-formed, recognisable ARN.
      const [, service = 'unknown', type = 'resource'] = resource.Type.split('::');
      return `arn:aws:${service.toLowerCase()}:${region}:${accountId}:${type.toLowerCase()}/${logicalId}`;
    }
    return `${logicalId}.${attribute}`;
  }

  tableName(logicalId: string): string {
    const name = this.resources[logicalId]?.Properties?.TableName;
    return name === undefined ? logicalId : this.resolveString(name, `${logicalId}.TableName`);
  }

  bucketName(logicalId: string): string {
    const name = this.resources[logicalId]?.Properties?.BucketName;
    // CloudFormation would generate a lower-case name; the lower-cased logical id is a valid one.
    return name === undefined ? logicalId.toLowerCase() : this.resolveString(name, `${logicalId}.BucketName`);
  }

  stateMachineName(logicalId: string): string {
    const name = this.resources[logicalId]?.Properties?.StateMachineName;
    return name === undefined ? logicalId : this.resolveString(name, `${logicalId}.StateMachineName`);
  }

  eventBusName(logicalId: string): string {
    const name = this.resources[logicalId]?.Properties?.Name;
    return name === undefined ? logicalId : this.resolveString(name, `${logicalId}.Name`);
  }

  stateMachineArn(logicalId: string): string {
    const { region, accountId } = this.ctx;
    return `arn:aws:states:${region}:${accountId}:stateMachine:${this.stateMachineName(logicalId)}`;
  }

  private intrinsic(name: string, arg: Json, where: string): Json {
    switch (name) {
      case 'Ref':
        if (typeof arg !== 'string') throw new Error(`${where}: Ref expects a name`);
        return this.ref(arg, where);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = typeof arg === 'string' ? splitOnce(arg, '.') : (arg as Json[]);
        if (typeof logicalId !== 'string' || typeof attribute !== 'string') {
          throw new Error(`${where}: malformed Fn::GetAtt ${JSON.stringify(arg)}`);
        }
        return this.getAtt(logicalId, attribute, where);
      }
      case 'Fn::Join': {
        const [delimiter, list] = asArray(arg, 2, name, where);
        const items = this.resolve(list as Json, where);
        if (typeof delimiter !== 'string' || !Array.isArray(items)) {
          throw new Error(`${where}: malformed Fn::Join`);
        }
        return items.map((item) => this.scalar(item, where)).join(delimiter);
      }
      case 'Fn::Sub':
        return this.sub(arg, where);
      case 'Fn::Select': {
        const [index, list] = asArray(arg, 2, name, where);
        const items = this.resolve(list as Json, where);
        const i = Number(this.resolve(index as Json, where));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new Error(`${where}: Fn::Select index ${String(i)} out of range`);
        }
        return items[i] as Json;
      }
      case 'Fn::Split': {
        const [delimiter, source] = asArray(arg, 2, name, where);
        if (typeof delimiter !== 'string') throw new Error(`${where}: malformed Fn::Split`);
        return this.resolveString(source as Json, where).split(delimiter);
      }
      default:
        throw new Error(
          `${where}: intrinsic function ${name} is not supported by the local stack ` +
            '(supported: Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split)',
        );
    }
  }

  private sub(arg: Json, where: string): string {
    const [text, variables] = typeof arg === 'string' ? [arg, {}] : asArray(arg, 2, 'Fn::Sub', where);
    if (typeof text !== 'string' || variables === null || typeof variables !== 'object') {
      throw new Error(`${where}: malformed Fn::Sub`);
    }
    const vars = variables as JsonObject;
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      // `${!Literal}` is CloudFormation's escape for a literal `${Literal}`.
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const variable = vars[expression];
      if (variable !== undefined) return this.resolveString(variable, where);
      if (expression.includes('.') && !expression.startsWith('AWS::')) {
        const [logicalId, attribute] = splitOnce(expression, '.');
        return this.getAtt(logicalId, attribute, where);
      }
      return this.ref(expression, where);
    });
  }

  private scalar(value: Json, where: string): string {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    throw new Error(`${where}: cannot join ${JSON.stringify(value)}`);
  }
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

function asArray(arg: Json, length: number, name: string, where: string): Json[] {
  if (!Array.isArray(arg) || arg.length !== length) {
    throw new Error(`${where}: ${name} expects ${length} arguments, got ${JSON.stringify(arg)}`);
  }
  return arg;
}

function ofType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

// ---------------------------------------------------------------------------------------------
// Resources

const KEY_TABLE_PROPERTIES = [
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'TimeToLiveSpecification',
  'StreamSpecification',
] as const;

function readTables(resources: Record<string, CfnResource>, resolver: IntrinsicResolver): LocalTable[] {
  return ofType(resources, 'AWS::DynamoDB::Table').map(([logicalId, resource]) => {
    // Resolve only what the local table needs: other properties (SSE, PITR, tags) may use
    // intrinsics that mean nothing locally.
    const raw = resource.Properties ?? {};
    const props: JsonObject = {};
    for (const key of KEY_TABLE_PROPERTIES) {
      const value = raw[key];
      if (value !== undefined) props[key] = resolver.resolve(value, `${logicalId}.${key}`);
    }
    const ttl = props.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
    const table: LocalTable = {
      logicalId,
      tableName: resolver.tableName(logicalId),
      keySchema: (props.KeySchema ?? []) as unknown as LocalTable['keySchema'],
      attributeDefinitions: (props.AttributeDefinitions ??
        []) as unknown as LocalTable['attributeDefinitions'],
      globalSecondaryIndexes: (
        (props.GlobalSecondaryIndexes ?? []) as unknown as LocalTable['globalSecondaryIndexes']
      ).map(pickIndex),
    };
    if (Array.isArray(props.LocalSecondaryIndexes)) {
      table.localSecondaryIndexes = (
        props.LocalSecondaryIndexes as unknown as LocalTable['globalSecondaryIndexes']
      ).map(pickIndex);
    }
    if (ttl?.Enabled && ttl.AttributeName) table.ttlAttribute = ttl.AttributeName;
    const stream = props.StreamSpecification as { StreamViewType?: string } | undefined;
    if (stream?.StreamViewType) {
      const viewType = stream.StreamViewType as NonNullable<LocalTable['stream']>['viewType'];
      if (!STREAM_VIEW_TYPES.includes(viewType)) {
        throw new Error(`${logicalId}.StreamSpecification: unknown StreamViewType ${viewType}`);
      }
      table.stream = { viewType };
    }
    return table;
  });
}

const STREAM_VIEW_TYPES = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'] as const;

/** Keeps only what DynamoDB Local needs (provisioned throughput etc. do not apply on demand). */
function pickIndex(
  index: LocalTable['globalSecondaryIndexes'][number],
): LocalTable['globalSecondaryIndexes'][number] {
  return { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection };
}

function readBuckets(resources: Record<string, CfnResource>, resolver: IntrinsicResolver): LocalBucket[] {
  return ofType(resources, 'AWS::S3::Bucket').map(([logicalId, resource]) => {
    const properties = (resource.Properties ?? {}) as {
      VersioningConfiguration?: { Status?: string };
      ObjectLockConfiguration?: {
        Rule?: { DefaultRetention?: { Mode?: 'COMPLIANCE' | 'GOVERNANCE'; Days?: number; Years?: number } };
      };
    };
    const retention = properties.ObjectLockConfiguration?.Rule?.DefaultRetention;
    const days = retention?.Days ?? (retention?.Years === undefined ? undefined : retention.Years * 365);
    return {
      logicalId,
      bucketName: resolver.bucketName(logicalId),
      versioned: properties.VersioningConfiguration?.Status === 'Enabled',
      ...(retention?.Mode && days ? { objectLock: { mode: retention.Mode, days } } : {}),
    };
  });
}

/** EventBridge Scheduler schedules whose target is one of our functions or a state machine. */
function readSchedules(
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
  functionIds: ReadonlySet<string>,
): LocalSchedule[] {
  const schedules: LocalSchedule[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::Scheduler::Schedule')) {
    const props = resolver.resolve((resource.Properties ?? {}) as Json, logicalId) as JsonObject;
    const target = (props.Target ?? {}) as JsonObject;
    const arn = String(target.Arn ?? '');
    const functionLogicalId = functionNameOf(arn);
    const base = {
      logicalId,
      expression: String(props.ScheduleExpression ?? ''),
      timezone:
        typeof props.ScheduleExpressionTimezone === 'string' ? props.ScheduleExpressionTimezone : 'UTC',
      enabled: props.State !== 'DISABLED',
      input: typeof target.Input === 'string' ? target.Input : '{}',
    };
    if (arn.includes(':lambda:') && functionIds.has(functionLogicalId)) {
      schedules.push({ ...base, target: { kind: 'lambda', functionLogicalId } });
    } else if (arn.includes(':states:') && arn.includes(':stateMachine:')) {
      schedules.push({ ...base, target: { kind: 'state-machine', stateMachineArn: arn } });
    }
  }
  // EventBridge rules on a schedule (the default bus) calling one of our functions: the
  // scheduler fires them the same way, with the scheduled event EventBridge sends.
  for (const [logicalId, resource] of ofType(resources, 'AWS::Events::Rule')) {
    const props = resolver.resolve((resource.Properties ?? {}) as Json, logicalId) as JsonObject;
    if (typeof props.ScheduleExpression !== 'string') continue;
    for (const target of (props.Targets ?? []) as JsonObject[]) {
      const functionLogicalId = functionNameOf(String(target.Arn ?? ''));
      if (!functionIds.has(functionLogicalId)) continue;
      schedules.push({
        logicalId,
        expression: props.ScheduleExpression,
        timezone: 'UTC',
        enabled: props.State !== 'DISABLED',
        input: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
        target: { kind: 'lambda', functionLogicalId },
      });
    }
  }
  return schedules;
}

/** EventBridge's RetryPolicy defaults for a target. */
const DEFAULT_EVENT_RETRIES = 185;
const DEFAULT_EVENT_AGE_SECONDS = 86_400;

/**
 * EventBridge rules with at least one target that is one of our functions. EventBusName is a
 * bus name or ARN (`Ref`/`Fn::GetAtt` of a template bus resolve to its name or ARN); targets
 * other than our functions are left out, as is an InputTransformer (not emulated: an error).
 */
function readEventRules(
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
  functionIds: ReadonlySet<string>,
): LocalEventRule[] {
  const rules: LocalEventRule[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::Events::Rule')) {
    const props = resolver.resolve((resource.Properties ?? {}) as Json, logicalId) as JsonObject;
    const bus = typeof props.EventBusName === 'string' ? props.EventBusName : 'default';
    const targets: LocalEventRule['targets'] = [];
    for (const target of (props.Targets ?? []) as JsonObject[]) {
      const functionLogicalId = functionNameOf(String(target.Arn ?? ''));
      if (!String(target.Arn ?? '').includes(':lambda:') || !functionIds.has(functionLogicalId)) continue;
      if (target.InputTransformer !== undefined) {
        throw new Error(
          `${logicalId}: target ${String(target.Id)} InputTransformer is not supported locally`,
        );
      }
      const retry = (target.RetryPolicy ?? {}) as JsonObject;
      targets.push({
        id: String(target.Id ?? functionLogicalId),
        functionLogicalId,
        ...(typeof target.Input === 'string' ? { input: target.Input } : {}),
        ...(typeof target.InputPath === 'string' ? { inputPath: target.InputPath } : {}),
        maximumRetryAttempts:
          typeof retry.MaximumRetryAttempts === 'number' ? retry.MaximumRetryAttempts : DEFAULT_EVENT_RETRIES,
        maximumEventAgeSeconds:
          typeof retry.MaximumEventAgeInSeconds === 'number'
            ? retry.MaximumEventAgeInSeconds
            : DEFAULT_EVENT_AGE_SECONDS,
      });
    }
    if (targets.length === 0) continue;
    const pattern =
      typeof props.EventPattern === 'string' ? JSON.parse(props.EventPattern) : props.EventPattern;
    rules.push({
      logicalId,
      // An ARN names the bus after its last slash.
      busName: bus.startsWith('arn:') ? bus.slice(bus.lastIndexOf('/') + 1) : bus,
      ...(pattern && typeof pattern === 'object' ? { pattern: pattern as Record<string, unknown> } : {}),
      ...(typeof props.ScheduleExpression === 'string' ? { schedule: props.ScheduleExpression } : {}),
      enabled: props.State !== 'DISABLED',
      targets,
    });
  }
  return rules;
}

/** Lambda's default batch size for DynamoDB streams. */
const DEFAULT_STREAM_BATCH_SIZE = 100;

/**
 * Event source mappings that feed one of our functions from a table's stream. The source is
 * `Fn::GetAtt [Table, StreamArn]` as CDK writes it (or the ARN of a template table's stream);
 * other sources (SQS, Kinesis, Kafka) are not emulated and are left out.
 */
function readEventSourceMappings(
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
  functionIds: ReadonlySet<string>,
): LocalEventSourceMapping[] {
  const tables = ofType(resources, 'AWS::DynamoDB::Table').map(([logicalId]) => logicalId);
  const mappings: LocalEventSourceMapping[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::Lambda::EventSourceMapping')) {
    const raw = resource.Properties ?? {};
    const tableLogicalId = streamTableOf(raw.EventSourceArn ?? null, resolver, tables, logicalId);
    if (tableLogicalId === undefined) continue;
    const functionLogicalId = functionNameOf(resolver.resolveString(raw.FunctionName ?? '', logicalId));
    if (!functionIds.has(functionLogicalId)) continue; // not a bundled function of ours
    const props = resolver.resolve(
      {
        BatchSize: raw.BatchSize ?? null,
        StartingPosition: raw.StartingPosition ?? null,
        FilterCriteria: raw.FilterCriteria ?? null,
        BisectBatchOnFunctionError: raw.BisectBatchOnFunctionError ?? null,
        MaximumRetryAttempts: raw.MaximumRetryAttempts ?? null,
        FunctionResponseTypes: raw.FunctionResponseTypes ?? null,
        Enabled: raw.Enabled ?? null,
      },
      logicalId,
    ) as JsonObject;
    const startingPosition = props.StartingPosition ?? 'TRIM_HORIZON';
    if (startingPosition !== 'TRIM_HORIZON' && startingPosition !== 'LATEST') {
      throw new Error(`${logicalId}: StartingPosition ${String(startingPosition)} is not supported locally`);
    }
    const filters = (((props.FilterCriteria as JsonObject | null)?.Filters ?? []) as JsonObject[]).map(
      (filter, i) => {
        const pattern = filter.Pattern;
        const parsed = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new Error(`${logicalId}.FilterCriteria.Filters[${i}]: a pattern must be a JSON object`);
        }
        return parsed as Record<string, unknown>;
      },
    );
    mappings.push({
      logicalId,
      functionLogicalId,
      tableName: resolver.tableName(tableLogicalId),
      batchSize: typeof props.BatchSize === 'number' ? props.BatchSize : DEFAULT_STREAM_BATCH_SIZE,
      startingPosition,
      filters,
      bisectBatchOnFunctionError: props.BisectBatchOnFunctionError === true,
      maximumRetryAttempts: typeof props.MaximumRetryAttempts === 'number' ? props.MaximumRetryAttempts : -1,
      reportBatchItemFailures:
        Array.isArray(props.FunctionResponseTypes) &&
        props.FunctionResponseTypes.includes('ReportBatchItemFailures'),
      enabled: props.Enabled !== false,
    });
  }
  return mappings;
}

/** The logical id of the template table whose stream an EventSourceArn names, if any. */
function streamTableOf(
  source: Json,
  resolver: IntrinsicResolver,
  tables: readonly string[],
  where: string,
): string | undefined {
  const getAtt = (source as JsonObject | null)?.['Fn::GetAtt'];
  const [id, attribute] =
    typeof getAtt === 'string' ? splitOnce(getAtt, '.') : Array.isArray(getAtt) ? getAtt : [];
  if (typeof id === 'string' && attribute === 'StreamArn') return tables.includes(id) ? id : undefined;
  if (source === null) return undefined;
  const arn = resolver.resolveString(source, `${where}.EventSourceArn`);
  const name = /^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)\/stream\//.exec(arn)?.[1];
  return tables.find((table) => resolver.tableName(table) === name);
}

function readFunctions(
  outDir: string,
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
): LocalFunction[] {
  const functions: LocalFunction[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::Lambda::Function')) {
    const props = resource.Properties ?? {};
    const handler = typeof props.Handler === 'string' ? props.Handler : 'index.handler';
    const assetPath = assetPathOf(outDir, resource);
    if (!assetPath) continue; // inline code (ZipFile) or an image: a CDK internal, not ours
    const assetDir = resolve(outDir, assetPath);
    // Our functions are ESM bundles (infra/build-function.mjs); CDK's own providers (log retention, custom
    // resources) ship CommonJS index.js and never run locally.
    const moduleFile = handler.slice(0, handler.lastIndexOf('.'));
    if (!existsSync(join(assetDir, `${moduleFile}.mjs`))) continue;
    const variables = ((props.Environment as JsonObject | undefined)?.Variables ?? {}) as JsonObject;
    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      environment[name] = resolver.resolveString(value, `${logicalId}.Environment.${name}`);
    }
    functions.push({
      logicalId,
      assetDir,
      handler,
      environment,
      timeoutSeconds: typeof props.Timeout === 'number' ? props.Timeout : DEFAULT_TIMEOUT_SECONDS,
      memorySize: typeof props.MemorySize === 'number' ? props.MemorySize : DEFAULT_MEMORY_MB,
    });
  }
  return functions;
}

/**
 * The asset folder (relative to cdk.out) of a function's code. The CLI adds `aws:asset:path`
 * metadata; an assembly synthesized without it (asset metadata off) still names the asset's
 * zip in Code.S3Key, which the asset manifest maps back to its folder.
 */
function assetPathOf(outDir: string, resource: CfnResource): string | undefined {
  const fromMetadata = resource.Metadata?.['aws:asset:path'];
  if (typeof fromMetadata === 'string') return fromMetadata;
  const s3Key = (resource.Properties?.Code as JsonObject | undefined)?.S3Key;
  if (typeof s3Key !== 'string') return undefined;
  const hash = s3Key.replace(/\.zip$/, '');
  for (const file of readAssetManifests(outDir)) {
    const source = file.files?.[hash]?.source?.path;
    if (source) return source;
  }
  return undefined;
}

function readAssetManifests(outDir: string): { files?: Record<string, { source?: { path?: string } }> }[] {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type: string; properties?: { file?: string } }>;
  };
  return Object.values(manifest.artifacts ?? {})
    .filter((artifact) => artifact.type === 'cdk:asset-manifest' && artifact.properties?.file)
    .map((artifact) => JSON.parse(readFileSync(join(outDir, artifact.properties?.file ?? ''), 'utf8')));
}

function readRoutes(
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
  functionIds: Set<string>,
): LocalRoute[] {
  const pathOf = (resourceId: Json, seen: string[] = []): string => {
    // The root resource is referenced as Fn::GetAtt [RestApi, RootResourceId].
    const getAtt = (resourceId as JsonObject | null)?.['Fn::GetAtt'];
    if (Array.isArray(getAtt) && getAtt[1] === 'RootResourceId') return '';
    const ref = (resourceId as JsonObject | null)?.Ref;
    const resource = typeof ref === 'string' ? resources[ref] : undefined;
    if (typeof ref !== 'string' || resource?.Type !== 'AWS::ApiGateway::Resource' || seen.includes(ref)) {
      throw new Error(`Cannot resolve API Gateway resource ${JSON.stringify(resourceId)}`);
    }
    const props = resource.Properties ?? {};
    return `${pathOf(props.ParentId ?? null, [...seen, ref])}/${resolver.resolveString(props.PathPart ?? '', ref)}`;
  };

  const routes: LocalRoute[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::ApiGateway::Method')) {
    const props = resource.Properties ?? {};
    const method = resolver.resolveString(props.HttpMethod ?? '', logicalId);
    const integration = (props.Integration ?? {}) as JsonObject;
    if (method === 'OPTIONS' && integration.Type === 'MOCK') continue; // CORS preflight
    const functionLogicalId = integrationFunction(integration.Uri ?? null, resolver, functionIds, logicalId);
    if (!functionLogicalId) {
      throw new Error(
        `${logicalId}: ${method} integration ${JSON.stringify(integration.Type)} does not invoke a bundled Lambda ` +
          'function; the local API server only serves Lambda proxy integrations',
      );
    }
    routes.push({
      method,
      path: pathOf(props.ResourceId ?? null) || '/',
      functionLogicalId,
      requiresAuth: props.AuthorizationType === 'COGNITO_USER_POOLS',
    });
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The REST API's binary media types (CloudFormation writes them as they are, `/` and all). */
function readBinaryMediaTypes(resources: Record<string, CfnResource>, resolver: IntrinsicResolver): string[] {
  const apis = ofType(resources, 'AWS::ApiGateway::RestApi');
  if (apis.length > 1) throw new Error('The local API server serves one REST API; the template has several');
  const [logicalId, api] = apis[0] ?? [];
  const types = api?.Properties?.BinaryMediaTypes;
  if (types === undefined) return [];
  if (!Array.isArray(types)) throw new Error(`${logicalId}: BinaryMediaTypes is not a list`);
  return types.map((type, i) => resolver.resolveString(type, `${logicalId}.BinaryMediaTypes[${i}]`));
}

function integrationFunction(
  uri: Json,
  resolver: IntrinsicResolver,
  functionIds: Set<string>,
  where: string,
): string | undefined {
  // CDK writes Fn::Join [..., {Fn::GetAtt: [Function, 'Arn']}, '/invocations']: find the GetAtt.
  const found = findGetAttArn(uri, functionIds);
  if (found) return found;
  if (uri === null) return undefined;
  const resolved = resolver.resolveString(uri, `${where}.Integration.Uri`);
  const name = /:function:([^/:]+)/.exec(resolved)?.[1];
  return name && functionIds.has(name) ? name : undefined;
}

function findGetAttArn(value: Json, functionIds: Set<string>): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findGetAttArn(item, functionIds);
      if (found) return found;
    }
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (
    Array.isArray(getAtt) &&
    getAtt[1] === 'Arn' &&
    typeof getAtt[0] === 'string' &&
    functionIds.has(getAtt[0])
  ) {
    return getAtt[0];
  }
  for (const item of Object.values(value)) {
    const found = findGetAttArn(item, functionIds);
    if (found) return found;
  }
  return undefined;
}

function readStateMachines(
  resources: Record<string, CfnResource>,
  resolver: IntrinsicResolver,
  functionIds: Set<string>,
): LocalStateMachine[] {
  return ofType(resources, 'AWS::StepFunctions::StateMachine').map(([logicalId, resource]) => {
    const props = resource.Properties ?? {};
    const definition = readDefinition(logicalId, props, resolver);
    const type = props.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD';
    return {
      logicalId,
      name: resolver.stateMachineName(logicalId),
      arn: resolver.stateMachineArn(logicalId),
      definition,
      taskFunctions: taskFunctionsOf(definition, functionIds),
      type,
    };
  });
}

function readDefinition(
  logicalId: string,
  props: JsonObject,
  resolver: IntrinsicResolver,
): Record<string, unknown> {
  let text: string;
  if (props.DefinitionString !== undefined) {
    text = resolver.resolveString(props.DefinitionString, `${logicalId}.DefinitionString`);
  } else if (props.Definition !== undefined) {
    text = JSON.stringify(resolver.resolve(props.Definition, `${logicalId}.Definition`));
  } else {
    throw new Error(`${logicalId}: state machine has neither DefinitionString nor Definition`);
  }
  // DefinitionSubstitutions replace `${key}` placeholders in the definition text.
  const substitutions = (props.DefinitionSubstitutions ?? {}) as JsonObject;
  for (const [key, value] of Object.entries(substitutions)) {
    const replacement = resolver.resolveString(value, `${logicalId}.DefinitionSubstitutions.${key}`);
    text = text.split(`\${${key}}`).join(JSON.stringify(replacement).slice(1, -1));
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** Every Task state at any depth, with its state name and its definition. */
export function taskStatesOf(definition: Record<string, unknown>): [string, Record<string, unknown>][] {
  const tasks: [string, Record<string, unknown>][] = [];
  const walk = (machine: unknown): void => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    for (const [name, state] of Object.entries(states ?? {})) {
      if (state.Type === 'Task') tasks.push([name, state]);
      if (state.Type === 'Parallel' && Array.isArray(state.Branches))
        for (const branch of state.Branches) walk(branch);
      if (state.Type === 'Map') walk(state.ItemProcessor ?? state.Iterator);
    }
  };
  walk(definition);
  return tasks;
}

/** The Lambda function name in a function ARN (or a bare name), without version or alias. */
export function functionNameOf(arnOrName: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(arnOrName);
  return match?.[1] ?? arnOrName.split(':')[0] ?? arnOrName;
}

function taskFunctionsOf(
  definition: Record<string, unknown>,
  functionIds: Set<string>,
): Record<string, string> {
  const taskFunctions: Record<string, string> = {};
  for (const [name, state] of taskStatesOf(definition)) {
    const resource = String(state.Resource ?? '');
    let target: string | undefined;
    if (/^arn:[^:]+:lambda:/.test(resource)) {
      target = resource; // LambdaInvoke with payloadResponseOnly: the function ARN is the resource
    } else if (/^arn:[^:]+:states:::lambda:invoke(\.waitForTaskToken)?$/.test(resource)) {
      const functionName = (state.Parameters as Record<string, unknown> | undefined)?.FunctionName;
      if (typeof functionName === 'string') target = functionName; // FunctionName.$ is only known at run time
    }
    const functionId = target === undefined ? undefined : functionNameOf(target);
    if (functionId && functionIds.has(functionId)) taskFunctions[name] = functionId;
  }
  return taskFunctions;
}

const WAF_CONTENT_TYPES: Record<string, string> = {
  APPLICATION_JSON: 'application/json',
  TEXT_PLAIN: 'text/plain',
  TEXT_HTML: 'text/html',
};

/**
 * The WebACLs' rate-based rules keyed on headers (CUSTOM_KEYS of Header keys only), with their
 * scope-down on the method and their block response. Rules keyed on the IP are left out: every
 * local request comes from the loopback address. A header-keyed rule using something this does
 * not understand is refused rather than enforced differently.
 */
export function readRateLimits(resources: Record<string, CfnResource>): LocalRateLimit[] {
  const limits: LocalRateLimit[] = [];
  for (const [logicalId, resource] of ofType(resources, 'AWS::WAFv2::WebACL')) {
    const props = resource.Properties ?? {};
    const bodies = (props.CustomResponseBodies ?? {}) as Record<
      string,
      { Content?: string; ContentType?: string }
    >;
    const rules = ((props.Rules ?? []) as JsonObject[])
      .slice()
      .sort((a, b) => Number(a.Priority ?? 0) - Number(b.Priority ?? 0));
    for (const rule of rules) {
      const statement = (rule.Statement as JsonObject | undefined)?.RateBasedStatement as
        | JsonObject
        | undefined;
      if (statement === undefined || statement.AggregateKeyType !== 'CUSTOM_KEYS') continue;
      const keys = (statement.CustomKeys ?? []) as JsonObject[];
      if (keys.length === 0 || keys.some((key) => key.Header === undefined)) continue;
      const where = `${logicalId} rule ${String(rule.Name)}`;
      const keyHeaders = keys.map((key) => {
        const header = key.Header as JsonObject;
        plainTransforms(header.TextTransformations, where);
        return String(header.Name).toLowerCase();
      });
      const block = (rule.Action as JsonObject | undefined)?.Block as JsonObject | undefined;
      if (block === undefined) throw new Error(`${where}: only a Block action is supported locally`);
      const custom = block.CustomResponse as JsonObject | undefined;
      const bodyKey = custom?.CustomResponseBodyKey;
      const body = typeof bodyKey === 'string' ? bodies[bodyKey] : undefined;
      if (typeof bodyKey === 'string' && body === undefined)
        throw new Error(`${where}: no custom response body ${bodyKey}`);
      limits.push({
        name: String(rule.Name),
        limit: Number(statement.Limit),
        windowSeconds: Number(statement.EvaluationWindowSec ?? 300),
        keyHeaders,
        methods:
          statement.ScopeDownStatement === undefined
            ? undefined
            : methodsOf(statement.ScopeDownStatement as JsonObject, where),
        response: {
          status: Number(custom?.ResponseCode ?? 403),
          headers: Object.fromEntries(
            ((custom?.ResponseHeaders ?? []) as JsonObject[]).map((h) => [String(h.Name), String(h.Value)]),
          ),
          contentType: WAF_CONTENT_TYPES[body?.ContentType ?? 'TEXT_PLAIN'] ?? 'text/plain',
          body: body?.Content ?? 'Forbidden',
        },
      });
    }
  }
  return limits;
}

/** A scope-down on the method: an exact ByteMatch, or an OrStatement of them. */
function methodsOf(statement: JsonObject, where: string): string[] {
  const or = statement.OrStatement as JsonObject | undefined;
  if (or !== undefined) return ((or.Statements ?? []) as JsonObject[]).flatMap((s) => methodsOf(s, where));
  const match = statement.ByteMatchStatement as JsonObject | undefined;
  const field = match?.FieldToMatch as JsonObject | undefined;
  if (match === undefined || field?.Method === undefined || match.PositionalConstraint !== 'EXACTLY') {
    throw new Error(
      `${where}: only a scope-down on the method (exact ByteMatch, OrStatement) is supported locally`,
    );
  }
  plainTransforms(match.TextTransformations, where);
  return [String(match.SearchString)];
}

function plainTransforms(transforms: Json | undefined, where: string): void {
  if (((transforms ?? []) as JsonObject[]).some((t) => t.Type !== 'NONE')) {
    throw new Error(`${where}: only text transformation NONE is supported locally`);
  }
}
