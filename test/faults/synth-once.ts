/** Global setup of the faults project: synthesize the template once, before the files start their stacks side by side. */
import { synthesizeIfStale } from '../../scripts/local/synth.ts';

export default async function setup(): Promise<void> {
  await synthesizeIfStale(() => {}).done;
}
