import { describe, expect, it } from "vitest";
import { expectStatus } from "../helpers/app";
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
    expect(insights.nps).toBeNull();
    const sms = ch("sms");
    expect(sms.interactions).toBeGreaterThan(0);
    expect(insights.totals.interactions).toBe(insights.channels.reduce((s: number, c: { interactions: number }) => s + c.interactions, 0));
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
