/**
 * Splits the sort-key range [first, last] into about `parts` consecutive ranges, so one
 * partition's items can be queried in parallel (a Query cannot be segmented like a Scan).
 * The cuts interpolate the three characters after the common prefix of `first` and `last`, so
 * ids that share a prefix (rec-000001 … rec-049999) split evenly; any ids split correctly.
 * Returns the bounds [first, cut1, …, last], strictly increasing; neighbouring ranges share a
 * bound (BETWEEN is inclusive), so callers drop the duplicate item at a cut.
 */
export function splitKeyRange(first: string, last: string, parts: number): string[] {
  if (first >= last || parts < 2) return first === last ? [first] : [first, last];
  let p = 0;
  while (p < first.length && p < last.length && first[p] === last[p]) p++;
  const prefix = first.slice(0, p);
  const bounds = [first];
  const push = (key: string) => {
    if (key > bounds.at(-1)! && key < last) bounds.push(key);
  };
  const a = first.slice(p);
  const b = last.slice(p);
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length === b.length && a.length <= 15) {
    // Zero-padded numbers (rec-000001 … rec-049999): cut the numbers, not the characters.
    const low = Number(a);
    const high = Number(b);
    for (let i = 1; i < parts; i++)
      push(prefix + String(Math.floor(low + ((high - low) * i) / parts)).padStart(a.length, '0'));
  } else {
    const low = valueAt(first, p);
    const high = valueAt(last, p);
    for (let i = 1; i < parts; i++) {
      const cut = Math.floor(low + ((high - low) * i) / parts);
      if (cut > low && cut < high) push(prefix + charsOf(cut));
    }
  }
  bounds.push(last);
  return bounds;
}

/**
 * Bounds for splitKeyRange's callers from keys read before (sorted): every n-th key, so the
 * next read of the same partition splits where its items actually are. Keys added since fall
 * into the ranges around them.
 */
export function boundsFromKeys(sortedKeys: readonly string[], parts: number): string[] {
  if (sortedKeys.length === 0) return [];
  const bounds: string[] = [];
  for (let i = 0; i < parts; i++) {
    const key = sortedKeys[Math.floor((i * sortedKeys.length) / parts)]!;
    if (bounds.at(-1) !== key) bounds.push(key);
  }
  return bounds;
}

const DIGITS = 3;
/** Printable ASCII (space to DEL) as digits 0–95; ids are printable ASCII. */
const BASE = 96;

function valueAt(key: string, position: number): number {
  let value = 0;
  for (let i = 0; i < DIGITS; i++) {
    const code = key.charCodeAt(position + i);
    value = value * BASE + (Number.isNaN(code) ? 0 : Math.min(BASE - 1, Math.max(0, code - 32)));
  }
  return value;
}

function charsOf(value: number): string {
  let chars = '';
  for (let i = 0; i < DIGITS; i++) {
    chars = String.fromCharCode(32 + (value % BASE)) + chars;
    value = Math.floor(value / BASE);
  }
  return chars;
}
