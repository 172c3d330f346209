import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Which of `names` each entry's bundle mentions: bundled the way infra bundles (ESM, tree
 * shaken), so a module the entry never imports, or a setting it never reads, is not there.
 */
export async function environmentNamesOf(
  entries: readonly string[],
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.fromEntries(entries.map((entry, i) => [`e${i}`, entry])),
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'esm',
    platform: 'node',
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    logLevel: 'silent',
    alias: { 'brotli/decompress.js': path.join(root, 'infra/brotli-shim.mjs') },
  });
  const found = new Map<string, string[]>();
  entries.forEach((entry, i) => {
    const output = result.outputFiles.find((f) => path.basename(f.path) === `e${i}.js`);
    if (!output) throw new Error(`No bundle for ${entry}`);
    const text = output.text;
    found.set(
      entry,
      names.filter((name) => new RegExp(`\\b${name}\\b`).test(text)),
    );
  });
  return found;
}
