import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { describe, expect, it } from 'vitest';
import { functionNameOf, readRateLimits, readTemplate } from '../../scripts/local/template.ts';

const fixtureDir = fileURLToPath(new URL('../fixtures/template', import.meta.url));
const assetA = 'asset.ae13eee3f19e2b8d098caf4671d965f16794a25e7b0d7e8e222112d058342e2d';
const smArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:InvoiceService-application';

/** A copy of the fixture assembly whose template the test may rewrite. */
function withTemplate(edit: (template: { Resources: Record<string, unknown> }) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'local-template-'));
  cpSync(fixtureDir, dir, { recursive: true });
  const file = join(dir, 'InvoiceService.template.json');
  const template = JSON.parse(readFileSync(file, 'utf8'));
  edit(template);
  writeFileSync(file, JSON.stringify(template));
  return dir;
}

describe('readTemplate', () => {
  const template = readTemplate(fixtureDir);

  it('reads tables with keys, indexes and TTL; the local name is the logical id unless TableName is set', () => {
    const applications = template.tables.find((table) => table.logicalId === 'ApplicationsE04DA868');
    expect(applications).toEqual({
      logicalId: 'ApplicationsE04DA868',
      tableName: 'ApplicationsE04DA868',
      keySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      attributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'N' },
      ],
      globalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      ttlAttribute: 'expiresAt',
      stream: { viewType: 'NEW_AND_OLD_IMAGES' },
    });
    const ledger = template.tables.find((table) => table.logicalId === 'Ledger5A1B2C3D');
    expect(ledger?.tableName).toBe('InvoiceService-ledger');
    expect(ledger?.globalSecondaryIndexes).toEqual([]);
    expect(ledger?.ttlAttribute).toBeUndefined();
    expect(ledger?.localSecondaryIndexes?.[0]?.Projection).toEqual({
      NonKeyAttributes: ['amount'],
      ProjectionType: 'INCLUDE',
    });
  });

  it('reads each table’s StreamSpecification as its stream view type', () => {
    const views = Object.fromEntries(template.tables.map((t) => [t.logicalId, t.stream?.viewType]));
    expect(views).toEqual({ ApplicationsE04DA868: 'NEW_AND_OLD_IMAGES', Ledger5A1B2C3D: 'NEW_IMAGE' });
  });

  it('reads event source mappings on table streams, with their batch, filters, retries and start', () => {
    expect(template.eventSourceMappings).toEqual([
      {
        logicalId: 'ApplyFnDynamoDBEventSourceApplications1F2E3D4C',
        functionLogicalId: 'ApplyFn8AB6717B',
        tableName: 'ApplicationsE04DA868',
        batchSize: 50,
        startingPosition: 'TRIM_HORIZON',
        filters: [
          { dynamodb: { Keys: { pk: { S: [{ prefix: 'APPLICATION#' }] } } } },
          { eventName: ['REMOVE'] },
        ],
        bisectBatchOnFunctionError: true,
        maximumRetryAttempts: 5,
        reportBatchItemFailures: true,
        enabled: true,
      },
      {
        // The source as a resolved stream ARN (not GetAtt), the function as its ARN; Lambda's defaults.
        logicalId: 'ReviewFnDynamoDBEventSourceLedger9A8B7C6D',
        functionLogicalId: 'ReviewFnC10C28CC',
        tableName: 'InvoiceService-ledger',
        batchSize: 100,
        startingPosition: 'LATEST',
        filters: [],
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        reportBatchItemFailures: false,
        enabled: false,
      },
    ]);
    // The SQS mapping (ReviewFnSqsEventSourceJobs…) is not a stream: the local stack leaves it out.
  });

  it('rejects a filter pattern that is not a JSON object, naming the mapping', () => {
    const dir = withTemplate((t) => {
      const mapping = t.Resources.ApplyFnDynamoDBEventSourceApplications1F2E3D4C as {
        Properties: { FilterCriteria: { Filters: { Pattern: string }[] } };
      };
      mapping.Properties.FilterCriteria.Filters[0]!.Pattern = '["not", "an", "object"]';
    });
    try {
      expect(() => readTemplate(dir)).toThrow(
        /ApplyFnDynamoDBEventSourceApplications1F2E3D4C\.FilterCriteria\.Filters\[0\]: a pattern must be a JSON object/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads an EventBridge rule on a schedule as a schedule sending the scheduled event to its function', () => {
    const dir = withTemplate((t) => {
      t.Resources.RetryTick = {
        Type: 'AWS::Events::Rule',
        Properties: {
          ScheduleExpression: 'rate(1 minute)',
          State: 'ENABLED',
          Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['ApplyFn8AB6717B', 'Arn'] } }],
        },
      };
    });
    try {
      const tick = readTemplate(dir).schedules?.find((s) => s.logicalId === 'RetryTick');
      expect(tick).toEqual({
        logicalId: 'RetryTick',
        expression: 'rate(1 minute)',
        timezone: 'UTC',
        enabled: true,
        input: JSON.stringify({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }),
        target: { kind: 'lambda', functionLogicalId: 'ApplyFn8AB6717B' },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads buckets; the local name is the lower-cased logical id', () => {
    expect(template.buckets).toEqual([
      { logicalId: 'Documents7E5B2978', bucketName: 'documents7e5b2978', versioned: false },
    ]);
  });

  it('reads a bucket’s versioning and Object Lock default retention (years as 365 days)', () => {
    const dir = withTemplate((t) => {
      t.Resources.Anchors = {
        Type: 'AWS::S3::Bucket',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          ObjectLockEnabled: true,
          ObjectLockConfiguration: {
            ObjectLockEnabled: 'Enabled',
            Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Years: 2 } },
          },
        },
      };
    });
    try {
      expect(readTemplate(dir).buckets.find((b) => b.logicalId === 'Anchors')).toEqual({
        logicalId: 'Anchors',
        bucketName: 'anchors',
        versioned: true,
        objectLock: { mode: 'COMPLIANCE', days: 730 },
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads our bundled functions and skips CDK internals', () => {
    expect(template.functions.map((fn) => fn.logicalId).sort()).toEqual([
      'ApplyFn8AB6717B',
      'ReviewFnC10C28CC',
    ]);
    const apply = template.functions.find((fn) => fn.logicalId === 'ApplyFn8AB6717B');
    expect(apply).toMatchObject({
      assetDir: resolve(fixtureDir, assetA),
      handler: 'index.handler',
      timeoutSeconds: 10,
      memorySize: 512,
    });
  });

  it('finds the asset folder from the asset manifest when asset metadata is absent', () => {
    const review = template.functions.find((fn) => fn.logicalId === 'ReviewFnC10C28CC');
    expect(review?.assetDir).toBe(resolve(fixtureDir, assetA));
    expect(review?.timeoutSeconds).toBe(3); // CloudFormation's default
  });

  it('resolves environment intrinsics to local names and ARNs', () => {
    const env = template.functions.find((fn) => fn.logicalId === 'ApplyFn8AB6717B')?.environment;
    expect(env).toEqual({
      TABLE_NAME: 'ApplicationsE04DA868',
      LEDGER_TABLE: 'InvoiceService-ledger',
      BUCKET: 'documents7e5b2978',
      STATE_MACHINE_ARN: smArn,
      TABLE_ARN: 'arn:aws:dynamodb:us-east-1:000000000000:table/ApplicationsE04DA868',
      BUCKET_ARN: 'arn:aws:s3:::documents7e5b2978',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's escape for a literal ${…}
      OBJECTS: 'arn:aws:s3:::documents7e5b2978/invoices/* in us-east-1 for InvoiceService ${Literal}',
      REGION_PART: 'east',
      USER_POOL_ID: 'PoolD3F588B8',
      ROLE_ARN: 'arn:aws:iam:us-east-1:000000000000:role/ApplyFnServiceRole5A788E0F',
      POOL_URL: 'PoolD3F588B8.ProviderURL',
      CANCEL_WINDOW: 'end-of-day',
      POWERTOOLS_SERVICE_NAME: 'invoice',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('honours region and account options', () => {
    const other = readTemplate(fixtureDir, { region: 'cn-north-1', accountId: '123456789012' });
    const env = other.functions.find((fn) => fn.logicalId === 'ApplyFn8AB6717B')?.environment;
    expect(env?.STATE_MACHINE_ARN).toBe(
      'arn:aws:states:cn-north-1:123456789012:stateMachine:InvoiceService-application',
    );
    expect(other.stateMachines[0]?.arn).toBe(env?.STATE_MACHINE_ARN);
    expect(env?.REGION_PART).toBe('north');
  });

  it("reads the REST API's binary media types", () => {
    expect(template.binaryMediaTypes).toEqual([]);
    const dir = withTemplate((t) => {
      const api = t.Resources.ApiF70053CD as { Properties: Record<string, unknown> };
      api.Properties.BinaryMediaTypes = ['application/pdf', 'application/json'];
    });
    try {
      expect(readTemplate(dir).binaryMediaTypes).toEqual(['application/pdf', 'application/json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('builds routes from the resource tree, skipping CORS preflight mocks', () => {
    expect(template.routes).toEqual([
      { method: 'GET', path: '/health', functionLogicalId: 'ReviewFnC10C28CC', requiresAuth: false },
      { method: 'POST', path: '/v1/applications', functionLogicalId: 'ApplyFn8AB6717B', requiresAuth: true },
      {
        method: 'DELETE',
        path: '/v1/applications/{applicationId}',
        functionLogicalId: 'ReviewFnC10C28CC',
        requiresAuth: true,
      },
      {
        method: 'GET',
        path: '/v1/applications/{applicationId}',
        functionLogicalId: 'ApplyFn8AB6717B',
        requiresAuth: true,
      },
    ]);
  });

  it('resolves the state machine definition; its ARN equals the one the app builds with Fn::Join', () => {
    const [machine] = template.stateMachines;
    expect(machine).toMatchObject({
      logicalId: 'Workflow193EF7C1',
      name: 'InvoiceService-application',
      arn: smArn,
      type: 'STANDARD',
    });
    const env = template.functions.find((fn) => fn.logicalId === 'ApplyFn8AB6717B')?.environment;
    expect(machine?.arn).toBe(env?.STATE_MACHINE_ARN);
    const states = machine?.definition.States as Record<string, Record<string, unknown>>;
    expect(states.Review?.Resource).toBe('arn:aws:lambda:us-east-1:000000000000:function:ReviewFnC10C28CC');
    expect(states.Issue?.Resource).toBe('arn:aws:states:::lambda:invoke');
    expect(states.HumanReview?.Parameters).toEqual({
      FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:ReviewFnC10C28CC',
      Payload: {
        'token.$': '$$.Task.Token',
        'applicationId.$': '$.applicationId',
        'executionId.$': '$$.Execution.Id',
      },
    });
    // The resolved definition is valid ASL for the local runner, as written by CDK.
    expect(() => new StateMachine(machine?.definition as unknown as StateMachineDefinition)).not.toThrow();
  });

  it('maps every Task state, at any depth, to the function behind it', () => {
    expect(template.stateMachines[0]?.taskFunctions).toEqual({
      Review: 'ReviewFnC10C28CC', // Lambda ARN resource (payloadResponseOnly)
      HumanReview: 'ReviewFnC10C28CC', // lambda:invoke.waitForTaskToken
      Issue: 'ApplyFn8AB6717B', // lambda:invoke
      SendMail: 'ApplyFn8AB6717B', // inside a Parallel branch
      NotifyOne: 'ReviewFnC10C28CC', // inside a Map ItemProcessor
    });
  });

  it('rejects intrinsics it does not support, naming where', () => {
    const dir = withTemplate((t) => {
      const fn = t.Resources.ApplyFn8AB6717B as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      };
      fn.Properties.Environment.Variables.BAD = { 'Fn::ImportValue': 'SharedThing' };
    });
    try {
      expect(() => readTemplate(dir)).toThrow(
        /ApplyFn8AB6717B\.Environment\.BAD: intrinsic function Fn::ImportValue/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a Ref to a resource that does not exist', () => {
    const dir = withTemplate((t) => {
      const fn = t.Resources.ApplyFn8AB6717B as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      };
      fn.Properties.Environment.Variables.BAD = { Ref: 'Nowhere' };
    });
    try {
      expect(() => readTemplate(dir)).toThrow(/Ref to unknown resource or parameter Nowhere/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains a missing cloud assembly', () => {
    expect(() => readTemplate(join(tmpdir(), 'no-such-cdk-out'))).toThrow(/cdk synth/);
  });

  it('parses function names out of ARNs', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:Fn1')).toBe('Fn1');
    expect(functionNameOf('arn:aws:lambda:us-east-1:000000000000:function:Fn1:$LATEST')).toBe('Fn1');
    expect(functionNameOf('Fn1:live')).toBe('Fn1');
  });
});

describe('readRateLimits', () => {
  const none = [{ Priority: 0, Type: 'NONE' }];
  const method = (m: string) => ({
    ByteMatchStatement: {
      FieldToMatch: { Method: {} },
      PositionalConstraint: 'EXACTLY',
      SearchString: m,
      TextTransformations: none,
    },
  });
  const acl = (headerRule: Record<string, unknown>) => ({
    Acl: {
      Type: 'AWS::WAFv2::WebACL',
      Properties: {
        CustomResponseBodies: {
          slow: { ContentType: 'APPLICATION_JSON', Content: '{"code":"RATE_LIMITED"}' },
        },
        Rules: [
          headerRule,
          {
            Name: 'per-ip',
            Priority: 1,
            Action: { Block: {} },
            Statement: { RateBasedStatement: { Limit: 3000, AggregateKeyType: 'IP' } },
          },
        ],
      },
    },
  });
  const rule = (statement: Record<string, unknown> = {}) => ({
    Name: 'writes',
    Priority: 2,
    Action: {
      Block: {
        CustomResponse: {
          ResponseCode: 429,
          CustomResponseBodyKey: 'slow',
          ResponseHeaders: [{ Name: 'Retry-After', Value: '60' }],
        },
      },
    },
    Statement: {
      RateBasedStatement: {
        Limit: 10,
        EvaluationWindowSec: 60,
        AggregateKeyType: 'CUSTOM_KEYS',
        CustomKeys: [{ Header: { Name: 'Authorization', TextTransformations: none } }],
        ScopeDownStatement: { OrStatement: { Statements: [method('POST'), method('DELETE')] } },
        ...statement,
      },
    },
  });

  it('reads header-keyed rate rules with their methods and block response; IP-keyed rules are left out', () => {
    expect(readRateLimits(acl(rule()) as never)).toEqual([
      {
        name: 'writes',
        limit: 10,
        windowSeconds: 60,
        keyHeaders: ['authorization'],
        methods: ['POST', 'DELETE'],
        response: {
          status: 429,
          headers: { 'Retry-After': '60' },
          contentType: 'application/json',
          body: '{"code":"RATE_LIMITED"}',
        },
      },
    ]);
  });

  it('refuses a header-keyed rule it would enforce differently, naming it', () => {
    const lowercase = [{ Priority: 0, Type: 'LOWERCASE' }];
    expect(() =>
      readRateLimits(
        acl(
          rule({ CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: lowercase } }] }),
        ) as never,
      ),
    ).toThrow(/Acl rule writes: only text transformation NONE/);
    expect(() =>
      readRateLimits(
        acl(rule({ ScopeDownStatement: { NotStatement: { Statement: method('GET') } } })) as never,
      ),
    ).toThrow(/Acl rule writes: only a scope-down on the method/);
  });
});
