/**
 * Lambda bundle sizes and module load (init) times, from the synthesized assets in cdk.out.
 * Budgets (DESIGN.md): ≤ 300 KB minified per bundle, init ≤ 150 ms. Init is measured as the
 * median of fresh `node` processes importing the bundle with the function's environment.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { cdkOutDir, synthesizeIfStale } from '../scripts/local/synth.ts';
import { readTemplate } from '../scripts/local/template.ts';

const RUNS = 5;

export async function benchBundles(): Promise<void> {
  await synthesizeIfStale(() => {}).done;
  const template = readTemplate(cdkOutDir);
  console.log('function                                   bundle KB   init ms (median of 5)');
  for (const fn of [...template.functions].sort((a, b) => a.logicalId.localeCompare(b.logicalId))) {
    const file = join(fn.assetDir, `${fn.handler.split('.')[0]}.mjs`);
    const kb = statSync(file).size / 1024;
    const env = { ...process.env, ...fn.environment, AWS_REGION: 'us-east-1' };
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t=performance.now(); await import(${JSON.stringify(`file://${file}`)}); console.log(performance.now()-t)`,
        ],
        { env, encoding: 'utf8' },
      );
      times.push(Number(out.trim()));
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(RUNS / 2)]!;
    const flag = kb > 300 || median > 150 ? '  over budget' : '';
    console.log(
      `${fn.logicalId.padEnd(42)} ${kb.toFixed(0).padStart(9)}   ${median.toFixed(0).padStart(7)}${flag}`,
    );
  }
}
