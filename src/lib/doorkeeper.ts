/**
 * Which keys were seen recently, for cache admission (TinyLFU's doorkeeper): each key is a 32-bit
 * fingerprint in a fixed table, direct-mapped — a key takes its slot, replacing whatever was there.
 * Remembering allocates nothing and holds no key, so a read that is never asked for again leaves no
 * garbage behind (a map of recent key strings kept each miss's key alive until it aged out: garbage
 * for every miss once full). Approximate both ways, harmlessly for admission: a key can be forgotten
 * early (a later key took its slot), and, rarely, taken for another key with the same fingerprint in
 * the same slot — an answer then stored on its first miss. Runtime-neutral.
 *
 * @example
 * const seen = new Doorkeeper(32_768);
 * const fp = fingerprint("/v1/products/wool-hat\nfr");
 * seen.has(fp); // false
 * seen.add(fp);
 * seen.has(fp); // true
 */
import { finish } from "../channels/fingerprint";

export class Doorkeeper {
  readonly #slots: Uint32Array;
  readonly #mask: number;

  /** A table of at least `slots` slots (a power of two). */
  constructor(slots: number) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, slots)));
    this.#slots = new Uint32Array(size);
    this.#mask = size - 1;
  }

  /** The number of slots. */
  get size(): number {
    return this.#slots.length;
  }

  has(fingerprint: number): boolean {
    return this.#slots[fingerprint & this.#mask] === fingerprint;
  }

  /**
   * Admission: true when the key was seen since it was last added or forgotten (its second miss), else
   * remembers it and answers false. The caller forgets it once it stores the answer.
   */
  admits(fingerprint: number): boolean {
    if (this.has(fingerprint)) return true;
    this.add(fingerprint);
    return false;
  }

  add(fingerprint: number): void {
    this.#slots[fingerprint & this.#mask] = fingerprint;
  }

  /** Forgets the key (not whichever key took its slot since). */
  delete(fingerprint: number): void {
    const slot = fingerprint & this.#mask;
    if (this.#slots[slot] === fingerprint) this.#slots[slot] = 0;
  }
}

/**
 * A key's 32-bit fingerprint: FNV-1a over its UTF-16 code units, then MurmurHash3's finalizer so the low
 * bits that pick the slot depend on every character (FNV's low bits depend only on the characters' low
 * bits). Never 0, which marks an empty slot.
 */
export function fingerprint(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return finish(hash) || 1;
}

/**
 * How often keys were asked for lately, for cache admission (TinyLFU's frequency sketch): a count-min
 * sketch of four rows of 4-bit counters (one byte each here), indexed by a key's {@link fingerprint}. An
 * estimate is never below the true count since the last halving, and rarely above it. After ten increments
 * per row slot's worth of traffic every counter is halved, so old popularity fades. Allocates nothing per key.
 *
 * @example
 * const often = new FrequencySketch(8192);
 * often.increment(fp);
 * often.estimate(fp); // 1
 */
export class FrequencySketch {
  readonly #rows: Uint8Array;
  readonly #mask: number;
  readonly #width: number;
  readonly #sample: number;
  #added = 0;

  /** Room for about `keys` distinct keys (each row a power of two of at least that many counters). */
  constructor(keys: number) {
    this.#width = 2 ** Math.ceil(Math.log2(Math.max(16, keys)));
    this.#mask = this.#width - 1;
    this.#rows = new Uint8Array(this.#width * 4);
    this.#sample = this.#width * 10;
  }

  /** The counter slots of a fingerprint, one per row (each row rehashes it with its own odd multiplier). */
  #slot(fp: number, row: number): number {
    const h = Math.imul(fp, SEEDS[row]!);
    return row * this.#width + ((h ^ (h >>> 16)) & this.#mask);
  }

  /** Counts one more request for the key (saturating at 15). */
  increment(fp: number): void {
    for (let row = 0; row < 4; row++) {
      const slot = this.#slot(fp, row);
      if (this.#rows[slot]! < 15) this.#rows[slot]!++;
    }
    if (++this.#added >= this.#sample) this.#halve();
  }

  /** The key's count: the least of its four counters. */
  estimate(fp: number): number {
    let least = 15;
    for (let row = 0; row < 4; row++) least = Math.min(least, this.#rows[this.#slot(fp, row)]!);
    return least;
  }

  #halve(): void {
    for (let i = 0; i < this.#rows.length; i++) this.#rows[i]! >>>= 1;
    this.#added = 0;
  }
}

const SEEDS = [0x9e3779b1, 0x85ebca77, 0xc2b2ae3d, 0x27d4eb2f] as const;
