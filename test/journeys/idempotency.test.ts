import { describe, expect, it } from "vitest";
import { claimIdempotencyKey, IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_MS, requestHash } from "../../src/journeys/idempotency";
import { dump } from "../helpers/snapshot";
import { journeyApp, ok, problem, sms } from "./helpers";

const ADD = { ...sms("+33611111111"), input: { sku: "HAT-M", quantity: 1 } };

async function withHat(stock = 50) {
  const t = await journeyApp();
  await t.product("hat", [{ sku: "HAT-M", price: 2500, stock }]);
  return t;
}

function cartLines(t: { db: Awaited<ReturnType<typeof withHat>>["db"] }) {
  return t.db.client.prepare("SELECT sku, quantity FROM cart_lines").all() as { sku: string; quantity: number }[];
}

describe("Idempotency-Key on POST /v1/actions/{key} (docs/architecture.md, Idempotency)", () => {
  it("POST /v1/actions/add_to_cart replays the first response for a repeated Idempotency-Key, byte for byte, and adds once", async () => {
    const t = await withHat();
    const first = await t.act("add_to_cart", ADD, { key: "retry-me" });
    const firstText = await first.text();
    expect(first.status).toBe(200);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await t.act("add_to_cart", { ...ADD, input: { quantity: 1, sku: "HAT-M" } }, { key: "retry-me" });
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(firstText);
    expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 1 }]);
    const actions = t.db.client.prepare("SELECT COUNT(*) AS n FROM interactions WHERE direction = 'action'").get() as { n: number };
    expect(actions.n).toBe(1);
  });

  it.each([
    ["synchronous writes (better-sqlite3)", false],
    ["writes that yield like D1's", true],
  ])(
    "50 concurrent identical add_to_cart calls with one Idempotency-Key add the line once; each answer is the replay or 409 in flight — %s",
    async (_, yieldingWrites) => {
      const t = await journeyApp({ yieldingWrites });
      await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 50 }]);
      const responses = await Promise.all(Array.from({ length: 50 }, () => t.act("add_to_cart", ADD, { key: "storm" })));
      const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, text: await r.text() })));
      const successes = answers.filter((a) => a.status === 200);
      const busy = answers.filter((a) => a.status === 409);
      expect(successes.length + busy.length).toBe(50);
      expect(successes.length).toBeGreaterThanOrEqual(1);
      // When requests really overlap, the duplicates find the first one in flight.
      if (yieldingWrites) expect(busy.length).toBeGreaterThan(0);
      expect(new Set(successes.map((s) => s.text)).size).toBe(1);
      for (const b of busy) expect(JSON.parse(b.text).code).toBe("idempotency_in_flight");
      expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 1 }]);
      // After the storm, the key replays the one stored response.
      const after = await t.act("add_to_cart", ADD, { key: "storm" });
      expect(await after.text()).toBe(successes[0]?.text);
      const cart = t.db.client.prepare("SELECT version FROM carts").get() as { version: number };
      expect(cart.version).toBe(2);
    },
  );

  it("the same key with a different body, or for another action, is 422 idempotency_key_reused and changes nothing", async () => {
    const t = await withHat();
    await ok(await t.act("add_to_cart", ADD, { key: "k" }));
    const before = dump(t.db);
    await problem(
      await t.act("add_to_cart", { ...ADD, input: { sku: "HAT-M", quantity: 2 } }, { key: "k" }),
      422,
      "idempotency_key_reused",
    );
    await problem(await t.act("remove_from_cart", { ...ADD, input: { sku: "HAT-M" } }, { key: "k" }), 422, "idempotency_key_reused");
    expect(dump(t.db)).toEqual(before);
  });

  it("a side-effecting action without Idempotency-Key is 400 idempotency_key_required and changes nothing; reads do not need one", async () => {
    const t = await withHat();
    const before = dump(t.db);
    await problem(await t.act("add_to_cart", ADD), 400, "idempotency_key_required");
    await problem(await t.act("checkout", sms("+33611111111")), 400, "idempotency_key_required");
    expect(dump(t.db)).toEqual(before);
    await ok(await t.act("view_cart", sms("+33611111111")));
  });

  it("a malformed Idempotency-Key is a 400 pointing at the header", async () => {
    const t = await withHat();
    const body = await problem(await t.act("add_to_cart", ADD, { key: "has space" }), 400, "validation_failed");
    expect(body.errors).toEqual([expect.objectContaining({ in: "header", pointer: "/idempotency-key" })]);
  });

  it("keys are scoped per API key: the same Idempotency-Key from two keys is two requests", async () => {
    const t = await withHat();
    const other = await t.auth("actions:invoke");
    await ok(await t.act("add_to_cart", ADD, { key: "shared" }));
    await ok(await t.act("add_to_cart", ADD, { key: "shared", headers: other }));
    expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 2 }]);
  });

  it("a refusal is an outcome: out_of_stock is stored and replayed exactly, even after a restock", async () => {
    const t = await withHat(0);
    const first = await t.act("add_to_cart", ADD, { key: "oos" });
    const text = await first.text();
    expect(first.status).toBe(409);
    expect(JSON.parse(text)).toMatchObject({ code: "out_of_stock", skus: ["HAT-M"] });
    t.db.client.prepare("UPDATE inventory SET stock = 9 WHERE sku = 'HAT-M'").run();
    const replay = await t.act("add_to_cart", ADD, { key: "oos" });
    expect(replay.status).toBe(409);
    expect(replay.headers.get("content-type")).toContain("application/problem+json");
    expect(await replay.text()).toBe(text);
    await ok(await t.act("add_to_cart", ADD, { key: "oos-2" }));
  });

  it("an invalid request is not stored: corrected, it can reuse the same key", async () => {
    const t = await withHat();
    const bad = await problem(
      await t.act("add_to_cart", { ...ADD, input: { sku: "HAT-M", quantity: 0 } }, { key: "fix" }),
      400,
      "validation_failed",
    );
    expect(bad.errors).toEqual([expect.objectContaining({ pointer: "/input/quantity" })]);
    expect(t.count("idempotency_keys")).toBe(0);
    await ok(await t.act("add_to_cart", ADD, { key: "fix" }));
  });

  it("keys are kept 24 hours: within them the response replays, after them the key is new", async () => {
    const t = await withHat();
    await ok(await t.act("add_to_cart", ADD, { key: "day" }));
    t.advance(IDEMPOTENCY_TTL_MS - 1000);
    const replay = await t.act("add_to_cart", ADD, { key: "day" });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 1 }]);
    t.advance(2000);
    const fresh = await t.act("add_to_cart", ADD, { key: "day" });
    expect(fresh.headers.get("idempotent-replayed")).toBeNull();
    expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 2 }]);
  });

  it("a claim whose request died blocks duplicates (409) until its lease ends, then a retry takes it over", async () => {
    const t = await withHat();
    const keyId = (t.db.client.prepare("SELECT id FROM api_keys WHERE scopes LIKE '%actions:invoke%'").get() as { id: string }).id;
    const body = { ...ADD, input: { sku: "HAT-M", quantity: 1 } };
    // The shape the route validates to (defaults applied) is what is fingerprinted.
    const hash = await requestHash("POST /v1/actions/add_to_cart", body);
    const dead = await claimIdempotencyKey(t.db, { apiKeyId: keyId, key: "died", hash, path: "/v1/actions/add_to_cart" }, t.now);
    expect(dead.kind).toBe("claimed");
    await problem(await t.act("add_to_cart", body, { key: "died" }), 409, "idempotency_in_flight");
    t.advance(IDEMPOTENCY_LEASE_MS + 1000);
    await ok(await t.act("add_to_cart", body, { key: "died" }));
    expect(cartLines(t)).toEqual([{ sku: "HAT-M", quantity: 1 }]);
  });
});
