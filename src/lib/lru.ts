/** A small LRU map for in-process caches (render cache, delivery memo, page memo). Runtime-neutral. */

export interface LruBudget<V> {
  /** The most the values may weigh together (e.g. bytes); the least recently used go first past it. */
  maxWeight: number;
  /** The weight of one value (a body's byte length). A value heavier than the budget is not kept. */
  weigh: (value: V) => number;
}

/**
 * A bounded map that forgets the least recently used entry first: at most `max` entries, and within `budget` when given.
 * "Recently used" counts reads to within a quarter of `max` (see {@link Lru.get}); with fewer than 8 entries it is exact.
 */
export class Lru<V> {
  readonly #max: number;
  /** How near the newest end an entry may be and still not be moved by a read: a quarter of the count, at least 1. */
  readonly #near: number;
  /** The last order number given (by a set or a move); an entry's `tick` is the one it was given. */
  #tick = 0;
  readonly #map = new Map<string, { value: V; tick: number }>();
  /** Where eviction goes on from (see {@link Lru.#evictOldest}). */
  #oldest: MapIterator<string> | undefined;
  /** The oldest key, taken from that iterator by {@link Lru.oldest} and not yet evicted (cleared when it is used or removed). */
  #peeked: string | undefined;
  readonly #budget: LruBudget<V> | undefined;
  #weight = 0;
  hits = 0;
  misses = 0;

  constructor(max: number, budget?: LruBudget<V>) {
    this.#max = max;
    this.#near = Math.max(1, max >> 2);
    this.#budget = budget;
  }

  /**
   * A key's value, counted as a hit, and made the most recently used unless it was set or last moved within the newest
   * {@link Lru.#near} entries. Moving an entry is a Map delete and set, and V8 keeps each deleted entry in its key's
   * bucket chain until the table is rebuilt: a key read on every request (the locales, a popular product) and moved on
   * every read made its own lookups walk thousands of dead entries. In a 6,144-entry Map a read-and-move of one key cost
   * 10.5–13 µs (Node 20), a plain read 0.12 µs. An entry that near the newest end is already far from eviction, so
   * leaving it in place changes which entry goes only among entries read within the last quarter of the cache.
   */
  get(key: string): V | undefined {
    const slot = this.#map.get(key);
    if (slot === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    if (this.#tick - slot.tick >= this.#near) {
      if (key === this.#peeked) this.#peeked = undefined;
      this.#map.delete(key);
      slot.tick = ++this.#tick;
      this.#map.set(key, slot);
    }
    return slot.value;
  }

  /** A key's value, without counting a hit or refreshing it. */
  peek(key: string): V | undefined {
    return this.#map.get(key)?.value;
  }

  /** Whether a key is held, without counting a hit or refreshing it. */
  has(key: string): boolean {
    return this.#map.has(key);
  }

  set(key: string, value: V): void {
    this.delete(key);
    const budget = this.#budget;
    if (budget) {
      const weight = budget.weigh(value);
      if (weight > budget.maxWeight) return;
      this.#weight += weight;
    }
    this.#map.set(key, { value, tick: ++this.#tick });
    while (this.#map.size > this.#max || (budget && this.#weight > budget.maxWeight)) this.#evictOldest();
  }

  /**
   * Forgets the least recently used entry: the first live key in the map's insertion order. Read through one
   * iterator kept between evictions, not a fresh `keys()` each time: a Map keeps a deleted entry's slot until it
   * next rehashes, and a fresh iterator walks every such slot from the start — at 32,768 entries that made an
   * eviction cost 12.7 µs instead of 1.4 µs at 2,048. A Map iterator goes on past entries added after it was made
   * and skips deleted ones (ECMAScript's Map iteration order), and every key it passed was evicted or, named by
   * {@link Lru.oldest} and then read or re-set, moved behind it, so the next key it gives is the oldest still held;
   * once spent, a new one starts at the front.
   */
  #evictOldest(): void {
    const oldest = this.oldest();
    if (oldest !== undefined) this.delete(oldest);
  }

  /**
   * The key the next eviction forgets (the least recently used), without counting or refreshing it: taken from
   * the eviction iterator and held until it is evicted, read, re-set or deleted.
   */
  oldest(): string | undefined {
    if (this.#peeked !== undefined) return this.#peeked;
    let oldest = this.#oldest?.next();
    if (!oldest || oldest.done) {
      this.#oldest = this.#map.keys();
      oldest = this.#oldest.next();
    }
    this.#peeked = oldest.done ? undefined : oldest.value;
    return this.#peeked;
  }

  delete(key: string): void {
    const old = this.#map.get(key);
    if (old === undefined) return;
    if (key === this.#peeked) this.#peeked = undefined;
    this.#map.delete(key);
    if (this.#budget) this.#weight -= this.#budget.weigh(old.value);
  }

  get size(): number {
    return this.#map.size;
  }

  /** What the values weigh together (0 without a budget). */
  get weight(): number {
    return this.#weight;
  }
}
