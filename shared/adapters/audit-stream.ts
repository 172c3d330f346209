import type { AttributeValue } from 'aws-lambda';

/**
 * What the audit trail needs to know of the table's stream (docs/DESIGN.md, the audit trail):
 * how records are ordered and how an item's image reads. The domain (shared/domain/audit.ts)
 * sees only plain item images, without the keys that say where an item is stored.
 */

/** Stream sequence numbers are decimal strings of up to 40 digits: compare them as integers. */
export function isAfter(sequence: string, than: string | undefined): boolean {
  return than === undefined || BigInt(sequence) > BigInt(than);
}

/** The table's and its indexes' keys: where an item is stored and listed, never a change worth an entry. */
const STORAGE_KEYS = new Set(['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']);

/** A stream image as plain values, without its storage keys. */
export function imageOf(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(image)
      .filter(([name]) => !STORAGE_KEYS.has(name))
      .map(([name, value]) => [name, fromAttribute(value)]),
  );
}

function fromImage(image: Record<string, AttributeValue>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, fromAttribute(value)]));
}

/** DynamoDB JSON to plain values (numbers as numbers, binary as base64 text: only compared). */
function fromAttribute(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.M !== undefined) return fromImage(value.M);
  if (value.L !== undefined) return value.L.map(fromAttribute);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.B !== undefined) return value.B;
  if (value.BS !== undefined) return [...value.BS];
  return undefined;
}
