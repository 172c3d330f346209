/**
 * One synthesized template for every infra test: the global setup synthesizes the stack once,
 * as test/infra/helpers.ts `buildApp()` builds it (the real cdk.json context, no bundling), and
 * hands the test files the template's path; each file parses it into its own `Template`.
 * Tests that need another app (cdk-nag, a stack with extra constructs) still build their own.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../infra/helpers.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The synthesized InvoiceService template (JSON), shared by the infra test files. */
    infraTemplateFile: string;
  }
}

/** Global setup of the infra project: synthesize once. */
export default function setup(project: TestProject) {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-template-'));
  const { app, stack } = buildApp({ outdir });
  const assembly = app.synth();
  project.provide('infraTemplateFile', assembly.getStackByName(stack.stackName).templateFullPath);
  return () => rmSync(outdir, { recursive: true, force: true });
}

/** The shared template, parsed for this test file. */
export function sharedTemplate(): Template {
  return Template.fromJSON(JSON.parse(readFileSync(inject('infraTemplateFile'), 'utf8')));
}
