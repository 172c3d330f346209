import { buildConsole, INITIAL_JS_BUDGET, initialJavaScript } from '../scripts/console-build.ts';

/** The console's build time and the JavaScript a first visit loads (gzipped), against its budget. */
export async function benchConsole(): Promise<void> {
  const ms = await buildConsole();
  const { files, gzip } = initialJavaScript();
  console.log('\nConsole (web/dist)');
  console.log(`  build                 ${(ms / 1000).toFixed(2)} s`);
  for (const f of files) {
    console.log(
      `  ${f.file.padEnd(34)} ${(f.bytes / 1024).toFixed(1).padStart(7)} KB, ${(f.gzip / 1024).toFixed(1).padStart(6)} KB gzipped`,
    );
  }
  console.log(
    `  initial JavaScript    ${(gzip / 1024).toFixed(1)} KB gzipped (budget ${INITIAL_JS_BUDGET / 1024} KB: ${gzip <= INITIAL_JS_BUDGET ? 'within' : 'OVER'})`,
  );
}
