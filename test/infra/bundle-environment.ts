import path from 'node:path';
import { build } from 'esbuild';
import { buildOptions } from '../../infra/build-function.mjs';

/**
 * Which of `names` each entry's bundle mentions: bundled the way infra bundles (infra/build-function.mjs:
 * ESM, tree shaken), so a module the entry never imports, or a setting it never reads, is not there.
 */
export async function environmentNamesOf(
  entries: readonly string[],
  names: readonly string[],
): Promise<Map<string, string[]>> {
  // The options and plugins every function is built with, for all entries at once.
  const { entryPoints: _one, outfile: _out, ...options } = buildOptions(entries[0] ?? '', 'out.mjs');
  const result = await build({
    ...options,
    entryPoints: Object.fromEntries(entries.map((entry, i) => [`e${i}`, entry])),
    write: false,
    outdir: 'out',
    sourcemap: false,
    logLevel: 'silent',
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

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The size in bytes of each entry's `index.mjs` as infra/build-function.mjs writes it into the
 * function's asset (minified, with its source-map comment; the map is a file of its own).
 */
export async function bundleSizesOf(entries: readonly string[]): Promise<Map<string, number>> {
  const sizes = await Promise.all(
    entries.map(async (entry) => {
      const { outputFiles } = await build({
        ...buildOptions(entry, path.join(root, 'index.mjs')),
        write: false,
        logLevel: 'silent',
      });
      const bundle = outputFiles.find((f) => path.basename(f.path) === 'index.mjs');
      if (!bundle) throw new Error(`No bundle for ${entry}`);
      return [entry, bundle.contents.byteLength] as const;
    }),
  );
  return new Map(sizes);
}
