import type { TestProject } from 'vitest/node';
import { startTestStack } from './global-setup.ts';

/** The console origin the browser stack's e-mails link to (a deployment's CONSOLE_URL). */
const consoleUrl = 'https://console.invoice.example.com';

/**
 * The browser tests' own stack: a 10-second cancellation window, long enough for a person (and a
 * browser on a busy machine) to press cancel, short enough that applications issue quickly.
 * Its e-mails link to a configured console, so the mail test can check the links.
 */
export default async function setup(project: TestProject) {
  const stop = await startTestStack(project, { cancelWindow: 'PT10S', consoleUrl });
  project.provide('consoleUrl', consoleUrl);
  return stop;
}
