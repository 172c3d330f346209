/** `npm run bench`: prints the figures the budgets in DESIGN.md are checked against. */
import { benchBundles } from './bundles.ts';
import { benchInvoiceable } from './invoiceable.ts';
import { benchTransitions } from './transitions.ts';

await benchBundles();
await benchInvoiceable();
await benchTransitions();
await (await import('./apply.ts')).benchApply();
await (await import('./monthly.ts')).benchMonthly();
