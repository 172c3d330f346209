import path from 'node:path';
import { build } from 'esbuild';
import { buildOptions } from '../../infra/build-function.mjs';

const root = path.resolve(import.meta.dirname, '../..');

/** Each entry's `index.mjs`, as infra/build-function.mjs writes it into the function's asset. */
type Bundles = Map<string, { text: string; bytes: number }>;

let cache: { key: string; bundles: Promise<Bundles> } | undefined;

/**
 * Bundles every entry the way infra bundles (infra/build-function.mjs: ESM, tree shaken,
 * minified, with its source-map comment) in one esbuild run: each entry is still its own
 * bundle (no code splitting), written as `<n>/index.mjs` so the source-map comment is the one
 * the asset carries. The tests that read the bundles share one run.
 */
function bundlesOf(given: readonly string[]): Promise<Bundles> {
  const entries = [...new Set(given)].sort();
  const key = entries.join('\n');
  if (cache?.key === key) return cache.bundles;
  const { entryPoints: _one, outfile: _out, ...options } = buildOptions(entries[0] ?? '', 'out.mjs');
  const bundles = build({
    ...options,
    entryPoints: Object.fromEntries(entries.map((entry, i) => [`${i}/index`, path.join(root, entry)])),
    outdir: root,
    outExtension: { '.js': '.mjs' },
    write: false,
    logLevel: 'silent',
  }).then(({ outputFiles }) => {
    const found: Bundles = new Map();
    entries.forEach((entry, i) => {
      const output = outputFiles.find((f) => f.path === path.join(root, String(i), 'index.mjs'));
      if (!output) throw new Error(`No bundle for ${entry}`);
      found.set(entry, { text: output.text, bytes: output.contents.byteLength });
    });
    return found;
  });
  cache = { key, bundles };
  return bundles;
}

/**
 * Which of `names` each entry's bundle mentions: a module the entry never imports, or a setting
 * it never reads, is not there (tree shaking).
 */
export async function environmentNamesOf(
  entries: readonly string[],
  names: readonly string[],
): Promise<Map<string, string[]>> {
  const bundles = await bundlesOf(entries);
  return new Map(
    entries.map((entry) => [
      entry,
      names.filter((name) => new RegExp(`\\b${name}\\b`).test(bundles.get(entry)!.text)),
    ]),
  );
}

/** The size in bytes of each entry's `index.mjs` (the source map is a file of its own). */
export async function bundleSizesOf(entries: readonly string[]): Promise<Map<string, number>> {
  const bundles = await bundlesOf(entries);
  return new Map(entries.map((entry) => [entry, bundles.get(entry)!.bytes]));
}
