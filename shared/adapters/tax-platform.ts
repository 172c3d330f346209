import { httpPlatform } from '#adapters/tax-platform-http';
import { simulatorPlatform } from '#adapters/tax-platform-simulator';
import * as settings from '#config/settings';
import type { TaxPlatform } from '#domain/tax-platform';

/** The adapter this deployment issues through (`invoice:taxPlatform`, docs/tax-platform.md). */
export function taxPlatform(): TaxPlatform {
  const setting = settings.taxPlatform();
  return setting === 'simulator' ? simulatorPlatform : httpPlatform(setting);
}
