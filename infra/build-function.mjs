// Builds one Lambda function's asset folder: `index.mjs` (+ source map) bundled by esbuild,
// plus the data files the bundle reads at run time. ServiceFunction runs it as a child
// process while the stack is synthesized (infra/constructs/function-defaults.ts), because
// esbuild's plugins need its asynchronous API and CDK's local bundling is synchronous.
//
//   node infra/build-function.mjs <entry from the project root> <output folder> [--font]
//
// Budgets and what dominates a bundle: docs/DESIGN.md, bench/bundles.ts.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Read when a working day is first counted (shared/domain/working-days.ts), never bundled. */
const HOLIDAY_FILE = 'chinese-days/dist/chinese-days.json';
/** The CJK font the PDF-rendering function embeds. */
const FONT_FILE = '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf';

// Bundles are ESM; some dependencies (pdfkit) are CommonJS and need require/__dirname.
const ESM_BANNER =
  "import { createRequire as __cjsCreateRequire } from 'node:module';" +
  "import { fileURLToPath as __cjsFileURLToPath } from 'node:url';" +
  "import { dirname as __cjsDirname } from 'node:path';" +
  'const require = __cjsCreateRequire(import.meta.url);' +
  'const __filename = __cjsFileURLToPath(import.meta.url);' +
  'const __dirname = __cjsDirname(__filename);';

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
      'brotli/decompress.js': path.join(root, 'infra/brotli-shim.mjs'),
      // Credentials from the environment only (see the shim): ≈130 KB less per bundle.
      '@aws-sdk/credential-provider-node': path.join(root, 'infra/aws-credentials-shim.mjs'),
    },
    plugins: [],
    logLevel: 'warning',
  };
}

/** Bundles `entry` into `outdir/index.mjs` and copies the files it reads at run time. */
export async function buildFunction(entry, outdir, { font = false } = {}) {
  mkdirSync(outdir, { recursive: true });
  await build(buildOptions(entry, path.join(outdir, 'index.mjs')));
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
