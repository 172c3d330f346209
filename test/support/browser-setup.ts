import type { TestProject } from 'vitest/node';
import { startTestStack } from './global-setup.ts';

/**
 * The browser tests' own stack: a 10-second cancellation window, long enough for a person (and a
 * browser on a busy machine) to press cancel, short enough that applications issue quickly.
 */
export default function setup(project: TestProject) {
  return startTestStack(project, { cancelWindow: 'PT10S' });
}
