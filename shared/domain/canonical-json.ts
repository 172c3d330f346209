/**
 * JSON with keys sorted at every level and undefined members left out: one text per value.
 * An undefined array item is written `null`, as JSON.stringify writes it.
 *
 * The audit chain hashes this text (docs/DESIGN.md, the audit trail): a stored chain verifies
 * only while the output stays byte for byte the same, so change it never. Idempotency-Key
 * request hashes use it too (request bodies are parsed JSON, so they hold no undefined items).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(',')}]`;
  const members = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
  return `{${members.join(',')}}`;
}
