/**
 * Synthesizes the CDK app for the local stack when cdk.out is missing, older than a source,
 * or synthesized with other context. Shared by `npm start` and the tests' global setup.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** INVOICE_CDK_OUT gives a working copy its own assembly, so parallel runs never share cdk's lock. */
export const cdkOutDir = process.env.INVOICE_CDK_OUT
  ? resolve(process.env.INVOICE_CDK_OUT)
  : join(projectRoot, 'cdk.out');

/** Locally the cancellation window is short (≤ 30 s) so a whole lifecycle can be watched live. */
export const LOCAL_CANCEL_WINDOW = 'PT20S';
/** Locally webhooks may reach http://127.0.0.1 (never deployed) and retry after seconds. */
const SYNTH_CONTEXT = [
  'invoice:stage=local',
  `invoice:cancelWindow=${LOCAL_CANCEL_WINDOW}`,
  'invoice:webhooksAllowLoopback=true',
  'invoice:webhooksRetryBaseSeconds=2',
];
/** Written next to the assembly after our synth; a synth with other context invalidates it. */
const STAMP_FILE = join(cdkOutDir, 'local-synth.json');
const SOURCE_DIRS = ['infra', 'functions', 'shared'];
const SOURCE_FILES = ['package.json', 'cdk.json', 'package-lock.json'];

export interface SynthRun {
  /** Resolves when done (or skipped); rejects when `cdk synth` fails. */
  done: Promise<void>;
  /** Ends a running synth (Ctrl-C). */
  cancel(): void;
}

export function synthesizeIfStale(log: (line: string) => void = console.log): SynthRun {
  const reason = staleReason();
  if (reason === undefined) {
    log('cdk.out is up to date; not synthesizing.');
    return { done: Promise.resolve(), cancel: () => {} };
  }
  const args = [
    'cdk',
    'synth',
    '--quiet',
    '--no-notices',
    '--output',
    cdkOutDir,
    ...SYNTH_CONTEXT.flatMap((c) => ['-c', c]),
  ];
  log(`Synthesizing (${reason}): npx ${args.join(' ')}`);
  const started = performance.now();
  // Async (not spawnSync) so Ctrl-C handlers run while it works.
  const child: ChildProcess = spawn('npx', args, {
    cwd: projectRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  const done = new Promise<void>((resolveDone, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`cdk synth failed (exit ${code ?? signal}); see the output above`));
        return;
      }
      const manifest = join(cdkOutDir, 'manifest.json');
      writeFileSync(
        STAMP_FILE,
        JSON.stringify({ context: SYNTH_CONTEXT, manifestMtimeMs: statSync(manifest).mtimeMs }),
      );
      log(`Synthesized in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      resolveDone();
    });
  });
  return { done, cancel: () => child.kill('SIGTERM') };
}

function staleReason(): string | undefined {
  const manifest = join(cdkOutDir, 'manifest.json');
  if (!existsSync(manifest)) return 'no cdk.out/manifest.json';
  const manifestMtime = statSync(manifest).mtimeMs;
  let stamp: { context?: string[]; manifestMtimeMs?: number } = {};
  try {
    stamp = JSON.parse(readFileSync(STAMP_FILE, 'utf8'));
  } catch {
    return 'cdk.out was not synthesized for the local stack';
  }
  if (JSON.stringify(stamp.context) !== JSON.stringify(SYNTH_CONTEXT)) return 'synth context changed';
  // Someone ran `cdk synth` (another stage's context) since our synth.
  if (stamp.manifestMtimeMs !== manifestMtime) return 'cdk.out was synthesized by another command';
  const newer = newestSource();
  if (newer !== undefined && newer.mtimeMs > manifestMtime)
    return `${relative(projectRoot, newer.path)} changed`;
  return undefined;
}

function newestSource(): { path: string; mtimeMs: number } | undefined {
  let newest: { path: string; mtimeMs: number } | undefined;
  const consider = (path: string, mtimeMs: number) => {
    if (newest === undefined || mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  };
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) consider(path, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(join(projectRoot, dir))) walk(join(projectRoot, dir));
  for (const file of SOURCE_FILES) {
    const path = join(projectRoot, file);
    if (existsSync(path)) consider(path, statSync(path).mtimeMs);
  }
  return newest;
}
