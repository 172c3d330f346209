import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the bundling step, without type declarations
import LRUCache from '../../infra/lru-cache-shim.mjs';

// The LRU cache the SDK's endpoint cache loads (CommonJS: module.exports is the class).
const MnemonistLru = createRequire(import.meta.url)(
  'mnemonist/lru-cache',
) as typeof import('mnemonist/lru-cache.js').default;

/** A small deterministic generator, so a failure names the sequence that caused it. */
function random(seed: number) {
  let state = seed >>> 0;
  return (n: number) => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state % n;
  };
}

describe('the LRU cache the bundles use in place of mnemonist', () => {
  it('answers every operation as mnemonist does, over random sequences', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const next = random(seed);
      const capacity = 1 + next(5);
      const ours = new LRUCache(capacity);
      const theirs = new MnemonistLru<string, number>(capacity);
      for (let step = 0; step < 200; step++) {
        const key = `k${next(8)}`;
        const op = next(4);
        const where = `seed ${seed}, step ${step}`;
        if (op === 0) {
          ours.set(key, step);
          theirs.set(key, step);
        } else if (op === 1) expect(ours.get(key), where).toBe(theirs.get(key));
        else if (op === 2) expect(ours.peek(key), where).toBe(theirs.peek(key));
        else expect(ours.has(key), where).toBe(theirs.has(key));
        expect(ours.size, where).toBe(theirs.size);
      }
    }
  });

  it('evicts the least recently used entry, and a peek does not count as a use', () => {
    const cache = new LRUCache(2);
    cache.set('a', 1).set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    cache.peek('a');
    cache.set('d', 4);
    expect([cache.has('a'), cache.has('c'), cache.has('d')]).toEqual([false, true, true]);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(() => new LRUCache(0)).toThrow(/capacity/);
  });
});
