/**
 * The response cache's doorkeeper (src/lib/doorkeeper.ts): fingerprints of recent misses in a fixed
 * table. What admission relies on: a key just added is seen, a key never added is almost never seen,
 * recent keys are mostly remembered, and forgetting one key never forgets another.
 */
import { describe, expect, it } from "vitest";
import { Doorkeeper, FrequencySketch, fingerprint } from "../../src/lib/doorkeeper";

/** Keys shaped like the response cache's: a path and query, a newline, an Accept-Language. */
const key = (i: number, lang = "fr-FR,fr;q=0.9") => `/v1/products/generated-product-${i}?locale=${i % 3 ? "en" : "fr"}\n${lang}`;

describe("fingerprint", () => {
  it("is never 0 and spreads keys that differ in one character over the slots", () => {
    const slots = new Set<number>();
    for (let i = 0; i < 4096; i++) {
      const fp = fingerprint(key(i));
      expect(fp).not.toBe(0);
      expect(fp).toBe(fingerprint(key(i)));
      slots.add(fp & 4095);
    }
    // 4,096 keys thrown into 4,096 slots fill about 1 − 1/e of them (2,589): far fewer means the low bits are poor.
    expect(slots.size).toBeGreaterThan(2400);
    expect(fingerprint("")).not.toBe(0);
    expect(fingerprint("a")).not.toBe(fingerprint("b"));
  });
});

describe("Doorkeeper", () => {
  it("sees a key just added, and almost never one that was not", () => {
    const seen = new Doorkeeper(131_072);
    expect(seen.size).toBe(131_072);
    for (let i = 0; i < 32_768; i++) {
      seen.add(fingerprint(key(i)));
      expect(seen.has(fingerprint(key(i)))).toBe(true);
    }
    let falsePositives = 0;
    for (let i = 32_768; i < 132_768; i++) if (seen.has(fingerprint(key(i)))) falsePositives++;
    // A stranger passes only with the fingerprint of the key in its slot: about 100,000 × ¼ ÷ 2^15 ≈ 1.
    expect(falsePositives).toBeLessThan(10);
  });

  it("remembers most of the last quarter-table of keys (a later key takes a slot, one at a time)", () => {
    const seen = new Doorkeeper(32_768);
    for (let i = 0; i < 100_000; i++) seen.add(fingerprint(key(i)));
    let kept = 0;
    for (let i = 100_000 - 8192; i < 100_000; i++) if (seen.has(fingerprint(key(i)))) kept++;
    // Each of the last 8,192 keys survives the ones after it with probability (1 − 1/32,768)^k: 88 % on average.
    expect(kept / 8192).toBeGreaterThan(0.85);
    // Keys from long before are mostly gone: the table does not grow.
    let old = 0;
    for (let i = 0; i < 8192; i++) if (seen.has(fingerprint(key(i)))) old++;
    expect(old / 8192).toBeLessThan(0.1);
  });

  it("forgets a key without forgetting the key that took its slot", () => {
    const seen = new Doorkeeper(16);
    const first = fingerprint(key(0));
    let other = 1;
    while ((fingerprint(key(other)) & 15) !== (first & 15)) other++;
    const second = fingerprint(key(other));
    seen.add(first);
    seen.add(second);
    expect(seen.has(first)).toBe(false);
    expect(seen.has(second)).toBe(true);
    seen.delete(first);
    expect(seen.has(second)).toBe(true);
    seen.delete(second);
    expect(seen.has(second)).toBe(false);
  });

  it("admits a key on its second miss, and again only after it is forgotten and missed twice more", () => {
    const seen = new Doorkeeper(64);
    const key = fingerprint("/v1/products/wool-hat\nfr");
    const other = fingerprint("/v1/products/linen-shirt\nfr");
    expect(other & 63).not.toBe(key & 63);
    expect(seen.admits(key)).toBe(false);
    expect(seen.admits(other)).toBe(false);
    expect(seen.admits(key)).toBe(true);
    seen.delete(key);
    expect(seen.admits(key)).toBe(false);
    expect(seen.admits(key)).toBe(true);
    expect(seen.admits(other)).toBe(true);
  });

  it("rounds its table up to a power of two", () => {
    expect(new Doorkeeper(4096).size).toBe(4096);
    expect(new Doorkeeper(5000).size).toBe(8192);
    expect(new Doorkeeper(0).size).toBe(2);
  });
});

describe("FrequencySketch", () => {
  it("never counts a key below how often it was asked for, and rarely above", () => {
    const sketch = new FrequencySketch(4096);
    // 2,000 keys asked for 0–7 times each: fewer increments than one halving takes (10 per counter of a row).
    const asked = Array.from({ length: 2000 }, (_, i) => i % 8);
    asked.forEach((times, i) => {
      for (let n = 0; n < times; n++) sketch.increment(fingerprint(key(i)));
    });
    let over = 0;
    asked.forEach((times, i) => {
      const estimate = sketch.estimate(fingerprint(key(i)));
      expect(estimate).toBeGreaterThanOrEqual(times);
      if (estimate > times) over++;
    });
    expect(over).toBeLessThan(20);
    expect(sketch.estimate(fingerprint(key(999_999)))).toBeLessThanOrEqual(1);
  });

  it("saturates at 15 and halves every counter once enough traffic went by, so old popularity fades", () => {
    const sketch = new FrequencySketch(16);
    const hot = fingerprint(key(1));
    for (let n = 0; n < 40; n++) sketch.increment(hot);
    expect(sketch.estimate(hot)).toBe(15);
    // 16 counters a row: a halving after 160 increments in all (40 so far).
    for (let i = 0; i < 119; i++) sketch.increment(fingerprint(key(100 + i)));
    expect(sketch.estimate(hot)).toBe(15);
    sketch.increment(fingerprint(key(500)));
    expect(sketch.estimate(hot)).toBe(7);
  });
});
