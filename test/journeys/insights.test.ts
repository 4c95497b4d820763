import { describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, expectStatus, patchDraft } from "../helpers/app";
import { CONTENT_DIR } from "../helpers/demo";
import { journeyApp } from "./helpers";

describe("GET /v1/insights/channels", () => {
  it("counts interactions, customers on several channels, orders, conversion, CSAT, handoffs and open cases per channel", async () => {
    const j = await journeyApp();
    await j.product("wool-hat", [{ sku: "WOOL-HAT-M", price: 2500, stock: 10 }]);
    const ana = { channel: "sms", identity: { channel: "sms", externalId: "+4791111111" } };
    const ben = { channel: "whatsapp", identity: { channel: "whatsapp", externalId: "4792222222" } };
    let k = 0;
    const act = async (who: Record<string, unknown>, action: string, input: Record<string, unknown> = {}) =>
      expectStatus(await j.act(action, { ...who, input }, { key: `k${++k}` }), 200);

    const added = await act(ana, "add_to_cart", { sku: "WOOL-HAT-M", quantity: 1 });
    const anaId = added.customer as string;
    await act(ana, "handoff", { to: "web" });
    await act({ channel: "web", customer: anaId }, "checkout");
    await act({ channel: "web", customer: anaId }, "rate_experience", { score: 5 });
    await act(ben, "view_cart");
    await act(ben, "contact_agent", { message: "Where is my parcel?" });
    await act(ben, "rate_experience", { score: 3 });

    const res = await j.request("GET", "/v1/insights/channels", { headers: j.agent });
    const insights = await expectStatus(res, 200);
    const ch = (name: string) => insights.channels.find((c: { channel: string }) => c.channel === name);
    expect(ch("sms")).toMatchObject({ customers: 1, orders: 0 });
    expect(ch("web")).toMatchObject({ customers: 1, orders: 1, conversion: 1, csat: { ratings: 1, average: 5 } });
    expect(ch("whatsapp")).toMatchObject({ customers: 1, orders: 0, conversion: 0, openCases: 1, csat: { ratings: 1, average: 3 } });
    expect(insights.totals).toMatchObject({ customers: 2, multiChannelCustomers: 1, orders: 1, conversion: 0.5, openCases: 1 });
    expect(insights.totals.csat).toEqual({ ratings: 2, average: 4, distribution: { "1": 0, "2": 0, "3": 1, "4": 0, "5": 1 } });
    expect(insights.handoffs).toEqual([{ from: "sms", to: "web", created: 1, redeemed: 0 }]);
    expect(insights.totals.nps).toEqual({ responses: 0, promoters: 0, passives: 0, detractors: 0, score: null });
    const sms = ch("sms");
    expect(sms.interactions).toBeGreaterThan(0);
    expect(insights.totals.interactions).toBe(insights.channels.reduce((s: number, c: { interactions: number }) => s + c.interactions, 0));
  });

  it("computes exact NPS, CSAT, conversion, handoff and journey figures on seeded journeys with known answers", async () => {
    const j = await journeyApp();
    await j.product("wool-hat", [{ sku: "WOOL-HAT-M", price: 2500, stock: 50 }]);
    let k = 0;
    // Half an hour between steps, so effort (time to an order) has known values.
    const act = async (who: Record<string, unknown>, action: string, input: Record<string, unknown> = {}) => {
      j.advance(30 * 60_000);
      return expectStatus(await j.act(action, { ...who, input }, { key: `s${++k}` }), 200);
    };
    const start = async (channel: string, id: string) => {
      const who = { channel, identity: { channel, externalId: id } };
      const added = await act(who, "add_to_cart", { sku: "WOOL-HAT-M", quantity: 1 });
      return { who, id: added.customer as string };
    };
    // Five journeys, answers known in advance:
    // 1. SMS → web, orders on web, NPS 10 and CSAT 5 on web.
    const a = await start("sms", "+4791000001");
    await act(a.who, "handoff", { to: "web" });
    await act({ channel: "web", customer: a.id }, "checkout");
    await act({ channel: "web", customer: a.id }, "recommend", { likelihood: 10 });
    await act({ channel: "web", customer: a.id }, "rate_experience", { score: 5 });
    // 2. SMS only, orders, NPS 6 on SMS (a detractor), CSAT 2.
    const b = await start("sms", "+4791000002");
    await act(b.who, "checkout");
    await act(b.who, "recommend", { likelihood: 6 });
    await act(b.who, "rate_experience", { score: 2 });
    // 3. WhatsApp → mobile, no order, NPS 8 on mobile (passive), a case left open.
    const c = await start("whatsapp", "4792000003");
    await act(c.who, "handoff", { to: "mobile" });
    await act({ channel: "mobile", customer: c.id }, "recommend", { likelihood: 8 });
    await act({ channel: "mobile", customer: c.id }, "contact_agent", { message: "Sizes?" });
    // 4. Web only, orders, NPS 9 (promoter).
    const d = await start("web", "web-4");
    await act(d.who, "checkout");
    await act(d.who, "recommend", { likelihood: 9 });
    // 5. WhatsApp only, drops: NPS 0 (detractor).
    const e = await start("whatsapp", "4792000005");
    await act(e.who, "recommend", { likelihood: 0 });

    const insights = await expectStatus(await j.request("GET", "/v1/insights/channels", { headers: j.agent }), 200);
    const ch = (name: string) => insights.channels.find((x: { channel: string }) => x.channel === name);
    const nps = (responses: number, promoters: number, passives: number, detractors: number, score: number | null) => ({
      responses,
      promoters,
      passives,
      detractors,
      score,
    });
    // Where the answer was given.
    expect(ch("web").nps).toEqual(nps(2, 2, 0, 0, 100));
    expect(ch("sms").nps).toEqual(nps(1, 0, 0, 1, -100));
    expect(ch("mobile").nps).toEqual(nps(1, 0, 1, 0, 0));
    expect(ch("whatsapp").nps).toEqual(nps(1, 0, 0, 1, -100));
    // Where the journey started: SMS (10, 6), WhatsApp (8, 0), web (9).
    expect(ch("sms").npsByJourneyStart).toEqual(nps(2, 1, 0, 1, 0));
    expect(ch("whatsapp").npsByJourneyStart).toEqual(nps(2, 0, 1, 1, -50));
    expect(ch("web").npsByJourneyStart).toEqual(nps(1, 1, 0, 0, 100));
    expect(ch("mobile").npsByJourneyStart).toEqual(nps(0, 0, 0, 0, null));
    // 5 answers: promoters 10, 9; detractors 6, 0 → (2 − 2) / 5 = 0.
    expect(insights.totals.nps).toEqual(nps(5, 2, 1, 2, 0));
    expect(insights.totals.csat).toEqual({ ratings: 2, average: 3.5, distribution: { "1": 0, "2": 1, "3": 0, "4": 0, "5": 1 } });
    // Orders: web (a, d), SMS (b); conversion = buyers ÷ active customers.
    expect(ch("web")).toMatchObject({ customers: 2, orders: 2, conversion: 1 });
    expect(ch("sms")).toMatchObject({ customers: 2, orders: 1, conversion: 0.5 });
    expect(ch("whatsapp")).toMatchObject({ customers: 2, orders: 0, conversion: 0 });
    expect(ch("mobile")).toMatchObject({ customers: 1, orders: 0, conversion: 0, openCases: 1 });
    expect(insights.totals).toMatchObject({ customers: 5, multiChannelCustomers: 2, orders: 3, conversion: 0.6, openCases: 1 });
    expect(insights.handoffs).toEqual([
      { from: "sms", to: "web", created: 1, redeemed: 0 },
      { from: "whatsapp", to: "mobile", created: 1, redeemed: 0 },
    ]);

    const journeys = await expectStatus(await j.request("GET", "/v1/insights/journeys", { headers: j.agent }), 200);
    const startsOn = (channel: string) => journeys.starts.find((x: { channel: string }) => x.channel === channel);
    expect(startsOn("sms")).toEqual({ channel: "sms", journeys: 2, ordered: 2, caseOnly: 0, dropped: 0 });
    expect(startsOn("whatsapp")).toEqual({ channel: "whatsapp", journeys: 2, ordered: 0, caseOnly: 1, dropped: 1 });
    expect(startsOn("web")).toEqual({ channel: "web", journeys: 1, ordered: 1, caseOnly: 0, dropped: 0 });
    expect(journeys.ends.filter((e: { orders: number }) => e.orders)).toEqual([
      { channel: "sms", orders: 1 },
      { channel: "web", orders: 2 },
    ]);
    // Single-channel: b, d, e (two orders of €25); cross-channel: a, c (one order).
    expect(journeys.crossChannel).toEqual([
      { channels: 1, customers: 3, orders: 2, revenue: 5000, ordersPerCustomer: 0.67, revenuePerCustomer: 1667 },
      { channels: 2, customers: 2, orders: 1, revenue: 2500, ordersPerCustomer: 0.5, revenuePerCustomer: 1250 },
      { channels: 3, customers: 0, orders: 0, revenue: 0, ordersPerCustomer: null, revenuePerCustomer: null },
    ]);
    // Each action is two timeline entries (the action and its reply); steps are 30 minutes apart.
    expect(journeys.effort).toEqual([
      { path: ["sms"], journeys: 1, reached: 1, interactions: 4, hours: 0.5 },
      { path: ["sms", "web"], journeys: 1, reached: 1, interactions: 6, hours: 1 },
      { path: ["web"], journeys: 1, reached: 1, interactions: 4, hours: 0.5 },
      { path: ["whatsapp"], journeys: 1, reached: 0, interactions: null, hours: null },
      { path: ["whatsapp", "mobile"], journeys: 1, reached: 0, interactions: null, hours: null },
    ]);
    expect(journeys.consistency).toEqual([]);
  });

  it("reports the violations forced publishes let through, per day, channel and rule, from the audit log", async () => {
    const t = await createTestApp();
    await importContent(t.db, await readContentDir(CONTENT_DIR), { keyId: null, now: t.now });
    const editor = await t.auth("catalog:write", "catalog:publish");
    // A new English title leaves the SMS title override stale: one violation, published anyway.
    const patched = await patchDraft(t, editor, "/v1/admin/products/merino-crew-sweater", { title: { en: "Merino crew-neck jumper" } });
    const forced = await t.request("POST", "/v1/admin/products/merino-crew-sweater/publish", {
      headers: { ...editor, "if-match": `"v${patched.version}"` },
      body: { force: { reason: "SMS copy follows" } },
    });
    expect(forced.status).toBe(200);
    const reader = await t.auth("customers:read");
    const journeys = await expectStatus(await t.request("GET", "/v1/insights/journeys", { headers: reader }), 200);
    expect(journeys.consistency).toEqual([
      { day: t.now.toISOString().slice(0, 10), channel: "sms", rule: "stale_override", violations: 1 },
    ]);
    const before = await expectStatus(
      await t.request("GET", "/v1/insights/journeys?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z", { headers: reader }),
      200,
    );
    expect(before.consistency).toEqual([]);
  });

  it("respects the period, refuses an inverted or over-long one, and needs customers:read", async () => {
    const j = await journeyApp();
    const empty = await expectStatus(
      await j.request("GET", "/v1/insights/channels?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z", { headers: j.agent }),
      200,
    );
    expect(empty.totals.customers).toBe(0);
    expect(
      (await j.request("GET", "/v1/insights/channels?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", { headers: j.agent })).status,
    ).toBe(400);
    expect(
      (await j.request("GET", "/v1/insights/channels?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", { headers: j.agent })).status,
    ).toBe(400);
    expect((await j.request("GET", "/v1/insights/channels")).status).toBe(401);
    expect((await j.request("GET", "/v1/insights/channels", { headers: j.bot })).status).toBe(403);
  });
});
