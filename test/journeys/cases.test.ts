import { describe, expect, it } from "vitest";
import { CaseSchema, CaseSummarySchema } from "../../src/journeys/cases";
import { expectStatus } from "../helpers/app";
import { journeyApp, ok, problem, sms, whatsapp } from "./helpers";

describe("agent cases", () => {
  it("contact_agent opens a case carrying the cross-channel timeline and the cart; asking again returns the open case", async () => {
    const t = await journeyApp();
    await t.product("hat", [{ sku: "HAT-M", price: 2500, stock: 5 }]);
    const first = await ok(await t.act("add_to_cart", { ...whatsapp("wa-help"), input: { sku: "HAT-M" } }, { key: "1" }));
    const customer = first.customer as string;
    await ok(await t.act("view_cart", { channel: "sms", customer }));
    const opened = await ok(
      await t.act("contact_agent", { channel: "sms", customer, input: { message: "Where is my parcel?" } }, { key: "2" }),
      "contact_agent",
    );
    expect(opened.result).toMatchObject({
      reused: false,
      case: { status: "open", channel: "sms", message: "Where is my parcel?", customer },
    });
    expect(opened.reply.text).toBe("An agent will reply shortly.");

    const again = await ok(await t.act("contact_agent", { channel: "whatsapp", customer }, { key: "3" }));
    expect(again.result).toMatchObject({ reused: true, case: { id: opened.result.case.id } });
    expect(t.count("cases")).toBe(1);

    const res = await t.request("GET", `/v1/cases/${opened.result.case.id}`, { headers: t.agent });
    const full = CaseSchema.parse(await expectStatus(res, 200));
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(full.snapshot.timeline.map((i) => `${i.channel}:${i.direction}:${i.action}`)).toEqual([
      "whatsapp:action:add_to_cart",
      "whatsapp:outbound:add_to_cart",
      "sms:action:view_cart",
      "sms:outbound:view_cart",
    ]);
    expect(full.snapshot.cart.lines.map((l) => [l.sku, l.quantity])).toEqual([["HAT-M", 1]]);
  });

  it("GET /v1/cases lists cases newest first, filtered by status and customer; POST …/close closes once", async () => {
    const t = await journeyApp();
    const ids: string[] = [];
    for (const phone of ["+33600000101", "+33600000102", "+33600000103"]) {
      ids.push((await ok(await t.act("contact_agent", sms(phone), { key: phone }))).result.case.id);
    }
    const list = await expectStatus(await t.request("GET", "/v1/cases?limit=2", { headers: t.agent }), 200);
    expect(list.data.map((c: unknown) => CaseSummarySchema.parse(c).id)).toEqual([ids[2], ids[1]]);
    const rest = await expectStatus(await t.request("GET", `/v1/cases?limit=2&cursor=${list.nextCursor}`, { headers: t.agent }), 200);
    expect(rest.data.map((c: { id: string }) => c.id)).toEqual([ids[0]]);

    const closed = await expectStatus(
      await t.request("POST", `/v1/cases/${ids[1]}/close`, { body: { resolution: "Parcel re-sent." }, headers: t.bot }),
      200,
    );
    expect(closed).toMatchObject({ status: "closed", resolution: "Parcel re-sent.", closedAt: t.now.toISOString() });
    t.advance(60_000);
    const twice = await expectStatus(await t.request("POST", `/v1/cases/${ids[1]}/close`, { headers: t.bot }), 200);
    expect(twice).toEqual(closed);
    const open = await expectStatus(await t.request("GET", "/v1/cases?status=open", { headers: t.agent }), 200);
    expect(open.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[0]]);
    const byCustomer = await expectStatus(await t.request("GET", `/v1/cases?customer=${closed.customer}`, { headers: t.agent }), 200);
    expect(byCustomer.data.map((c: { status: string }) => c.status)).toEqual(["closed"]);
    const timeline = await expectStatus(await t.request("GET", `/v1/customers/${closed.customer}/timeline`, { headers: t.agent }), 200);
    expect(timeline.data.filter((i: { summary: string }) => i.summary.startsWith("Agent case closed"))).toHaveLength(1);

    // Closed, the customer may open a new one.
    const reopened = await ok(await t.act("contact_agent", { channel: "sms", customer: closed.customer }, { key: "again" }));
    expect(reopened.result.reused).toBe(false);
  });

  it("cases: reads need customers:read, closing needs actions:invoke; unknown 404, malformed 400, unknown fields refused", async () => {
    const t = await journeyApp();
    const id = (await ok(await t.act("contact_agent", sms("+33600000104"), { key: "k" }))).result.case.id as string;
    await problem(await t.request("GET", "/v1/cases"), 401, "unauthorized");
    await problem(await t.request("GET", "/v1/cases", { headers: t.bot }), 403, "insufficient_scope");
    await problem(await t.request("GET", `/v1/cases/${id}`, { headers: t.bot }), 403, "insufficient_scope");
    await problem(await t.request("POST", `/v1/cases/${id}/close`, { headers: t.agent }), 403, "insufficient_scope");
    await problem(await t.request("POST", `/v1/cases/${id}/close`), 401, "unauthorized");
    const missing = "case_00000000000000000000000000000000";
    await problem(await t.request("GET", `/v1/cases/${missing}`, { headers: t.agent }), 404, "not_found");
    await problem(await t.request("POST", `/v1/cases/${missing}/close`, { headers: t.bot }), 404, "not_found");
    const bad = await problem(await t.request("GET", "/v1/cases/nope", { headers: t.agent }), 400, "validation_failed");
    expect(bad.errors[0]).toMatchObject({ in: "path", pointer: "/id" });
    const extra = await problem(
      await t.request("POST", `/v1/cases/${id}/close`, { body: { status: "open" }, headers: t.bot }),
      400,
      "validation_failed",
    );
    expect(extra.errors[0]).toMatchObject({ pointer: "/status", code: "unknown_field" });
    await problem(await t.request("GET", "/v1/cases?status=pending", { headers: t.agent }), 400, "validation_failed");
  });
});
