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
});
