/**
 * Customers' optional profile (name, email) and finding customers by it:
 * `PATCH /v1/customers/{id}` (merge-patch, `customers:write`), the exported
 * `setCustomerProfile`, and `GET /v1/customers?q=` by name,
 * email and phone number in any spelling. Nothing personal reaches the log.
 */
import { describe, expect, it } from "vitest";
import type { JourneyChannel } from "../../src/journeys/channels";
import { resolveCustomer, setCustomerProfile } from "../../src/journeys/customers";
import { ApiError } from "../../src/lib/errors";
import { createTestApp, type TestApp } from "../helpers/app";

async function setup() {
  const t = await createTestApp();
  const reader = await t.auth("customers:read");
  const writer = await t.auth("customers:write");
  /** A customer first seen on a channel, as an inbound webhook would create them. */
  const customer = async (channel: JourneyChannel, externalId: string) =>
    (await resolveCustomer(t.db, { identity: { channel, externalId }, channel }, t.now)).customer.id;
  const patch = (id: string, body: unknown, headers: Record<string, string> = writer) =>
    t.app.request(`/v1/customers/${id}`, {
      method: "PATCH",
      headers: { ...headers, "content-type": "application/merge-patch+json" },
      body: JSON.stringify(body),
    });
  const search = async (q: string) => {
    const res = await t.request("GET", `/v1/customers?q=${encodeURIComponent(q)}`, { headers: reader });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { id: string }[] }).data.map((c) => c.id);
  };
  return { t, customer, patch, search, reader, writer };
}

const profile = (t: TestApp, id: string) =>
  t.db.client.prepare("SELECT name, name_key AS nameKey, email FROM customers WHERE id = ?").get(id) as Record<string, unknown>;

describe("customer profile (PATCH /v1/customers/{id})", () => {
  it("sets name and email as a merge patch: email validated, trimmed, lower-cased; null removes; omitted stays; audited without values", async () => {
    const { t, customer, patch, reader } = await setup();
    const id = await customer("sms", "+4791234567");
    const res = await patch(id, { name: "  Ingrid Berg ", email: " Ingrid.Berg@Example.COM " });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, name: "Ingrid Berg", email: "ingrid.berg@example.com" });
    const read = await t.request("GET", `/v1/customers/${id}`, { headers: reader });
    expect(await read.json()).toMatchObject({ name: "Ingrid Berg", email: "ingrid.berg@example.com" });

    expect((await patch(id, { email: null })).status).toBe(200);
    expect(profile(t, id)).toEqual({ name: "Ingrid Berg", nameKey: "ingrid berg", email: null });

    const audit = t.db.client.prepare("SELECT * FROM audit_log WHERE action = 'customer.update'").all();
    expect(audit).toHaveLength(2);
    expect(JSON.stringify(audit)).not.toMatch(/Ingrid|example\.com/i);
  });

  it("refuses a bad email, a blank or control-character name and unknown fields with problem+json, changing nothing; needs customers:write", async () => {
    const { t, customer, patch, reader } = await setup();
    const id = await customer("sms", "+4791234567");
    await patch(id, { name: "Ingrid", email: "ingrid@example.com" });
    for (const body of [{ email: "not-an-email" }, { email: "a@b@c.com" }, { name: "   " }, { name: "Ing\u0007rid" }, { nickname: "x" }]) {
      const res = await patch(id, body);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { code: string }).code).toBe("validation_failed");
    }
    expect(profile(t, id)).toMatchObject({ name: "Ingrid", email: "ingrid@example.com" });
    expect((await patch(id, { name: "X" }, reader)).status).toBe(403);
    expect((await patch("cus_0123456789abcdef0123456789abcdef", { name: "X" })).status).toBe(404);
    expect(profile(t, id)).toMatchObject({ name: "Ingrid" });
  });

  it("setCustomerProfile (for the checkout) validates and normalises the same way", async () => {
    const { t, customer } = await setup();
    const id = await customer("web", "ws_checkout_0001");
    const row = await setCustomerProfile(t.db, id, { name: "Zoë Lund", email: "ZOE@Example.org" }, t.now);
    expect(row).toMatchObject({ name: "Zoë Lund", nameKey: "zoe lund", email: "zoe@example.org" });
    await expect(setCustomerProfile(t.db, id, { email: "zoe at example" }, t.now)).rejects.toBeInstanceOf(ApiError);
    expect(profile(t, id)).toMatchObject({ email: "zoe@example.org" });
  });
});

describe("finding customers by name, email and phone number (GET /v1/customers?q=)", () => {
  it("matches names and emails in any case (names without accents too), and phone numbers however they are typed", async () => {
    const { t, customer, patch, search } = await setup();
    const ingrid = await customer("sms", "+4791234567");
    const zoe = await customer("whatsapp", "4799887766");
    const other = await customer("telegram", "555000111");
    await patch(ingrid, { name: "Ingrid Berg", email: "ingrid.berg@example.com" });
    await patch(zoe, { name: "Zoë Lund", email: "zoe@lund.example" });

    expect(await search("INGRID.BERG@EXAMPLE.COM")).toEqual([ingrid]);
    expect(await search("berg@Example")).toEqual([ingrid]);
    expect(await search("ingrid berg")).toEqual([ingrid]);
    expect(await search("zoe")).toEqual([zoe]);
    expect(await search("ZOË LUND")).toEqual([zoe]);
    for (const spelling of ["+47 912 34 567", "0047 912-34-567", "(+47) 91234567", "912 34 567", "+4791234567"]) {
      expect(await search(spelling), spelling).toEqual([ingrid]);
    }
    // WhatsApp ids are the E.164 digits without "+": the typed number still finds them.
    expect(await search("+47 998 87 766")).toEqual([zoe]);
    expect(await search("555000111")).toEqual([other]);
    expect(await search("%")).toEqual([]);
    expect(await search("nobody@example.com")).toEqual([]);
    // The request log never carries the query, a name or an email.
    expect(t.logs.join("\n")).not.toMatch(/ingrid|zo[eë]|berg|4791234567/i);
  });
});
