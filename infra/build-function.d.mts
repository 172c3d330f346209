// Types of infra/build-function.mjs for the TypeScript that imports it (tests, analysis).
import type { BuildOptions, Plugin } from 'esbuild';

export const sdkSchemaLiterals: Plugin;
export const withoutEventStreams: Plugin;
export const sdkPackageVersion: Plugin;
export function buildOptions(entry: string, outfile: string): BuildOptions;
export function buildFunction(entry: string, outdir: string, options?: { font?: boolean }): Promise<void>;
