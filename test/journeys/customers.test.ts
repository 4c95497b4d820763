import { describe, expect, it } from "vitest";
import { CartSchema } from "../../src/journeys/carts";
import { CustomerSchema } from "../../src/journeys/customers";
import { InteractionSchema } from "../../src/journeys/interactions";
import { OrderSchema } from "../../src/journeys/orders";
import { expectStatus } from "../helpers/app";
import { compiledSql } from "../helpers/db";
import { dump } from "../helpers/snapshot";
import { journeyApp, ok, problem, sms, web, whatsapp } from "./helpers";

const UNKNOWN_CUSTOMER = "cus_00000000000000000000000000000000";

describe("customers, identities and the timeline", () => {
  it("GET /v1/customers/{id} lists the customer's identities on every channel", async () => {
    const t = await journeyApp();
    const created = await ok(await t.act("view_cart", sms("+33612345678")));
    await ok(
      await t.act("view_cart", {
        channel: "whatsapp",
        customer: created.customer,
        identity: { channel: "whatsapp", externalId: "33612345678" },
      }),
    );
    const res = await t.request("GET", `/v1/customers/${created.customer}`, { headers: t.agent });
    const body = CustomerSchema.parse(await expectStatus(res, 200));
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(body).toMatchObject({ id: created.customer, firstChannel: "sms" });
    expect(body.identities.map((i) => [i.channel, i.externalId, i.linkedAt !== null])).toEqual([
      ["sms", "+33612345678", false],
      ["whatsapp", "33612345678", true],
    ]);
    expect(body.cartId).toMatch(/^cart_/);
  });

  it("GET /v1/customers/{id}/timeline orders every channel's interactions as they happened, in stable cursor pages", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const first = await ok(await t.act("view_product", { ...whatsapp("wa-tl"), input: { slug: "hat" } }));
    const customer = first.customer as string;
    await ok(await t.act("add_to_cart", { channel: "sms", customer, input: { sku: "HAT-M" } }, { key: "1" }));
    await ok(await t.act("view_cart", { channel: "web", customer }));
    await problem(
      await t.act("remove_from_cart", { channel: "mobile", customer, input: { sku: "NOPE-M" } }, { key: "2" }),
      404,
      "not_found",
    );

    const all = await expectStatus(await t.request("GET", `/v1/customers/${customer}/timeline`, { headers: t.agent }), 200);
    const items = (all.data as unknown[]).map((i) => InteractionSchema.parse(i));
    expect(items.map((i) => [i.channel, i.direction, i.action])).toEqual([
      ["whatsapp", "action", "view_product"],
      ["whatsapp", "outbound", "view_product"],
      ["sms", "action", "add_to_cart"],
      ["sms", "outbound", "add_to_cart"],
      ["web", "action", "view_cart"],
      ["web", "outbound", "view_cart"],
      ["mobile", "action", "remove_from_cart"],
    ]);
    expect(items[2]).toMatchObject({ summary: "Added 1 × HAT-M", payload: { input: { sku: "HAT-M", quantity: 1 }, status: 200 } });
    expect(items[3]?.summary).toBe("Added to your cart. Title hat ×1 — €25.00");
    expect(items[6]).toMatchObject({ payload: { status: 404, code: "not_found" } });

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const path = `/v1/customers/${customer}/timeline?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await expectStatus(await t.request("GET", path, { headers: t.agent }), 200);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
      // A new interaction mid-way does not disturb the pages already read.
      if (seen.length === 3) await ok(await t.act("view_cart", { channel: "telegram", customer }));
    } while (cursor);
    expect(seen.slice(0, 7)).toEqual(items.map((i) => i.id));
    expect(seen).toHaveLength(9);

    const newest = await expectStatus(
      await t.request("GET", `/v1/customers/${customer}/timeline?order=desc&limit=1&channel=sms`, { headers: t.agent }),
      200,
    );
    expect(newest.data.map((i: { channel: string; direction: string }) => [i.channel, i.direction])).toEqual([["sms", "outbound"]]);
    const mixed = await t.request("GET", `/v1/customers/${customer}/timeline?order=desc&cursor=${newest.nextCursor}`, { headers: t.agent });
    await problem(mixed, 400, "invalid_cursor");
  });

  it("GET /v1/customers/{id}/cart and /orders show the one cart and the order history of every channel", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const first = await ok(await t.act("add_to_cart", { ...sms("+33600000010"), input: { sku: "HAT-M" } }, { key: "1" }));
    const customer = first.customer as string;
    await ok(await t.act("checkout", { channel: "sms", customer }, { key: "2" }));
    await ok(await t.act("add_to_cart", { channel: "web", customer, input: { sku: "HAT-M", quantity: 2 } }, { key: "3" }));
    await ok(await t.act("checkout", { channel: "web", customer }, { key: "4" }));
    await ok(await t.act("add_to_cart", { channel: "mobile", customer, input: { sku: "HAT-M" } }, { key: "5" }));

    const cart = CartSchema.parse(
      await expectStatus(await t.request("GET", `/v1/customers/${customer}/cart?locale=fr`, { headers: t.agent }), 200),
    );
    expect(cart.lines.map((l) => [l.sku, l.quantity, l.unitPrice.formatted])).toEqual([["HAT-M", 1, "25,00\u00a0€"]]);
    const orders = await expectStatus(await t.request("GET", `/v1/customers/${customer}/orders?limit=1`, { headers: t.agent }), 200);
    expect((orders.data as unknown[]).map((o) => OrderSchema.parse(o)).map((o) => [o.channel, o.itemCount])).toEqual([["web", 2]]);
    const older = await expectStatus(
      await t.request("GET", `/v1/customers/${customer}/orders?limit=1&cursor=${orders.nextCursor}`, { headers: t.agent }),
      200,
    );
    expect(older.data.map((o: { channel: string }) => o.channel)).toEqual(["sms"]);
    expect(older.nextCursor).toBeNull();
  });

  it("order and timeline pages carry their own orders' lines, and compile no SQL once warm", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 20 }]);
    const first = await ok(await t.act("add_to_cart", { ...sms("+33600000012"), input: { sku: "HAT-M" } }, { key: "1" }));
    const customer = first.customer as string;
    await ok(await t.act("checkout", { channel: "sms", customer }, { key: "2" }));
    for (const [channel, quantity, key] of [
      ["web", 2, "3"],
      ["mobile", 3, "5"],
    ] as const) {
      await ok(await t.act("add_to_cart", { channel, customer, input: { sku: "HAT-M", quantity } }, { key }));
      await ok(await t.act("checkout", { channel, customer }, { key: `${key}b` }));
    }
    const get = async (path: string) => expectStatus(await t.request("GET", `/v1/customers/${customer}${path}`, { headers: t.agent }), 200);
    const orders = (page: { data: unknown[] }) =>
      page.data.map((o) => OrderSchema.parse(o)).map((o) => [o.channel, o.itemCount, o.lines.map((l) => l.quantity)]);
    const newest = await get("/orders?limit=2");
    expect(orders(newest)).toEqual([
      ["mobile", 3, [3]],
      ["web", 2, [2]],
    ]);
    const oldest = await get(`/orders?limit=2&cursor=${newest.nextCursor}`);
    expect(orders(oldest)).toEqual([["sms", 1, [1]]]);
    expect(oldest.nextCursor).toBeNull();
    const timeline = await get("/timeline?order=desc&limit=2");
    const paths = [
      "/orders?limit=2",
      `/orders?limit=2&cursor=${newest.nextCursor}`,
      "/timeline",
      "/timeline?order=desc&limit=2",
      `/timeline?order=desc&limit=2&cursor=${timeline.nextCursor}`,
      "/timeline?channel=web&limit=1",
    ];
    const { compiled, restore } = compiledSql(t.db);
    try {
      for (const path of paths) await get(path);
      compiled.length = 0;
      for (const path of paths) await get(path);
      expect(compiled).toEqual([]);
    } finally {
      restore();
    }
    // Each shape answers with its own values: a channel filter, the page after a cursor, newest first.
    const web = await get("/timeline?channel=web&limit=50");
    expect(web.data.length).toBeGreaterThan(0);
    expect(web.data.every((i: { channel: string }) => i.channel === "web")).toBe(true);
    const after = await get(`/timeline?order=desc&limit=2&cursor=${timeline.nextCursor}`);
    const seqs = [...timeline.data, ...after.data].map((i: { at: string; id: string }) => i.id);
    expect(new Set(seqs).size).toBe(4);
    const all = await get("/timeline?limit=100");
    expect([...timeline.data, ...after.data].map((i: { id: string }) => i.id)).toEqual(
      all.data
        .map((i: { id: string }) => i.id)
        .reverse()
        .slice(0, 4),
    );
  });

  it("an action's reads and a cart read compile no SQL once warm: only an action's writes are statements of its own", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const first = await ok(await t.act("add_to_cart", { ...sms("+33600000011"), input: { sku: "HAT-M" } }, { key: "1" }));
    const customer = first.customer as string;
    const { compiled, restore } = compiledSql(t.db);
    try {
      const calls: [string, () => Promise<Response>][] = [
        ["view_cart", () => t.act("view_cart", { ...sms("+33600000011") }, { key: crypto.randomUUID() })],
        [
          "update_quantity",
          () => t.act("update_quantity", { ...sms("+33600000011"), input: { sku: "HAT-M", quantity: 2 } }, { key: crypto.randomUUID() }),
        ],
        ["GET cart", () => t.request("GET", `/v1/customers/${customer}/cart`, { headers: t.agent })],
      ];
      for (const [name, call] of calls) {
        await expectStatus(await call(), 200);
        compiled.length = 0;
        await expectStatus(await call(), 200);
        // The customer, the identity, the cart and its lines, the catalogue, the delivery options and the answers
        // due after a write are read by statements prepared once; a write (a claim, a line, the timeline) is built.
        expect(
          compiled.filter((source) => /^\s*select/i.test(source)),
          name,
        ).toEqual([]);
        if (name === "GET cart") expect(compiled).toEqual([]);
      }
    } finally {
      restore();
    }
  });

  it("customer reads need customers:read (401 without a key, 403 with another scope); unknown ids are 404, malformed 400", async () => {
    const t = await journeyApp();
    const created = await ok(await t.act("view_cart", sms("+33600000011")));
    for (const path of ["", "/timeline", "/cart", "/orders"]) {
      const url = `/v1/customers/${created.customer}${path}`;
      await problem(await t.request("GET", url), 401, "unauthorized");
      await problem(await t.request("GET", url, { headers: t.bot }), 403, "insufficient_scope");
      await expectStatus(await t.request("GET", url, { headers: t.agent }), 200);
      await problem(await t.request("GET", `/v1/customers/${UNKNOWN_CUSTOMER}${path}`, { headers: t.agent }), 404, "not_found");
      const bad = await problem(await t.request("GET", `/v1/customers/nobody${path}`, { headers: t.agent }), 400, "validation_failed");
      expect(bad.errors).toEqual([expect.objectContaining({ in: "path", pointer: "/id" })]);
    }
    await problem(
      await t.request("GET", `/v1/customers/${created.customer}/timeline?limit=500`, { headers: t.agent }),
      400,
      "validation_failed",
    );
  });
});

describe("POST /v1/actions/{key}: who may act for whom, and what is accepted", () => {
  it("needs actions:invoke: 401 without a key, 403 with a read scope", async () => {
    const t = await journeyApp();
    const body = { ...sms("+33600000020"), input: {} };
    await problem(await t.request("POST", "/v1/actions/view_cart", { body }), 401, "unauthorized");
    await problem(await t.request("POST", "/v1/actions/view_cart", { body, headers: t.agent }), 403, "insufficient_scope");
    expect(t.count("customers")).toBe(0);
  });

  it("customers reach only their own data: a customer id with another customer's identity is 403 and changes nothing", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const alice = await ok(await t.act("add_to_cart", { ...sms("+33600000021"), input: { sku: "HAT-M" } }, { key: "a" }));
    const bob = await ok(await t.act("view_cart", sms("+33600000022")));
    const before = dump(t.db);
    const res = await t.act("view_cart", {
      channel: "sms",
      customer: bob.customer,
      identity: { channel: "sms", externalId: "+33600000021" },
    });
    await problem(res, 403, "forbidden");
    const write = await t.act(
      "checkout",
      { channel: "sms", customer: bob.customer, identity: { channel: "sms", externalId: "+33600000021" } },
      { key: "steal" },
    );
    await problem(write, 403, "forbidden");
    expect(dump(t.db)).toEqual(before);
    // Another customer's order number is simply not found.
    const { number } = (await ok(await t.act("checkout", { channel: "sms", customer: alice.customer }, { key: "b" }))).result.order;
    await problem(
      await t.act("order_status", { channel: "sms", customer: bob.customer, input: { orderNumber: number } }),
      404,
      "not_found",
    );
    await problem(
      await t.act("cancel_order", { channel: "sms", customer: bob.customer, input: { orderNumber: number } }, { key: "c" }),
      404,
      "not_found",
    );
  });

  it("an unknown customer id is 404", async () => {
    const t = await journeyApp();
    await problem(await t.act("view_cart", { channel: "web", customer: UNKNOWN_CUSTOMER }), 404, "not_found");
  });

  it("refuses unknown fields (a price in add_to_cart's input, an id in the envelope) by JSON Pointer", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const priced = await problem(
      await t.act("add_to_cart", { ...sms("+33600000030"), input: { sku: "HAT-M", quantity: 1, price: 1 } }, { key: "p" }),
      400,
      "validation_failed",
    );
    expect(priced.errors).toEqual([
      { in: "body", pointer: "/input/price", code: "unknown_field", message: 'Unknown or read-only field "price".' },
    ]);
    const envelope = await problem(await t.act("view_cart", { ...sms("+33600000030"), cartId: "x" }), 400, "validation_failed");
    expect(envelope.errors).toEqual([expect.objectContaining({ pointer: "/cartId", code: "unknown_field" })]);
    expect(t.count("customers")).toBe(0);
    expect(t.count("cart_lines")).toBe(0);
  });

  it("validation errors point at each failing field of the envelope and of the action's input", async () => {
    const t = await journeyApp();
    const cases: [string, Record<string, unknown>, string[]][] = [
      ["add_to_cart", { ...sms("+33600000031"), input: { sku: "hat", quantity: 0 } }, ["/input/sku", "/input/quantity"]],
      ["add_to_cart", { ...sms("+33600000031"), input: {} }, ["/input/sku"]],
      ["add_to_cart", { ...sms("+33600000031"), input: "HAT-M" }, ["/input"]],
      ["rate_experience", { ...sms("+33600000031"), input: { score: 6 } }, ["/input/score"]],
      ["handoff", { ...sms("+33600000031"), input: { to: "fax" } }, ["/input/to"]],
      ["view_cart", { channel: "sms" }, ["/identity"]],
      ["view_cart", { channel: "pigeon", identity: { channel: "sms", externalId: "+33600000031" } }, ["/channel"]],
      ["view_cart", { channel: "sms", identity: { channel: "sms", externalId: "0600000031" } }, ["/identity/externalId"]],
      ["view_cart", { channel: "sms", customer: "alice" }, ["/customer"]],
    ];
    for (const [action, body, pointers] of cases) {
      const res = await t.act(action, body, { key: `v-${pointers.join()}` });
      const problemBody = await problem(res, 400, "validation_failed");
      expect(
        problemBody.errors.map((e: { pointer: string }) => e.pointer),
        `${action} ${JSON.stringify(body)}`,
      ).toEqual(pointers);
    }
    expect(t.count("customers")).toBe(0);
    expect(t.count("idempotency_keys")).toBe(0);
  });

  it("refuses a non-JSON body with 415 and an empty one with 400", async () => {
    const t = await journeyApp();
    const form = await t.request("POST", "/v1/actions/view_cart", {
      body: "channel=sms",
      headers: { ...t.bot, "content-type": "application/x-www-form-urlencoded" },
    });
    await problem(form, 415, "unsupported_media_type");
    await problem(await t.request("POST", "/v1/actions/view_cart", { headers: t.bot }), 400, "validation_failed");
  });

  it("a customer id plus an identity never seen links the identity to that customer", async () => {
    const t = await journeyApp();
    const first = await ok(await t.act("view_cart", web("sess-1")));
    const linked = await ok(
      await t.act("view_cart", { channel: "mobile", customer: first.customer, identity: { channel: "mobile", externalId: "device-9" } }),
    );
    expect(linked.customer).toBe(first.customer);
    const viaDevice = await ok(await t.act("view_cart", { channel: "mobile", identity: { channel: "mobile", externalId: "device-9" } }));
    expect(viaDevice.customer).toBe(first.customer);
    expect(t.count("customers")).toBe(1);
  });
});
