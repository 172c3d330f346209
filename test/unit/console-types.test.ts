import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONSOLE_TYPES_FILE, generateConsoleTypes } from '../../scripts/console-types.ts';

describe('the console API types', () => {
  it('are what the OpenAPI document generates today (run `npm run console:types` after a route change)', async () => {
    const generated = await generateConsoleTypes();
    expect(readFileSync(CONSOLE_TYPES_FILE, 'utf8') === generated).toBe(true);
  });

  it('name every customer and finance path the console calls', async () => {
    const generated = await generateConsoleTypes();
    for (const path of ['/v1/applications/preview', '/v1/admin/reviews', '/v1/invoices/{invoiceId}/pdf']) {
      expect(generated).toContain(`"${path}"`);
    }
  });
});
