/**
 * `npm test`: lint first (a second), then the type check and the test suite side by side, so
 * the single-threaded `tsc` runs while vitest starts its stacks instead of before them. Fails
 * when either fails. Arguments go to vitest (`npm test -- --reporter=json ...`).
 */
import { spawn } from 'node:child_process';

const run = (command, args) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('error', () => resolve(1));
    child.once('exit', (code) => resolve(code ?? 1));
  });

const lint = await run('npm', ['run', '--silent', 'lint']);
if (lint !== 0) process.exit(lint);
const [typecheck, tests] = await Promise.all([
  run('npm', ['run', '--silent', 'typecheck']),
  run('npx', ['vitest', 'run', ...process.argv.slice(2)]),
]);
if (typecheck !== 0) console.error('npm test: the type check failed (see its errors above).');
process.exit(typecheck || tests);
