import { describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client";
import type { Identity } from "../../src/journeys/channels";
import { HANDOFF_TTL_MS, HandoffIdentityTaken, previewHandoff, RedeemResultSchema, redeemHandoff } from "../../src/journeys/handoffs";
import { expectStatus } from "../helpers/app";
import { dump } from "../helpers/snapshot";
import { type JourneyApp, journeyApp, ok, problem, viewContextFor, web, whatsapp } from "./helpers";

async function chatShopperWithCart() {
  const t = await journeyApp();
  await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
  const added = await ok(await t.act("add_to_cart", { ...whatsapp("wa-shopper"), input: { sku: "HAT-M", quantity: 2 } }, { key: "add" }));
  const handed = await ok(await t.act("handoff", { ...whatsapp("wa-shopper"), input: { to: "web" } }, { key: "handoff" }), "handoff");
  return { t, customer: added.customer as string, handoff: handed.result.handoff, reply: handed.reply };
}

describe("handoffs: continue on another channel", () => {
  it("the handoff action gives a short code and a link on PUBLIC_BASE_URL, valid 30 minutes", async () => {
    const { t, handoff, reply } = await chatShopperWithCart();
    expect(handoff.code).toMatch(/^[2-9A-HJKMNP-TV-Z]{8}$/);
    expect(handoff).toMatchObject({
      url: `https://shop.example/h/${handoff.code}`,
      from: "whatsapp",
      to: "web",
      expiresAt: new Date(t.now.getTime() + HANDOFF_TTL_MS).toISOString(),
      redeemedAt: null,
    });
    expect(reply.text).toBe(`Here is your link to continue. https://shop.example/h/${handoff.code}`);
  });

  it("POST /v1/handoffs/{code}/redeem links the web session to the chat shopper: one cart, one timeline", async () => {
    const { t, customer, handoff } = await chatShopperWithCart();
    const res = await t.request("POST", `/v1/handoffs/${handoff.code.toLowerCase()}/redeem`, {
      body: { identity: { channel: "web", externalId: "sess-42" } },
      headers: t.bot,
    });
    const redeemed = RedeemResultSchema.parse(await expectStatus(res, 200));
    expect(redeemed).toMatchObject({ customer, handoff: { code: handoff.code, redeemedAt: t.now.toISOString() } });
    expect(redeemed.cart.lines.map((l) => [l.sku, l.quantity])).toEqual([["HAT-M", 2]]);

    const onWeb = await ok(await t.act("view_cart", web("sess-42")));
    expect(onWeb.customer).toBe(customer);
    expect(onWeb.result.cart.lines).toHaveLength(1);
    const timeline = await expectStatus(await t.request("GET", `/v1/customers/${customer}/timeline`, { headers: t.agent }), 200);
    expect(
      timeline.data.map((i: { channel: string; action: string | null; direction: string }) => `${i.channel}:${i.direction}:${i.action}`),
    ).toEqual([
      "whatsapp:action:add_to_cart",
      "whatsapp:outbound:add_to_cart",
      "whatsapp:action:handoff",
      "whatsapp:outbound:handoff",
      "web:action:handoff",
      "web:action:view_cart",
      "web:outbound:view_cart",
    ]);
  });

  it("a code works once: the second redemption is 409 handoff_used and changes nothing", async () => {
    const { t, handoff } = await chatShopperWithCart();
    const redeem = (session: string) =>
      t.request("POST", `/v1/handoffs/${handoff.code}/redeem`, {
        body: { identity: { channel: "web", externalId: session } },
        headers: t.bot,
      });
    const [a, b] = await Promise.all([redeem("sess-a"), redeem("sess-b")]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const before = dump(t.db);
    await problem(await redeem("sess-c"), 409, "handoff_used");
    expect(dump(t.db)).toEqual(before);
    expect(t.count("identities")).toBe(2);
  });

  it("a code expires after 30 minutes: 410 handoff_expired", async () => {
    const { t, handoff } = await chatShopperWithCart();
    t.advance(HANDOFF_TTL_MS);
    const res = await t.request("POST", `/v1/handoffs/${handoff.code}/redeem`, {
      body: { identity: { channel: "web", externalId: "sess-late" } },
      headers: t.bot,
    });
    await problem(res, 410, "handoff_expired");
    expect(t.count("identities")).toBe(1);
  });

  it("redeeming moves an identity whose customer has nothing yet (an empty cart, no orders, no details, no other channel)", async () => {
    const { t, customer, handoff } = await chatShopperWithCart();
    const stranger = await ok(await t.act("view_cart", web("sess-shared")));
    expect(stranger.customer).not.toBe(customer);
    await expectStatus(
      await t.request("POST", `/v1/handoffs/${handoff.code}/redeem`, {
        body: { identity: { channel: "web", externalId: "sess-shared" } },
        headers: t.bot,
      }),
      200,
    );
    expect((await ok(await t.act("view_cart", web("sess-shared")))).customer).toBe(customer);
  });

  /** Each history that keeps a web session with its customer, given to the session `sess-own`. */
  const histories: [string, (t: JourneyApp) => Promise<void>][] = [
    [
      "an order",
      async (t) => {
        await ok(await t.act("add_to_cart", { ...web("sess-own"), input: { sku: "HAT-M", quantity: 1 } }, { key: "own-add" }));
        await ok(await t.act("checkout", { ...web("sess-own"), input: {} }, { key: "own-checkout" }));
      },
    ],
    [
      "a cart with items",
      async (t) =>
        void (await ok(await t.act("add_to_cart", { ...web("sess-own"), input: { sku: "HAT-M" } }, { key: crypto.randomUUID() }))),
    ],
    [
      "a name or email",
      async (t) => {
        const own = await ok(await t.act("view_cart", web("sess-own")));
        t.db.client.prepare("UPDATE customers SET email = 'own@example.com' WHERE id = ?").run(own.customer);
      },
    ],
    [
      "another channel",
      async (t) => {
        const own = await ok(await t.act("view_cart", web("sess-own")));
        t.db.client
          .prepare(
            "INSERT INTO identities (id, channel, external_id, customer_id, created_at) VALUES ('idn_own_sms', 'sms', '+4790000009', ?, ?)",
          )
          .run(own.customer, t.now.toISOString());
      },
    ],
  ];

  for (const [history, give] of histories) {
    it(`never moves an identity whose customer has ${history}: 409 conflict, nothing changes, the code stays usable`, async () => {
      const { t, customer, handoff } = await chatShopperWithCart();
      await give(t);
      const owner = (await ok(await t.act("view_cart", web("sess-own")))).customer;
      expect(owner).not.toBe(customer);
      const before = dump(t.db);
      const redeem = (session: string) =>
        t.request("POST", `/v1/handoffs/${handoff.code}/redeem`, {
          body: { identity: { channel: "web", externalId: session } },
          headers: t.bot,
        });
      const refused = await problem(await redeem("sess-own"), 409, "conflict");
      expect(refused.detail).toContain("never moves it to another customer");
      expect(dump(t.db)).toEqual(before);
      expect(await previewHandoff(t.db, { code: handoff.code, identity: web("sess-own").identity as Identity }, t.now)).toMatchObject({
        join: "refused",
      });
      // The code was not spent: the chat shopper's own new browser still continues with it.
      expect(RedeemResultSchema.parse(await expectStatus(await redeem("sess-new"), 200)).customer).toBe(customer);
      expect((await ok(await t.act("view_cart", web("sess-own")))).customer).toBe(owner);
    });
  }

  it("checks the history again in the unit that moves the identity: a cart line added after the read still stops it", async () => {
    const { t, customer, handoff } = await chatShopperWithCart();
    const own = await ok(await t.act("view_cart", web("sess-own")));
    const identity = web("sess-own").identity as Identity;
    expect(await previewHandoff(t.db, { code: handoff.code, identity }, t.now)).toMatchObject({
      join: "move",
      itemCount: 2,
      from: "whatsapp",
    });
    // Another request's write lands between redeemHandoff's reads and its atomic unit (once).
    let raced = false;
    const racing: Database = {
      orm: t.db.orm,
      driver: t.db.driver,
      async atomic(build) {
        if (!raced) {
          raced = true;
          await ok(await t.act("add_to_cart", { ...web("sess-own"), input: { sku: "HAT-M" } }, { key: crypto.randomUUID() }));
        }
        return t.db.atomic(build);
      },
    };
    await expect(redeemHandoff(racing, { code: handoff.code, identity }, t.now, await viewContextFor(t.db))).rejects.toBeInstanceOf(
      HandoffIdentityTaken,
    );
    expect(raced).toBe(true);
    expect((await ok(await t.act("view_cart", web("sess-own")))).customer).toBe(own.customer);
    expect((await previewHandoff(t.db, { code: handoff.code, identity: null }, t.now)).join).toBe("new");
    expect(customer).not.toBe(own.customer);
  });

  it("previewHandoff reads and changes nothing: the code's channel and item count, and what redeeming would do", async () => {
    const { t, customer, handoff } = await chatShopperWithCart();
    const before = dump(t.db);
    expect(await previewHandoff(t.db, { code: handoff.code, identity: null }, t.now)).toEqual({
      code: handoff.code,
      from: "whatsapp",
      to: "web",
      expiresAt: handoff.expiresAt,
      itemCount: 2,
      join: "new",
    });
    const mine = whatsapp("wa-shopper").identity as Identity;
    expect((await previewHandoff(t.db, { code: handoff.code, identity: mine }, t.now)).join).toBe("same");
    expect(dump(t.db)).toEqual(before);
    await expect(previewHandoff(t.db, { code: "ZZZZZZZZ", identity: null }, t.now)).rejects.toMatchObject({ code: "not_found" });
    t.advance(HANDOFF_TTL_MS);
    await expect(previewHandoff(t.db, { code: handoff.code, identity: null }, t.now)).rejects.toMatchObject({ code: "handoff_expired" });
    expect(customer).toMatch(/^cus_/);
  });

  it("redeem: unknown code 404, malformed code or body 400, auth 401/403", async () => {
    const { t } = await chatShopperWithCart();
    const body = { identity: { channel: "web", externalId: "sess-x" } };
    await problem(await t.request("POST", "/v1/handoffs/ZZZZZZZZ/redeem", { body, headers: t.bot }), 404, "not_found");
    const bad = await problem(await t.request("POST", "/v1/handoffs/no!/redeem", { body, headers: t.bot }), 400, "validation_failed");
    expect(bad.errors[0]).toMatchObject({ in: "path", pointer: "/code" });
    const extra = await problem(
      await t.request("POST", "/v1/handoffs/ZZZZZZZZ/redeem", { body: { ...body, customer: "cus_x" }, headers: t.bot }),
      400,
      "validation_failed",
    );
    expect(extra.errors[0]).toMatchObject({ pointer: "/customer", code: "unknown_field" });
    await problem(await t.request("POST", "/v1/handoffs/ZZZZZZZZ/redeem", { body }), 401, "unauthorized");
    await problem(await t.request("POST", "/v1/handoffs/ZZZZZZZZ/redeem", { body, headers: t.agent }), 403, "insufficient_scope");
  });
});
