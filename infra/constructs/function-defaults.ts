import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  type AddToPrincipalPolicyResult,
  type IRole,
  ManagedPolicy,
  PolicyDocument,
  type PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { environmentFor } from '../environment.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Builds the asset with infra/build-function.mjs (esbuild with the plugins the bundle budget
 * needs, which NodejsFunction's esbuild command line cannot take) in a child process, since
 * CDK calls local bundling synchronously. Its fields are part of the asset's cache key, so two
 * functions never share a bundle.
 */
class FunctionBuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly withFont: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    execFileSync(
      process.execPath,
      [
        path.join(root, 'infra/build-function.mjs'),
        this.entry,
        outputDir,
        ...(this.withFont ? ['--font'] : []),
      ],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    return true;
  }
}

export interface ServiceFunctionProps {
  /** Path from the project root, e.g. "functions/api/applications-write.ts". */
  entry: string;
  /** The values the stack sets; the function gets only those its entry reads (infra/environment.ts). */
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** Copies the CJK font next to the bundle for functions that render PDFs. */
  withFont?: boolean;
  /** The execution role; by default the function makes its own. */
  role?: IRole;
}

/**
 * A function's execution role whose grants go into one inline policy of the role itself rather
 * than into a separate AWS::IAM::Policy (CDK's default): the same permissions, one CloudFormation
 * resource fewer per function (the stack's budget is 300 resources; docs/DESIGN.md). What a
 * grant depends on is then a dependency of the role, so a grant must not reference a resource
 * that references the function (a state machine's ARN is built from its fixed name for that).
 */
export class InlineRole extends Role {
  private readonly document: PolicyDocument;

  constructor(scope: Construct, id: string) {
    const document = new PolicyDocument();
    super(scope, id, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
      inlinePolicies: { access: document },
    });
    this.document = document;
  }

  override addToPrincipalPolicy(statement: PolicyStatement): AddToPrincipalPolicyResult {
    this.document.addStatements(statement);
    return { statementAdded: true, policyDependable: this };
  }
}

/**
 * One log group for every function of the stack, with a retention. Lambda names each log
 * stream after the function (`YYYY/MM/DD/<function>[$LATEST]<instance>`) and every line is
 * Powertools JSON carrying `function_name`, so a shared group loses nothing a reader needs,
 * and it costs one CloudFormation resource instead of one per function (the stack's budget
 * is 300 resources; docs/DESIGN.md).
 */
function functionLogs(scope: Construct): LogGroup {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('FunctionLogs');
  if (existing) return existing as LogGroup;
  return new LogGroup(stack, 'FunctionLogs', {
    retention: RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
}

/**
 * Every function the same way: Node 22 on ARM64, ESM bundle with the AWS SDK inside (no
 * reliance on the runtime's copy), minified with source maps, X-Ray tracing, the stack's one
 * function log group (see functionLogs), and only the environment variables its code reads. The bundle is
 * `index.mjs` exporting `handler` (infra/build-function.mjs); the asset's hash is the hash of
 * what was built, so it changes exactly when the bundle or its data files do.
 */
export class ServiceFunction extends LambdaFunction {
  /** Path from the project root of the handler file. */
  readonly entry: string;
  /** Renders PDFs: the CJK font ships beside its bundle (the larger bundle budget, docs/DESIGN.md). */
  readonly withFont: boolean;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = functionLogs(scope);
    super(scope, id, {
      code: Code.fromAsset(root, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new FunctionBuild(props.entry, props.withFont ?? false),
          // Never pulled: the local build always succeeds or fails the synth.
          image: DockerImage.fromRegistry('local-build-only'),
        },
      }),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      role: props.role ?? new InlineRole(scope, `${id}Role`),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'invoice-service',
        ...environmentFor(props.entry, props.environment),
      },
    });
    this.entry = props.entry;
    this.withFont = props.withFont ?? false;
  }
}
