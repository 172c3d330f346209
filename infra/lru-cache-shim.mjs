// The DynamoDB client's endpoint-discovery cache (@aws-sdk/endpoint-cache) keeps its entries in
// mnemonist's LRU cache, which brings mnemonist's typed-array helpers and obliterator (≈ 7 KB
// minified) into every function that calls DynamoDB. This is the same least-recently-used cache
// over a Map (insertion order = recency), with the methods the endpoint cache calls.
export default class LRUCache {
  constructor(capacity) {
    if (!(capacity > 0)) throw new Error('LRUCache: capacity must be a positive number');
    this.capacity = capacity;
    this.items = new Map();
  }

  get size() {
    return this.items.size;
  }

  has(key) {
    return this.items.has(key);
  }

  /** The value without making it the most recently used. */
  peek(key) {
    return this.items.get(key);
  }

  get(key) {
    if (!this.items.has(key)) return undefined;
    const value = this.items.get(key);
    this.items.delete(key);
    this.items.set(key, value);
    return value;
  }

  set(key, value) {
    this.items.delete(key);
    this.items.set(key, value);
    if (this.items.size > this.capacity) this.items.delete(this.items.keys().next().value);
    return this;
  }

  delete(key) {
    return this.items.delete(key);
  }

  clear() {
    this.items.clear();
  }
}
