import { describe, expect, it } from "vitest";
import { HANDOFF_TTL_MS, RedeemResultSchema } from "../../src/journeys/handoffs";
import { expectStatus } from "../helpers/app";
import { dump } from "../helpers/snapshot";
import { journeyApp, ok, problem, web, whatsapp } from "./helpers";

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

  it("redeeming moves an identity that belonged to someone else; its old customer keeps what they had", async () => {
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
