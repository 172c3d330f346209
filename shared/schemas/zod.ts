/**
 * The request and response schemas use zod's functional build (`zod/mini`): the same
 * validation core as classic zod, without the method chains and the JSON-Schema generator
 * every function would otherwise bundle (docs/DESIGN.md, bundle budgets). The OpenAPI document
 * is still generated from these schemas, by a script (shared/http/openapi.ts).
 *
 * Import it as a namespace (`import * as z from '#schemas/zod'`) so bundles keep only what
 * they use. Two things classic zod does on its own are done here, so the messages and the
 * document stay what they were: English messages, and `meta()` as a copy of the schema that
 * carries the metadata (the original keeps its own).
 */

import { config, type core, globalRegistry, type ZodMiniType } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/**
 * Classic zod's `schema.meta(metadata)`: a copy of the schema carrying the metadata. (It takes
 * the place of zod/mini's `meta` check, which would add the metadata as a check instead.)
 */
export function meta<T extends ZodMiniType>(schema: T, metadata: core.GlobalMeta): T {
  const copy = schema.clone();
  globalRegistry.add(copy, metadata);
  return copy;
}
