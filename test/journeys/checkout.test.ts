import { describe, expect, it } from "vitest";
import { isGuardFailure } from "../../src/db/client";
import { loadCart } from "../../src/journeys/carts";
import { resolveCustomer } from "../../src/journeys/customers";
import { planCheckout } from "../../src/journeys/orders";
import { expectStatus } from "../helpers/app";
import { dump } from "../helpers/snapshot";
import { journeyApp, ok, problem, sms, viewContextFor, whatsapp } from "./helpers";

describe("checkout: stock is never oversold, and a checkout is all or nothing", () => {
  it.each([
    ["synchronous writes (better-sqlite3)", false],
    ["writes that yield like D1's", true],
  ])(
    "20 concurrent checkouts of the last unit by 20 customers: exactly one order, 19 out_of_stock problems, stock 0 — %s",
    async (_, yieldingWrites) => {
      const t = await journeyApp({ yieldingWrites });
      await t.product("lantern", [{ sku: "LANTERN-M", price: 4500, stock: 1 }]);
      const customers = Array.from({ length: 20 }, (_, i) => sms(`+3361000${String(i).padStart(4, "0")}`));
      for (const [i, who] of customers.entries()) {
        await ok(await t.act("add_to_cart", { ...who, input: { sku: "LANTERN-M" } }, { key: `add-${i}` }));
      }
      const responses = await Promise.all(customers.map((who, i) => t.act("checkout", who, { key: `buy-${i}` })));
      const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, body: (await r.json()) as any })));
      const placed = answers.filter((a) => a.status === 200);
      const refused = answers.filter((a) => a.status === 409);
      expect(placed).toHaveLength(1);
      expect(refused).toHaveLength(19);
      for (const r of refused) {
        expect(r.body).toMatchObject({ code: "out_of_stock", skus: ["LANTERN-M"] });
        expect(r.body.detail).toContain("LANTERN-M");
      }
      expect(t.stock("LANTERN-M")).toBe(0);
      expect(t.count("orders")).toBe(1);
      expect(t.count("order_lines")).toBe(1);
      expect((t.db.client.prepare("SELECT MIN(stock) AS m FROM inventory").get() as { m: number }).m).toBeGreaterThanOrEqual(0);
      // The refused customers keep their carts; the delivery projection says the product is gone.
      expect(t.count("cart_lines")).toBe(19);
      expect((await expectStatus(await t.request("GET", "/v1/products/lantern"), 200)).availability).toBe("out_of_stock");
    },
  );

  it("the stock compare-and-set is what refuses: two checkouts planned on the same read, only the first applies", async () => {
    const t = await journeyApp();
    await t.product("lantern", [{ sku: "LANTERN-M", price: 4500, stock: 1 }]);
    const planned = [];
    for (const phone of ["+33620000001", "+33620000002"]) {
      await ok(await t.act("add_to_cart", { ...sms(phone), input: { sku: "LANTERN-M" } }, { key: phone }));
      const { customer, cartId } = await resolveCustomer(t.db, { identity: { channel: "sms", externalId: phone }, channel: "sms" }, t.now);
      const ctx = { db: t.db, now: t.now, channel: "sms" as const, customer, cartId, view: await viewContextFor(t.db), keyId: null };
      planned.push(await planCheckout(ctx, await loadCart(t.db, cartId)));
    }
    const [first, second] = planned;
    await t.db.atomic((orm) => first!.statements(orm));
    const error = await t.db.atomic((orm) => second!.statements(orm)).catch((e: unknown) => e);
    expect(isGuardFailure(error)).toBe(true);
    expect(t.stock("LANTERN-M")).toBe(0);
    expect(t.count("orders")).toBe(1);
    expect(t.count("write_guards")).toBe(0);
  });

  it("a multi-line checkout with one short line orders nothing and names the short SKU", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    await t.product("boot", [{ sku: "BOOT-M", price: 12000, stock: 1 }]);
    const who = whatsapp("wa-multi");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M", quantity: 2 } }, { key: "1" }));
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "BOOT-M", quantity: 1 } }, { key: "2" }));
    t.db.client.prepare("UPDATE inventory SET stock = 0 WHERE sku = 'BOOT-M'").run();
    const refused = await problem(await t.act("checkout", who, { key: "3" }), 409, "out_of_stock");
    expect(refused.skus).toEqual(["BOOT-M"]);
    expect(refused.detail).toContain("BOOT-M is out of stock");
    expect(t.stock("HAT-M")).toBe(5);
    expect(t.count("orders")).toBe(0);
    expect(t.count("cart_lines")).toBe(2);
  });

  it("a failure in the last statement of a checkout's atomic unit leaves nothing applied, and the key can be retried", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const who = sms("+33630000000");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M", quantity: 2 } }, { key: "add" }));
    const before = dump(t.db);
    // The unit's last statement releases the idempotency completion's guard (token prefix idg_): make exactly that fail.
    t.db.client.exec(`CREATE TRIGGER fail_last BEFORE DELETE ON write_guards WHEN OLD.token LIKE 'idg\\_%' ESCAPE '\\'
      BEGIN SELECT RAISE(ABORT, 'injected failure in the last statement'); END`);
    const failed = await problem(await t.act("checkout", who, { key: "buy" }), 500, "internal_error");
    expect(failed.detail).not.toContain("injected");
    t.db.client.exec("DROP TRIGGER fail_last");
    expect(dump(t.db)).toEqual(before);
    expect(t.stock("HAT-M")).toBe(5);
    const placed = await ok(await t.act("checkout", who, { key: "buy" }));
    expect(placed.result.order.itemCount).toBe(2);
    expect(t.stock("HAT-M")).toBe(3);
    expect(t.count("orders")).toBe(1);
  });

  it("preorder SKUs keep selling at zero stock without going negative", async () => {
    const t = await journeyApp();
    await t.product("parka", [{ sku: "PARKA-M", price: 30000, stock: 1, backorder: "preorder" }]);
    const who = sms("+33640000000");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "PARKA-M", quantity: 3 } }, { key: "1" }));
    await ok(await t.act("checkout", who, { key: "2" }));
    expect(t.stock("PARKA-M")).toBe(0);
    expect((await expectStatus(await t.request("GET", "/v1/products/parka"), 200)).availability).toBe("preorder");
  });

  it("concurrent edits of one cart from several channels lose no update (a busy cart asks for a retry with the same key)", async () => {
    const t = await journeyApp({ yieldingWrites: true });
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 50 }]);
    const first = await ok(await t.act("view_cart", sms("+33650000000")));
    const customer = first.customer as string;
    const channels = ["sms", "whatsapp", "web", "mobile", "slack"] as const;
    const add = async (i: number) => {
      const body = { channel: channels[i % channels.length], customer, input: { sku: "HAT-M", quantity: 1 } };
      for (let attempt = 0; attempt < 20; attempt++) {
        const res = await t.act("add_to_cart", body, { key: `c${i}` });
        if (res.status !== 409) return res;
        expect(((await res.json()) as any).code).toMatch(/^(conflict|idempotency_in_flight)$/);
      }
      throw new Error("never got through");
    };
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => add(i)));
    const quantities = [];
    for (const r of responses) quantities.push((await ok(r)).result.cart.lines[0].quantity);
    // Each response shows the cart as its own change left it: ten distinct states, no two alike.
    expect(quantities.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const lines = t.db.client.prepare("SELECT quantity FROM cart_lines").all() as { quantity: number }[];
    expect(lines).toEqual([{ quantity: 10 }]);
    expect((t.db.client.prepare("SELECT version FROM carts").get() as { version: number }).version).toBe(11);
  });

  it("a cart line keeps the price it was added at; after a price change is published, view_cart flags it and checkout charges the captured price", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const who = whatsapp("wa-price");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    const patched = await t.request("PATCH", "/v1/admin/products/hat/variants/HAT-M", {
      body: { prices: { EUR: 2900 } },
      headers: { ...t.editor, "if-match": '"v2"' },
    });
    await expectStatus(patched, 200);
    const unchanged = await ok(await t.act("view_cart", who));
    expect(unchanged.result.cart.lines[0]).toMatchObject({ priceChanged: false, currentPrice: { amount: 2500 } });
    await expectStatus(await t.request("POST", "/v1/admin/products/hat/publish", { headers: { ...t.editor, "if-match": '"v3"' } }), 200);
    const flagged = await ok(await t.act("view_cart", who));
    expect(flagged.result.cart).toMatchObject({ priceChanges: true, subtotal: { amount: 2500 } });
    expect(flagged.result.cart.lines[0]).toMatchObject({
      unitPrice: { amount: 2500, formatted: "€25.00" },
      currentPrice: { amount: 2900, formatted: "€29.00" },
      priceChanged: true,
    });
    // Re-adding merges into the line and keeps the captured price.
    const merged = await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "2" }));
    expect(merged.result.cart.lines[0]).toMatchObject({ quantity: 2, unitPrice: { amount: 2500 } });
    const placed = await ok(await t.act("checkout", who, { key: "3" }));
    expect(placed.result.order.total.amount).toBe(5000);
  });
});
