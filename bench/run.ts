/**
 * `npm run bench`: prints the figures the budgets in docs/DESIGN.md are checked against.
 * `npm run bench -- bundles` (or any of the names below) runs only those parts.
 */
const PARTS: Record<string, () => Promise<unknown>> = {
  bundles: async () => (await import('./bundles.ts')).benchBundles(),
  invoiceable: async () => (await import('./invoiceable.ts')).benchInvoiceable(),
  large: async () => (await import('./large.ts')).benchLarge(),
  transitions: async () => (await import('./transitions.ts')).benchTransitions(),
  apply: async () => (await import('./apply.ts')).benchApply(),
  monthly: async () => (await import('./monthly.ts')).benchMonthly(),
  pdf: async () => (await import('./pdf.ts')).benchPdf(),
  console: async () => (await import('./console.ts')).benchConsole(),
  events: async () => (await import('./events.ts')).benchEvents(),
  webhooks: async () => (await import('./webhooks.ts')).benchWebhooks(),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in PARTS));
if (unknown.length > 0) {
  console.error(`Unknown bench part(s): ${unknown.join(', ')}; choose from ${Object.keys(PARTS).join(', ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(PARTS)) {
  if (wanted.length === 0 || wanted.includes(name)) await run();
}
