import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DeliveryFile, saveDeliveryOptions } from "../../src/catalogue/delivery";
import { readContentDir } from "../../src/cli/content-files";
import { dump } from "../helpers/snapshot";
import { journeyApp, ok, problem, sms, web } from "./helpers";

const address = { name: "Ana Silva", email: "ana@example.com", street: "12 rue des Pins", postcode: "75011", city: "Paris", country: "fr" };

/** A journey app with the demo's delivery options (standard €4.90 free from €75, express €12.90, pick-up free). */
async function shop() {
  const t = await journeyApp();
  const bundle = await readContentDir(join(import.meta.dirname, "../../content"));
  await saveDeliveryOptions(t.db, DeliveryFile.parse(bundle.delivery!.data), { keyId: null, now: t.now });
  await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 10 }]);
  return t;
}

describe("checkout with a delivery option and an address", () => {
  it("stores the option, its price and the address; the total is subtotal plus delivery", async () => {
    const t = await shop();
    const who = web("sess-ana");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M", quantity: 2 } }, { key: "1" }));
    const placed = await ok(await t.act("checkout", { ...who, input: { deliveryOption: "express", address } }, { key: "2" }));
    const order = placed.result.order;
    expect(order.subtotal.amount).toBe(5000);
    expect(order.delivery).toEqual({
      option: "express",
      name: "Express delivery",
      price: { amount: 1290, currency: "EUR", formatted: "€12.90" },
      leadTimeDays: { min: 1, max: 1 },
      address: { ...address, country: "FR" },
    });
    expect(order.total.amount).toBe(6290);
    expect(order.amountDue.amount).toBe(6290);
    const row = t.db.client.prepare("SELECT delivery_option, delivery_price, total, shipping_address FROM orders").get() as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({ delivery_option: "express", delivery_price: 1290, total: 6290 });
    expect(JSON.parse(String(row.shipping_address)).city).toBe("Paris");
  });

  it("standard delivery is free from €75, as the free-shipping message says", async () => {
    const t = await shop();
    const who = web("sess-free");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M", quantity: 3 } }, { key: "1" }));
    const placed = await ok(await t.act("checkout", { ...who, input: { deliveryOption: "standard", address } }, { key: "2" }));
    expect(placed.result.order.delivery.price.amount).toBe(0);
    expect(placed.result.order.total.amount).toBe(7500);
  });

  it("a channel without an address (an SMS keyword) gets pick-up by default", async () => {
    const t = await shop();
    const who = sms("+33612345678");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    const placed = await ok(await t.act("checkout", who, { key: "2" }));
    expect(placed.result.order.delivery).toMatchObject({ option: "pickup", name: "Pick up in store", address: null });
    expect(placed.result.order.total.amount).toBe(2500);
  });

  it("bad input is a problem and changes nothing: unknown option, shipping without address, invalid address fields", async () => {
    const t = await shop();
    const who = web("sess-bad");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    const before = dump(t.db);
    const unknown = await problem(
      await t.act("checkout", { ...who, input: { deliveryOption: "drone", address } }, { key: "2" }),
      422,
      "invalid_reference",
    );
    expect(unknown.errors[0].pointer).toBe("/input/deliveryOption");
    const noAddress = await problem(
      await t.act("checkout", { ...who, input: { deliveryOption: "standard" } }, { key: "3" }),
      400,
      "validation_failed",
    );
    expect(noAddress.errors[0].pointer).toBe("/input/address");
    const badFields = await problem(
      await t.act(
        "checkout",
        { ...who, input: { deliveryOption: "standard", address: { ...address, email: "nope", country: "France", postcode: "" } } },
        { key: "4" },
      ),
      400,
      "validation_failed",
    );
    expect(badFields.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/address\/country$/),
        expect.stringMatching(/address\/email$/),
        expect.stringMatching(/address\/postcode$/),
      ]),
    );
    const extra = await problem(
      await t.act("checkout", { ...who, input: { deliveryOption: "pickup", price: 0 } }, { key: "5" }),
      400,
      "validation_failed",
    );
    expect(extra.errors[0].code).toBe("unknown_field");
    // Idempotency rows aside, nothing changed: no order, the cart and the stock as they were.
    const after = dump(t.db);
    for (const table of ["orders", "order_lines", "cart_lines", "inventory", "carts"]) expect(after[table], table).toEqual(before[table]);
  });

  it("a disabled option is not offered and cannot be chosen", async () => {
    const t = await shop();
    const options = DeliveryFile.parse((await readContentDir(join(import.meta.dirname, "../../content"))).delivery!.data);
    await saveDeliveryOptions(
      t.db,
      options.map((o) => (o.key === "express" ? { ...o, enabled: false } : o)),
      { keyId: null, now: t.now },
    );
    const who = web("sess-off");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    await problem(
      await t.act("checkout", { ...who, input: { deliveryOption: "express", address } }, { key: "2" }),
      422,
      "invalid_reference",
    );
    const listed = await (await t.request("GET", "/v1/delivery-options")).json();
    expect((listed as { data: { key: string }[] }).data.map((o) => o.key)).toEqual(["standard", "pickup"]);
  });
});

describe("the checkout's address tells staff who the customer is", () => {
  it("fills an empty profile with the address's name and email (staff find them by either), and never overwrites one", async () => {
    const t = await shop();
    const reader = await t.auth("customers:read");
    const who = web("sess-profile");
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "1" }));
    await ok(
      await t.act(
        "checkout",
        { ...who, input: { deliveryOption: "standard", address: { ...address, email: " Ana@Example.COM" } } },
        { key: "2" },
      ),
    );
    const { customer_id: id } = t.db.client.prepare("SELECT customer_id FROM orders").get() as { customer_id: string };
    const row = () => t.db.client.prepare("SELECT name, email FROM customers WHERE id = ?").get(id);
    expect(row()).toEqual({ name: "Ana Silva", email: "ana@example.com" });
    for (const q of ["ANA@example.com", "ana silva"]) {
      const found = (await (await t.request("GET", `/v1/customers?q=${encodeURIComponent(q)}`, { headers: reader })).json()) as {
        data: { id: string }[];
      };
      expect(
        found.data.map((c) => c.id),
        q,
      ).toEqual([id]);
    }
    // A second order to another name keeps what the profile already says (staff edits included).
    await ok(await t.act("add_to_cart", { ...who, input: { sku: "HAT-M" } }, { key: "3" }));
    await ok(
      await t.act(
        "checkout",
        { ...who, input: { deliveryOption: "standard", address: { ...address, name: "A. Gift", email: "gift@example.com" } } },
        { key: "4" },
      ),
    );
    expect(row()).toEqual({ name: "Ana Silva", email: "ana@example.com" });
  });
});
