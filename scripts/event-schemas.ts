/**
 * Writes the JSON Schema of every domain event type to docs/events/<type>.v<version>.json,
 * from shared/schemas/events.ts. `npm run events:schemas`; test/unit/event-facts.test.ts fails
 * when a committed document differs from what this writes.
 */
import { writeFileSync } from 'node:fs';
import { EVENT_TYPES, type EventType } from '#domain/domain-events';
import { jsonSchemaOf } from '#schemas/events';

export const schemaFile = (type: EventType) => `docs/events/${type}.v${EVENT_TYPES[type]}.json`;
export const schemaText = (type: EventType) => `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const type of Object.keys(EVENT_TYPES) as EventType[]) {
    writeFileSync(schemaFile(type), schemaText(type));
    console.log(schemaFile(type));
  }
}
