/**
 * The audit's memos stay bounded (src/consistency/memo.ts): `unison check` reads 100,000 products in one
 * process, so what the engine remembers between entities — whether a link opens, what a line claims — must
 * neither grow with the catalogue nor keep the rendered pages it was read from alive.
 */
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { smsRenderer } from "../../renderers/sms";
import type { EntityView, Renderer } from "../../src/channels/contract";
import { type CheckContext, checkChannel, linkMemoSize } from "../../src/consistency/engine";
import { BoundedMemo } from "../../src/consistency/memo";

const BASE_URL = "https://shop.example";
const entity = { type: "product" as const, key: "p" };
const view = { locale: "en", url: "/products/p", facts: [], actions: [], canonical: [] } as unknown as EntityView;

/** A renderer whose every body is `page(n)` for the next n: its text and its links are read as they are. */
function pages(page: (n: number) => string): Renderer {
  let n = 0;
  return {
    ...smsRenderer,
    formats: ["text"],
    render: () => ({
      channel: "sms",
      format: "text",
      contentType: "text/plain",
      body: page(n++),
      manifest: { facts: [], actions: [], degradations: [] } as never,
    }),
    inspect: (body) => ({ text: body, links: [...body.matchAll(/https:\/\/\S+/g)].map((m) => m[0]), controls: [], limits: [] }),
  };
}

describe("audit memory", () => {
  it("remembers a bounded number of links however many entities link to their own page", () => {
    const ctx: CheckContext = { baseUrl: BASE_URL, actions: [], pageExists: (path) => path.startsWith("/products/") };
    const renderer = pages((n) => `Product ${n}\nSee ${BASE_URL}/products/p${n}\nHome ${BASE_URL}/`);
    for (let i = 0; i < 10_000; i++) checkChannel(renderer, view, entity, ctx);
    expect(linkMemoSize(ctx.pageExists)).toBeGreaterThan(0);
    expect(linkMemoSize(ctx.pageExists)).toBeLessThanOrEqual(4096);
  });

  it("keeps no rendered page alive once it is checked (the memos copy what they keep)", () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    const ctx: CheckContext = { baseUrl: BASE_URL, actions: [], pageExists: () => true };
    // 120 pages of ~0.5 MB, each with a link of its own: kept alive by their links, they would weigh ~60 MB.
    const filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit\n".repeat(9000);
    const renderer = pages((n) => `${filler}See ${BASE_URL}/products/p${n}-${"x".repeat(n % 7)} now\n${filler}`);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 120; i++) checkChannel(renderer, view, entity, ctx);
    gc();
    const kept = process.memoryUsage().heapUsed - before;
    expect(kept).toBeLessThan(15e6);
  });

  it("forgets the oldest generation when a generation is full in entries or in characters", () => {
    const memo = new BoundedMemo<number>(100, 1000);
    for (let i = 0; i < 1000; i++) memo.set(`key-${i}`, i);
    expect(memo.size).toBeLessThanOrEqual(200);
    expect(memo.get("key-999")).toBe(999);
    expect(memo.get("key-0")).toBeUndefined();
    const long = new BoundedMemo<number>(100, 1000);
    for (let i = 0; i < 100; i++) long.set(`${i}`.padEnd(300, "."), i);
    expect(long.chars).toBeLessThanOrEqual(2000);
    // A key read from the old generation moves back to the young one.
    const kept = new BoundedMemo<number>(2);
    kept.set("a", 1);
    kept.set("b", 2);
    kept.set("c", 3);
    expect(kept.get("a")).toBe(1);
    kept.set("d", 4);
    expect(kept.get("a")).toBe(1);
    expect(kept.get("b")).toBeUndefined();
  });
});
