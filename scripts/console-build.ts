/**
 * The console's build (web/ → web/dist) and its initial-JavaScript figure.
 * `npm run console:build` always builds; `npm start` and the browser tests call
 * buildConsoleIfStale(), which builds only when a source is newer than web/dist/index.html.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const consoleDir = join(root, 'web');
export const consoleDist = join(consoleDir, 'dist');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, name) => Math.max(newest, newestMtime(join(path, name))),
    stat.mtimeMs,
  );
}

export function consoleIsStale(): boolean {
  const built = join(consoleDist, 'index.html');
  if (!existsSync(built)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts'].map((p) => join(consoleDir, p));
  const newest = Math.max(...sources.map(newestMtime), statSync(join(root, 'package-lock.json')).mtimeMs);
  return newest > statSync(built).mtimeMs;
}

export async function buildConsole(): Promise<number> {
  const started = performance.now();
  const { build } = await import('vite');
  // Vite keeps a NODE_ENV it finds (vitest sets `test`), which would build React's and Ant
  // Design's development bundles: the console is always built for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(consoleDir, 'vite.config.ts'), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return performance.now() - started;
}

/** Builds when stale; returns the build time in ms, or undefined when the build was current. */
export async function buildConsoleIfStale(
  log: (line: string) => void = () => {},
): Promise<number | undefined> {
  if (!consoleIsStale()) return undefined;
  log('Building the console (web/ → web/dist)…');
  const ms = await buildConsole();
  log(`Console built in ${(ms / 1000).toFixed(1)} s`);
  return ms;
}

/**
 * What a first visit downloads before anything renders: the entry script of index.html and the
 * chunks it preloads, each gzipped (-9) as CloudFront would compress it.
 */
export function initialJavaScript(): {
  files: { file: string; bytes: number; gzip: number }[];
  gzip: number;
} {
  const html = readFileSync(join(consoleDist, 'index.html'), 'utf8');
  const srcs = [
    ...html.matchAll(/<script[^>]+src="([^"]+\.js)"/g),
    ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g),
  ].map((m) => m[1]!);
  const files = srcs.map((src) => {
    const content = readFileSync(join(consoleDist, src.replace(/^\//, '')));
    return { file: src, bytes: content.length, gzip: gzipSync(content, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((sum, f) => sum + f.gzip, 0) };
}

export const INITIAL_JS_BUDGET = 250 * 1024;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const ms = await buildConsole();
  const { gzip } = initialJavaScript();
  console.log(
    `Console built to web/dist in ${(ms / 1000).toFixed(1)} s; initial JavaScript ${(gzip / 1024).toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET / 1024} KB)`,
  );
}
