/**
 * Bounded memos for the audit (docs/architecture.md, "The consistency engine"): what a line of text
 * claims, whether a link opens. Two reasons they are their own small type:
 *
 * - **Bounded in entries.** Two generations: when the young one is full it becomes the old one (the
 *   previous old one is dropped), and a key found in the old one moves back. What every output repeats
 *   (a store's navigation, availability words) stays; the rest ages out, however many entities an audit
 *   reads (100,000 products: `unison check`).
 * - **Bounded in bytes.** A key read out of a rendered page is, in V8, a *slice* of that page: it keeps
 *   the whole page alive for as long as the key lives. Keys are copied flat on insertion, so a memo holds
 *   a few dozen characters per entry, never the 30 kB web page they came from.
 *
 * Runtime-neutral (no Node modules).
 */

/**
 * A copy of `text` that shares no storage with the string it was cut from: concatenating and slicing again
 * makes the engine write the characters into a new string of their own (short strings are copied anyway).
 */
export function detached(text: string): string {
  return ` ${text}`.slice(1);
}

/**
 * A memo of at most `2 × perGeneration` entries, and keys of at most `2 × charsPerGeneration` characters
 * (a generation is full at either), whose keys hold no larger string alive.
 */
export class BoundedMemo<V> {
  readonly #perGeneration: number;
  readonly #charsPerGeneration: number;
  #young = new Map<string, V>();
  #old = new Map<string, V>();
  #youngChars = 0;

  constructor(perGeneration: number, charsPerGeneration = 1 << 20) {
    this.#perGeneration = perGeneration;
    this.#charsPerGeneration = charsPerGeneration;
  }

  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  /** Remembers `value` under a flat copy of `key` (see {@link detached}). */
  set(key: string, value: V): void {
    if (this.#young.size >= this.#perGeneration || this.#youngChars + key.length > this.#charsPerGeneration) {
      this.#old = this.#young;
      this.#young = new Map();
      this.#youngChars = 0;
    }
    this.#youngChars += key.length;
    this.#young.set(detached(key), value);
  }

  /** Entries held (both generations; a key moved back from the old one may be counted twice). */
  get size(): number {
    return this.#young.size + this.#old.size;
  }

  /** Characters of the keys held (both generations). */
  get chars(): number {
    let n = this.#youngChars;
    for (const key of this.#old.keys()) n += key.length;
    return n;
  }
}
