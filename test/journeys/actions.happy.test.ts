import { describe, expect, it } from "vitest";
import { ACTION_HANDLERS } from "../../src/journeys/actions";
import { expectStatus } from "../helpers/app";
import { journeyApp, ok, problem, sms, whatsapp } from "./helpers";

describe("actions: one cart, one order history, whatever the channel", () => {
  it("POST /v1/actions/view_product creates the customer on first sight of an identity and returns the product view", async () => {
    const t = await journeyApp();
    await t.product("merino-crew", [{ sku: "MER-CREW-M", price: 8900, stock: 10 }]);
    const res = await t.act("view_product", { ...sms("+33612345678"), input: { slug: "merino-crew" } });
    const body = await ok(res, "view_product");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(body.customer).toMatch(/^cus_[0-9a-f]{32}$/);
    const parsed = ACTION_HANDLERS.view_product.result.parse(body.result) as { product: { slug: string; price: { formatted: string } } };
    expect(parsed.product).toMatchObject({ slug: "merino-crew", price: { formatted: "€89.00" } });
    // Drawn by the SMS renderer: Smart Encoding (— becomes -); the text says the availability, so no fact line is added.
    expect(body.reply).toMatchObject({
      channel: "sms",
      renderer: "sms",
      format: "text",
      body: "Here are the details. Title merino-crew - €89.00 (In stock) https://shop.example/products/merino-crew",
    });
    expect(body.reply.text).toBe("Here are the details. Title merino-crew — €89.00 (In stock) https://shop.example/products/merino-crew");

    const again = await ok(await t.act("view_product", { ...sms("+33612345678"), input: { slug: "merino-crew" } }));
    expect(again.customer).toBe(body.customer);
    expect(t.count("customers")).toBe(1);
  });

  it("POST /v1/actions/add_to_cart captures the price at add time and merges a re-added SKU into its line", async () => {
    const t = await journeyApp();
    await t.product("merino-crew", [
      { sku: "MER-CREW-S", price: 8900, stock: 10 },
      { sku: "MER-CREW-M", price: 9900, stock: 10 },
    ]);
    const first = await ok(await t.act("add_to_cart", { ...whatsapp("wa-1"), input: { sku: "MER-CREW-M", quantity: 1 } }, { key: "k1" }));
    const cart = ACTION_HANDLERS.add_to_cart.result.parse(first.result) as { cart: any };
    expect(cart.cart.lines).toEqual([
      expect.objectContaining({
        sku: "MER-CREW-M",
        title: "Title merino-crew (M)",
        quantity: 1,
        unitPrice: expect.objectContaining({ amount: 9900, formatted: "€99.00" }),
        priceChanged: false,
      }),
    ]);
    expect(first.reply.text).toBe("Added to your cart. Title merino-crew (M) ×1 — €99.00");
    const second = await ok(await t.act("add_to_cart", { ...whatsapp("wa-1"), input: { sku: "MER-CREW-M", quantity: 2 } }, { key: "k2" }));
    expect(second.result.cart.lines).toHaveLength(1);
    expect(second.result.cart.lines[0].quantity).toBe(3);
    expect(second.result.cart).toMatchObject({ itemCount: 3, subtotal: { amount: 29700 }, version: 3 });
    const fromDb = await ok(await t.act("view_cart", { ...whatsapp("wa-1") }));
    expect(fromDb.result.cart).toEqual(second.result.cart);
  });

  it("update_quantity and remove_from_cart change lines; 0 removes; a SKU not in the cart is 404", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    await t.product("scarf", [{ sku: "SCARF-M", price: 3500, stock: 5 }]);
    const who = sms("+33600000001");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "a" }));
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "SCARF-M" } }, { key: "b" }));
    const updated = await ok(
      await t.act("update_quantity", { ...who, input: { sku: "HAT-M", quantity: 4 } }, { key: "c" }),
      "update_quantity",
    );
    expect(updated.result.cart.lines.map((l: any) => [l.sku, l.quantity])).toEqual([
      ["HAT-M", 4],
      ["SCARF-M", 1],
    ]);
    const removed = await ok(await t.act("remove_from_cart", { ...who, input: { sku: "SCARF-M" } }, { key: "d" }), "remove_from_cart");
    expect(removed.result.cart.lines.map((l: any) => l.sku)).toEqual(["HAT-M"]);
    const zero = await ok(await t.act("update_quantity", { ...who, input: { sku: "HAT-M", quantity: 0 } }, { key: "e" }));
    expect(zero.result.cart.lines).toEqual([]);
    await problem(await t.act("remove_from_cart", { ...who, input: { sku: "HAT-M" } }, { key: "f" }), 404, "not_found");
  });

  it("checkout places an order at the captured prices, empties the cart and takes the stock; order_status, cancel_order restock", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 6 }]);
    const who = sms("+33600000002");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M", quantity: 2 } }, { key: "add" }));
    const placed = await ok(await t.act("checkout", { ...who }, { key: "buy" }), "checkout");
    const order = ACTION_HANDLERS.checkout.result.parse(placed.result) as { order: any };
    expect(order.order).toMatchObject({
      status: "placed",
      channel: "sms",
      itemCount: 2,
      total: { amount: 5000, formatted: "€50.00" },
      amountDue: { amount: 5000 },
      lines: [expect.objectContaining({ sku: "HAT-M", quantity: 2, unitPrice: expect.objectContaining({ amount: 2500 }) })],
    });
    expect(order.order.number).toMatch(/^UN-[0-9A-Z]{8}$/);
    expect(placed.reply.text).toBe(`Your order is placed. ${order.order.number} — €50.00`);
    expect(t.stock("HAT-M")).toBe(4);
    expect((await ok(await t.act("view_cart", who))).result.cart.lines).toEqual([]);
    expect((await expectStatus(await t.request("GET", "/v1/products/hat"), 200)).availability).toBe("low_stock");

    const status = await ok(await t.act("order_status", { ...who, input: { orderNumber: order.order.number.toLowerCase() } }));
    expect(status.result.order.number).toBe(order.order.number);
    const cancelled = await ok(await t.act("cancel_order", { ...who, input: { orderNumber: order.order.number } }, { key: "cancel" }));
    expect(cancelled.result.order).toMatchObject({ status: "cancelled", amountDue: { amount: 0 }, cancelledAt: t.now.toISOString() });
    expect(t.stock("HAT-M")).toBe(6);
    expect((await expectStatus(await t.request("GET", "/v1/products/hat"), 200)).availability).toBe("in_stock");
    const twice = await problem(
      await t.act("cancel_order", { ...who, input: { orderNumber: order.order.number } }, { key: "cancel-2" }),
      409,
      "conflict",
    );
    expect(twice.detail).toContain("cancelled");
    await problem(await t.act("checkout", { ...who }, { key: "buy-empty" }), 422, "cart_empty");
  });

  it("request_return, notify_back_in_stock and rate_experience record what the customer asked", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 1 }]);
    await t.product("boot", [{ sku: "BOOT-M", price: 12000, stock: 0 }]);
    const who = whatsapp("wa-ret");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    const { number } = (await ok(await t.act("checkout", who, { key: "2" }))).result.order;
    const ret = await ok(await t.act("request_return", { ...who, input: { orderNumber: number, reason: "Too small" } }, { key: "3" }));
    expect(ret.result.order).toMatchObject({ status: "return_requested", returnReason: "Too small" });
    await problem(await t.act("add_to_cart", { ...who, input: { sku: "BOOT-M" } }, { key: "4" }), 409, "out_of_stock");
    const notify = await ok(
      await t.act("notify_back_in_stock", { ...who, input: { sku: "BOOT-M" } }, { key: "5" }),
      "notify_back_in_stock",
    );
    expect(notify.result).toEqual({ sku: "BOOT-M", channel: "whatsapp", availability: "out_of_stock" });
    await ok(await t.act("notify_back_in_stock", { ...who, input: { sku: "BOOT-M" } }, { key: "6" }));
    expect(t.count("stock_notifications")).toBe(1);
    const rated = await ok(
      await t.act("rate_experience", { ...who, input: { score: 4, comment: "Quick.", orderNumber: number } }, { key: "7" }),
    );
    expect(rated.result.rating).toMatchObject({ score: 4, comment: "Quick.", orderNumber: number, channel: "whatsapp" });
    expect(rated.reply.text).toBe("Thank you for your rating. ★★★★☆");
    await problem(
      await t.act("rate_experience", { ...who, input: { score: 5, orderNumber: "UN-ZZZZZZZZ" } }, { key: "8" }),
      404,
      "not_found",
    );
  });

  it("the reply is localized from the action's confirmation (body locale or Accept-Language)", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const fr = await ok(await t.act("view_cart", { ...sms("+33600000003"), locale: "fr" }));
    expect(fr.reply.text).toBe("Here is your cart. (fr)");
    const negotiated = await ok(await t.act("view_cart", sms("+33600000003"), { headers: { "accept-language": "fr-FR" } }));
    expect(negotiated.reply.text).toBe("Here is your cart. (fr)");
    expect(negotiated.result.cart.subtotal.formatted).toBe("0,00\u00a0€");
  });

  it("an action the catalogue does not have is 404; one turned off is 422", async () => {
    const t = await journeyApp({ disabled: ["rate_experience"] });
    await problem(await t.act("teleport", { ...sms("+33600000004"), input: {} }, { key: "x" }), 404, "not_found");
    await problem(await t.act("rate_experience", { ...sms("+33600000004"), input: { score: 5 } }, { key: "y" }), 422, "action_disabled");
  });
});
