/** `npm run bench`: prints the figures the budgets in DESIGN.md are checked against. */
import { benchBundles } from './bundles.ts';

await benchBundles();
