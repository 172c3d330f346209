/**
 * Validates domain events against the committed JSON Schemas in docs/events/ (not the zod
 * definitions they were generated from), with Ajv's draft 2020-12 validator and formats.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { EVENT_TYPES, type EventType } from '#domain/domain-events';

const root = new URL('../../', import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validators = new Map<string, ValidateFunction>();

export const schemaPath = (type: EventType) => `docs/events/${type}.v${EVENT_TYPES[type]}.json`;

/** The problems of `event` against its type's documented schema; [] when it is valid. */
export function schemaErrors(event: object): string[] {
  const type = String((event as { type?: unknown }).type);
  if (!Object.hasOwn(EVENT_TYPES, type)) return [`unknown event type ${type}`];
  let validate = validators.get(type);
  if (!validate) {
    const schema = JSON.parse(readFileSync(new URL(schemaPath(type as EventType), root), 'utf8'));
    validate = ajv.compile(schema);
    validators.set(type, validate);
  }
  return validate(event)
    ? []
    : (validate.errors ?? []).map(
        (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
      );
}
