import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Lru } from "../../src/lib/lru";

describe("Lru", () => {
  it("forgets the least recently used entry past its count", () => {
    const lru = new Lru<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    lru.get("a");
    lru.set("c", 3);
    expect([lru.has("a"), lru.has("b"), lru.has("c")]).toEqual([true, false, true]);
  });

  it("with a byte budget, keeps the values' total weight within it and refuses a value heavier than the budget", () => {
    const lru = new Lru<string>(100, { maxWeight: 10, weigh: (v) => v.length });
    lru.set("a", "xxxx");
    lru.set("b", "yyyy");
    expect(lru.weight).toBe(8);
    lru.set("c", "zzzz");
    expect([lru.has("a"), lru.has("b"), lru.has("c")]).toEqual([false, true, true]);
    expect(lru.weight).toBe(8);
    lru.set("b", "y");
    expect(lru.weight).toBe(5);
    lru.set("huge", "h".repeat(11));
    expect(lru.has("huge")).toBe(false);
    expect(lru.weight).toBe(5);
  });

  it("holds exactly what a plain least-recently-used list holds, through any mix of gets, peeks, sets, deletes and evictions, and names its oldest key", () => {
    // The model: keys in recency order (oldest first), evicting from the front. Few keys and small bounds, so
    // entries are evicted, read back, re-set and deleted in every order (the eviction iterator lives across them).
    type Op = { kind: "get" | "set" | "delete" | "has" | "peek" | "oldest"; key: string; weight: number };
    const op = fc.record({
      kind: fc.constantFrom<Op["kind"]>("get", "set", "set", "delete", "has", "peek", "oldest"),
      key: fc.constantFrom("a", "b", "c", "d", "e", "f", "g", "h"),
      weight: fc.integer({ min: 0, max: 6 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.option(fc.integer({ min: 1, max: 12 })),
        fc.array(op, { maxLength: 120 }),
        (max, maxWeight, ops) => {
          const lru = new Lru<number>(max, maxWeight === null ? undefined : { maxWeight, weigh: (v) => v });
          const model: [string, number][] = [];
          const weight = () => model.reduce((sum, [, w]) => sum + w, 0);
          for (const { kind, key, weight: value } of ops) {
            const at = model.findIndex(([k]) => k === key);
            if (kind === "get") {
              expect(lru.get(key)).toBe(at < 0 ? undefined : model[at]![1]);
              if (at >= 0) model.push(...model.splice(at, 1));
            } else if (kind === "has") {
              expect(lru.has(key)).toBe(at >= 0);
            } else if (kind === "peek") {
              expect(lru.peek(key)).toBe(at < 0 ? undefined : model[at]![1]);
            } else if (kind === "oldest") {
              // The key the next eviction takes (cache admission compares against it), read without moving it.
              expect(lru.oldest()).toBe(model[0]?.[0]);
            } else if (kind === "delete") {
              lru.delete(key);
              if (at >= 0) model.splice(at, 1);
            } else {
              lru.set(key, value);
              if (at >= 0) model.splice(at, 1);
              if (maxWeight === null || value <= maxWeight) {
                model.push([key, value]);
                while (model.length > max || (maxWeight !== null && weight() > maxWeight)) model.shift();
              }
            }
            expect(lru.size).toBe(model.length);
            if (maxWeight !== null) expect(lru.weight).toBe(weight());
          }
          for (const [key, value] of model) expect(lru.get(key)).toBe(value);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("a key read at least once every quarter of its count of sets is never evicted; one not read goes", () => {
    const lru = new Lru<number>(64);
    lru.set("hot", 1);
    lru.set("cold", 2);
    for (let i = 0; i < 10_000; i++) {
      lru.set(`k${i}`, i);
      if (i % 16 === 0) expect(lru.get("hot")).toBe(1);
    }
    expect(lru.has("hot")).toBe(true);
    expect(lru.has("cold")).toBe(false);
    expect(lru.size).toBe(64);
  });

  it("a read within the newest quarter leaves the entry where it is (no Map delete and set on a hot key's every read)", () => {
    const lru = new Lru<number>(8); // a quarter: 2
    for (const key of "abcdefgh") lru.set(key, 0);
    lru.get("g"); // 1 set after it: near the newest end, not moved
    for (const key of "ijklmno") lru.set(key, 0);
    expect(lru.has("g")).toBe(false);
    expect(lru.has("h")).toBe(true);
    // Read from further back, an entry is moved to the newest end as a plain LRU moves it.
    lru.get("h"); // 7 sets after it
    expect(lru.oldest()).toBe("i");
    lru.set("p", 0);
    expect(lru.has("h")).toBe(true);
    expect(lru.has("i")).toBe(false);
  });
});
