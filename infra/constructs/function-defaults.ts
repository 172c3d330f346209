import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { environmentFor } from '../environment.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Bundles are ESM; some dependencies (pdfkit) are CommonJS and need require/__dirname.
const ESM_BANNER =
  "import { createRequire as __cjsCreateRequire } from 'node:module';" +
  "import { fileURLToPath as __cjsFileURLToPath } from 'node:url';" +
  "import { dirname as __cjsDirname } from 'node:path';" +
  'const require = __cjsCreateRequire(import.meta.url);' +
  'const __filename = __cjsFileURLToPath(import.meta.url);' +
  'const __dirname = __cjsDirname(__filename);';

export interface ServiceFunctionProps {
  /** Path from the project root, e.g. "functions/api/applications-write.ts". */
  entry: string;
  /** The values the stack sets; the function gets only those its entry reads (infra/environment.ts). */
  environment: Record<string, string>;
  timeout?: Duration;
  memorySize?: number;
  /** Copies the CJK font next to the bundle for functions that render PDFs. */
  withFont?: boolean;
}

/**
 * Every function the same way: Node 22 on ARM64, ESM bundle with the AWS SDK inside (no
 * reliance on the runtime's copy), minified with source maps, X-Ray tracing, its own log
 * group with a retention, and only the environment variables its code reads.
 */
export class ServiceFunction extends NodejsFunction {
  /** Path from the project root of the handler file. */
  readonly entry: string;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const fontFile = 'node_modules/@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';
    const holidayFile = 'chinese-days/dist/chinese-days.json';
    super(scope, id, {
      entry: path.join(root, props.entry),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'invoice-service',
        ...environmentFor(props.entry, props.environment),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        banner: ESM_BANNER,
        externalModules: [],
        esbuildArgs: {
          '--alias:brotli/decompress.js': path.join(root, 'infra/brotli-shim.mjs'),
          // Credentials from the environment only (see the shim): ≈130 KB less per bundle.
          '--alias:@aws-sdk/credential-provider-node': path.join(root, 'infra/aws-credentials-shim.mjs'),
        },
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            // The holiday calendar is read when a working day is first counted, not bundled
            // (shared/domain/working-days.ts): the same path under the bundle's node_modules.
            `mkdir -p "${outputDir}/node_modules/${path.dirname(holidayFile)}"`,
            `cp "${path.join(inputDir, 'node_modules', holidayFile)}" "${outputDir}/node_modules/${holidayFile}"`,
            ...(props.withFont
              ? [`cp "${path.join(inputDir, fontFile)}" "${outputDir}/NotoSansSC-Regular.ttf"`]
              : []),
          ],
        },
      },
    });
    this.entry = props.entry;
  }
}
