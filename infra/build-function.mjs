// Builds one Lambda function's asset folder: `index.mjs` (+ source map) bundled by esbuild,
// plus the data files the bundle reads at run time. ServiceFunction runs it as a child
// process while the stack is synthesized (infra/constructs/function-defaults.ts), because
// esbuild's plugins need its asynchronous API and CDK's local bundling is synchronous.
//
//   node infra/build-function.mjs <entry from the project root> <output folder> [--font]
//
// Budgets and what dominates a bundle: docs/DESIGN.md, bench/bundles.ts.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Read when a working day is first counted (shared/domain/working-days.ts), never bundled. */
const HOLIDAY_FILE = 'chinese-days/dist/chinese-days.json';
/** The CJK font the PDF-rendering function embeds. */
const FONT_FILE = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

// Bundles are ESM; CommonJS dependencies need require/__dirname.
const ESM_BANNER =
  "import { createRequire as __cjsCreateRequire } from 'node:module';" +
  "import { fileURLToPath as __cjsFileURLToPath } from 'node:url';" +
  "import { dirname as __cjsDirname } from 'node:path';" +
  'const require = __cjsCreateRequire(import.meta.url);' +
  'const __filename = __cjsFileURLToPath(import.meta.url);' +
  'const __dirname = __cjsDirname(__filename);';

/**
 * The AWS SDK clients describe every operation of their service as a schema in one module
 * (`dist-es/schemas/schemas_0.js`), built from short string constants used as computed keys:
 * `[9, n0, _SE, { [_h]: ["POST", "/v2/email/outbound-emails", 200] }, ...]`. esbuild cannot
 * tell that `{ [_h]: ... }` has no side effect (a computed key may call toString), so it keeps
 * the schema of every operation the service has, not only those a function sends. Those keys
 * are module-level `const` strings; written as the string literals they are, the schemas are
 * plain literals and tree shaking drops the unused ones. Behaviour is identical: a computed
 * key holding a string is the same property as the literal key.
 */
export const sdkSchemaLiterals = {
  name: 'sdk-schema-literals',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/].*schemas[\\/]schemas_\d+\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      // No function here may declare a parameter or variable that shadows a constant: the
      // generated modules hold only `() => X$` thunks. Anything else is left as it is.
      const arrows = source.match(/=>/g)?.length ?? 0;
      const thunks = source.match(/\(\)\s*=>/g)?.length ?? 0;
      if (arrows !== thunks || /\bfunction\s*[\w$]*\s*\(/.test(source)) return undefined;
      // Module-level `const` strings: never reassigned (that would not compile).
      const strings = new Map();
      for (const m of source.matchAll(/^const ([\w$]+) = ("(?:[^"\\\n]|\\.)*");$/gm)) strings.set(m[1], m[2]);
      const contents = source.replace(/\[([\w$]+)\]:/g, (key, name) =>
        strings.has(name) ? `${strings.get(name)}:` : key,
      );
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Our functions call DynamoDB, SES, S3 and Step Functions, none of them through an event
 * stream (S3's SelectObjectContent and Lambda's InvokeWithResponseStream are the SDK's users).
 * Yet S3's client builds an event-stream marshaller when it is constructed, and every
 * protocol can `import()` the event-stream serde, so the codec, serde and marshallers (about
 * 15 KB) land in every bundle. Here `@smithy/core/event-streams` resolves to a module that
 * keeps the client's construction working and fails loudly if an event stream is ever used.
 */
export const withoutEventStreams = {
  name: 'without-event-streams',
  setup(b) {
    b.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({
      path: path.join(root, 'infra/event-streams-shim.mjs'),
    }));
  },
};

/**
 * Parts of @smithy/core a function on Lambda never runs (see the shim for each): the JavaScript
 * SHA-256 fallback, the instance-metadata region lookup, the adaptive retry strategy. Each
 * import of them inside @smithy/core resolves to infra/sdk-node-only-shim.mjs instead.
 */
const NODE_ONLY = /[\\/]@smithy[\\/]core[\\/]dist-es[\\/]/;
export const sdkNodeOnly = {
  name: 'sdk-node-only',
  setup(b) {
    b.onResolve({ filter: /(^|\/)(Sha256Js|getInstanceMetadataRegion|AdaptiveRetryStrategy)$/ }, (args) =>
      NODE_ONLY.test(args.importer) ? { path: path.join(root, 'infra/sdk-node-only-shim.mjs') } : undefined,
    );
  },
};

/**
 * Each AWS SDK client imports its whole package.json (about 2 KB of scripts, dependencies and
 * metadata) to read one field: `packageInfo.version`, for the user agent. Only that field is
 * loaded.
 */
export const sdkPackageVersion = {
  name: 'sdk-package-version',
  setup(b) {
    b.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, (args) => {
      const { name, version } = JSON.parse(readFileSync(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

/** The esbuild options every function is built with (also used to analyse bundles). */
export function buildOptions(entry, outfile) {
  return {
    absWorkingDir: root,
    entryPoints: [path.join(root, entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: ESM_BANNER },
    alias: {
      // Credentials from the environment only (see the shim): ≈130 KB less per bundle.
      '@aws-sdk/credential-provider-node': path.join(root, 'infra/aws-credentials-shim.mjs'),
      // The endpoint cache's LRU without mnemonist (see the shim): ≈ 7 KB less per DynamoDB user.
      'mnemonist/lru-cache': path.join(root, 'infra/lru-cache-shim.mjs'),
    },
    plugins: [sdkSchemaLiterals, withoutEventStreams, sdkPackageVersion, sdkNodeOnly],
    logLevel: 'warning',
  };
}

/** Bundles `entry` into `outdir/index.mjs` and copies the files it reads at run time. */
export async function buildFunction(entry, outdir, { font = false } = {}) {
  mkdirSync(outdir, { recursive: true });
  // Built as if at the project root, so the source map names `functions/...`, `node_modules/...`
  // wherever the output goes: the asset (and its hash) does not depend on where cdk.out is.
  const { outputFiles } = await build({ ...buildOptions(entry, path.join(root, 'index.mjs')), write: false });
  for (const file of outputFiles) writeFileSync(path.join(outdir, path.basename(file.path)), file.contents);
  // The holiday calendar at the same path under the bundle's node_modules.
  mkdirSync(path.join(outdir, 'node_modules', path.dirname(HOLIDAY_FILE)), { recursive: true });
  copyFileSync(
    path.join(root, 'node_modules', HOLIDAY_FILE),
    path.join(outdir, 'node_modules', HOLIDAY_FILE),
  );
  if (font)
    copyFileSync(path.join(root, 'node_modules', FONT_FILE), path.join(outdir, 'NotoSansSC-Regular.ttf'));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [entry, outdir, ...flags] = process.argv.slice(2);
  if (!entry || !outdir) {
    console.error('usage: node infra/build-function.mjs <entry> <outdir> [--font]');
    process.exit(2);
  }
  await buildFunction(entry, path.resolve(outdir), { font: flags.includes('--font') });
}
