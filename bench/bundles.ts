/**
 * Lambda bundle sizes and module init times, for every function in the synthesized template
 * (so the list follows whatever functions the stack defines). Budgets (docs/DESIGN.md): a
 * bundle is ≤ 300 KB minified and its module init ≤ 150 ms; the one PDF-rendering function,
 * the only one shipped with the CJK font, gets ≤ 500 KB and ≤ 250 ms.
 *
 * Init is the time a fresh `node` process takes to import the bundle with the function's own
 * environment (NODE_OPTIONS included, as Lambda applies it), the minimum of RUNS processes:
 * the minimum is what the code costs, the rest is noise from whatever else the machine does.
 *
 * `npm run bench -- bundles` runs only this part; BENCH_INIT_RUNS changes the process count.
 * Exits non-zero (process.exitCode) when a function is over its budget.
 */
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { cdkOutDir, synthesizeIfStale } from '../scripts/local/synth.ts';
import { readTemplate } from '../scripts/local/template.ts';
import type { LocalFunction } from '../scripts/local/types.ts';

const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 10);

export interface Budget {
  kb: number;
  initMs: number;
}
export const BUNDLE_BUDGET: Budget = { kb: 300, initMs: 150 };
export const PDF_BUNDLE_BUDGET: Budget = { kb: 500, initMs: 250 };
/** The font infra/build-function.mjs ships beside the bundle of the function that renders PDFs. */
const PDF_FONT_FILE = 'NotoSansSC-Regular.ttf';

export interface BundleFigures {
  logicalId: string;
  kb: number;
  initMs: number;
  pdf: boolean;
  budget: Budget;
  over: string[];
}

export async function benchBundles(): Promise<BundleFigures[]> {
  await synthesizeIfStale(() => {}).done;
  const template = readTemplate(cdkOutDir);
  const functions = [...template.functions].sort((a, b) => a.logicalId.localeCompare(b.logicalId));
  const width = Math.max(8, ...functions.map((fn) => fn.logicalId.length));
  console.log(
    `Lambda bundles (${functions.length} functions; init = min of ${RUNS} fresh processes; ` +
      `budget ${BUNDLE_BUDGET.kb} KB / ${BUNDLE_BUDGET.initMs} ms, ` +
      `PDF ${PDF_BUNDLE_BUDGET.kb} KB / ${PDF_BUNDLE_BUDGET.initMs} ms)`,
  );
  console.log(`${'function'.padEnd(width)}  bundle KB  init ms  budget`);
  const figures: BundleFigures[] = [];
  for (const fn of functions) {
    const file = bundleFile(fn);
    const kb = statSync(file).size / 1024;
    const pdf = existsSync(join(fn.assetDir, PDF_FONT_FILE));
    const budget = pdf ? PDF_BUNDLE_BUDGET : BUNDLE_BUDGET;
    const initMs = await minInitMs(file, fn);
    const over: string[] = [];
    if (kb > budget.kb) over.push('size');
    if (initMs > budget.initMs) over.push('init');
    figures.push({ logicalId: fn.logicalId, kb, initMs, pdf, budget, over });
    console.log(
      `${fn.logicalId.padEnd(width)}  ${kb.toFixed(0).padStart(9)}  ${initMs.toFixed(0).padStart(7)}  ` +
        `${budget.kb}/${budget.initMs}${pdf ? ' pdf' : ''}${over.length > 0 ? `  OVER BUDGET (${over.join(', ')})` : ''}`,
    );
  }
  const pdfFunctions = figures.filter((f) => f.pdf);
  const overBudget = figures.filter((f) => f.over.length > 0);
  const total = figures.reduce((sum, f) => sum + f.kb, 0);
  console.log(
    `${figures.length} functions, ${total.toFixed(0)} KB in all; largest ` +
      `${Math.max(...figures.map((f) => f.kb)).toFixed(0)} KB; slowest init ` +
      `${Math.max(...figures.map((f) => f.initMs)).toFixed(0)} ms`,
  );
  if (pdfFunctions.length > 1) {
    console.log(
      `OVER BUDGET: ${pdfFunctions.length} bundles ship the PDF font (only one PDF-rendering function may): ` +
        pdfFunctions.map((f) => f.logicalId).join(', '),
    );
  }
  if (overBudget.length > 0) console.log(`OVER BUDGET: ${overBudget.map((f) => f.logicalId).join(', ')}`);
  else if (pdfFunctions.length <= 1) console.log('Every function is within its budget.');
  if (overBudget.length > 0 || pdfFunctions.length > 1) process.exitCode = 1;
  return figures;
}

function bundleFile(fn: LocalFunction): string {
  const base = join(fn.assetDir, fn.handler.slice(0, fn.handler.lastIndexOf('.')));
  for (const ext of ['.mjs', '.js', '.cjs']) {
    try {
      if (statSync(base + ext).isFile()) return base + ext;
    } catch {}
  }
  throw new Error(`${fn.logicalId}: no bundle for handler ${fn.handler} in ${fn.assetDir}`);
}

/** Module init: fresh processes, one after another (parallel runs would measure each other). */
async function minInitMs(file: string, fn: LocalFunction): Promise<number> {
  const env = {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    ...fn.environment,
  };
  const script =
    'const t = performance.now();' +
    `await import(${JSON.stringify(`file://${file}`)});` +
    'process.stdout.write(String(performance.now() - t));';
  let min = Number.POSITIVE_INFINITY;
  for (let i = 0; i < RUNS; i++) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ['--input-type=module', '-e', script], { env }, (error, stdout) =>
        error ? reject(new Error(`${fn.logicalId}: init failed: ${error.message}`)) : resolve(stdout),
      ),
    );
    min = Math.min(min, Number(out));
  }
  return min;
}
