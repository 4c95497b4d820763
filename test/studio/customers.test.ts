/**
 * The customer view in-process: a customers:read key finds a customer by any
 * identity and sees the whole story on one page; a catalog:write-only key does
 * not; every view is in the audit log (who, when), and nothing personal is
 * logged.
 */
import { HtmlValidate } from "html-validate";
import { describe, expect, it } from "vitest";
import { platforms, renderers } from "../../renderers";
import { createApp } from "../../src/app";
import { parseConfig } from "../../src/env";
import { BASE_URL } from "../helpers/demo";
import { EDITOR, studioApp } from "./helpers";

const AGENT = ["customers:read", "actions:invoke"] as const;

/** A customer who started on SMS, moved to WhatsApp, ordered and asked for an agent. */
async function withCustomer(config: Record<string, string> = {}) {
  const studio = await studioApp(config);
  const bot = await studio.key("actions:invoke");
  let n = 0;
  const act = async (key: string, body: Record<string, unknown>) => {
    const res = await studio.app.request(`/v1/actions/${key}`, {
      method: "POST",
      headers: { authorization: `Bearer ${bot}`, "content-type": "application/json", "idempotency-key": `k-${++n}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { customer: string };
  };
  const sms = { channel: "sms", identity: { channel: "sms", externalId: "+4791234567" } };
  const { customer } = await act("add_to_cart", { ...sms, input: { sku: "RIB-BEA-FORES", quantity: 2 } });
  await act("checkout", { ...sms, input: {} });
  await act("add_to_cart", {
    channel: "whatsapp",
    customer,
    identity: { channel: "whatsapp", externalId: "4799887766" },
    input: { sku: "RIB-BEA-FORES" },
  });
  await act("contact_agent", { channel: "whatsapp", customer, input: { message: "Where is my <b>parcel</b>?" } });
  await act("recommend", { channel: "whatsapp", customer, input: { likelihood: 9 } });
  return { studio, customer };
}

async function ok(res: Response): Promise<string> {
  const text = await res.text();
  if (res.status !== 200) throw new Error(`expected 200, got ${res.status}: ${text.slice(0, 1500)}`);
  return text;
}

describe("the studio customer view (/studio/customers)", () => {
  it("a customers:read key finds the customer by any identity and sees identities, cart, orders, open case and the whole timeline", async () => {
    const { studio, customer } = await withCustomer();
    const client = studio.client();
    const signin = await client.signIn(await studio.key(...AGENT));
    expect(signin.headers.get("location")).toBe("/studio/customers");

    for (const q of ["+47 912", "99887766", customer]) {
      const list = await ok(await client.get(`/studio/customers?q=${encodeURIComponent(q)}`));
      expect(list).toContain(`href="/studio/customers/${customer}"`);
      expect(list).toContain("1 customers match.");
    }
    expect(await ok(await client.get("/studio/customers?q=%25"))).toContain("Nobody matches.");

    const page = await ok(await client.get(`/studio/customers/${customer}`));
    expect(page).toContain("<code>+4791234567</code>");
    expect(page).toContain("<code>4799887766</code>");
    expect(page).toContain("Channels used</dt><dd>sms, whatsapp</dd>");
    expect(page).toMatch(/<td><code>UN-[0-9A-Z]{8}<\/code><\/td><td><span class="status placed">placed<\/span><\/td><td>sms<\/td>/);
    expect(page).toContain("Open cases");
    // Customer text is escaped.
    expect(page).toContain("“Where is my &lt;b&gt;parcel&lt;/b&gt;?”");
    // The timeline is in order, across channels: SMS first, then WhatsApp, the NPS answer last.
    const rows = [...page.matchAll(/<tr><td>[^<]+<\/td><td>(sms|whatsapp)<\/td><td>Action<\/td><td><code>([a-z_]+)<\/code>/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(rows).toEqual(["sms add_to_cart", "sms checkout", "whatsapp add_to_cart", "whatsapp contact_agent", "whatsapp recommend"]);
    expect(page).toMatch(/The cart, the same on every channel \(1 items, /);

    const report = await new HtmlValidate({
      extends: ["html-validate:recommended"],
      rules: { "doctype-style": "off", "long-title": "off" },
    }).validateString(page);
    expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
  });

  it("an agent with actions:invoke gets a reply form on an open case; the API's refusal is shown; a read-only key gets no form", async () => {
    // SMS can be sent (Twilio configured), WhatsApp cannot (no access token).
    const { studio, customer } = await withCustomer({
      TWILIO_ACCOUNT_SID: `AC${"0".repeat(32)}`,
      TWILIO_AUTH_TOKEN: "test-auth-token-0123456789abcdef",
      TWILIO_FROM: "+4798765432",
    });
    const client = studio.client();
    await client.signIn(await studio.key(...AGENT));
    const page = await ok(await client.get(`/studio/customers/${customer}`));
    expect(page).toContain(`<form method="post" action="/studio/customers/${customer}/reply">`);
    // The channels the customer can be reached on, the case's own chosen.
    expect(page).toContain('<option value="sms">sms</option><option value="whatsapp" selected>whatsapp</option>');
    const caseId = /name="case" value="(case_[0-9a-f]{32})"/.exec(page)?.[1] ?? "";
    const key = /name="key" value="([^"]+)"/.exec(page)?.[1] ?? "";
    const res = await client.post(`/studio/customers/${customer}/reply`, { case: caseId, key, channel: "whatsapp", text: "Hello" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("Replies on WhatsApp are not configured on this server (set WHATSAPP_ACCESS_TOKEN).");
    const sent = await client.post(`/studio/customers/${customer}/reply`, {
      case: caseId,
      key,
      channel: "sms",
      text: "It <b>left</b> today",
    });
    expect(sent.status).toBe(303);
    const after = await ok(await client.get(`/studio/customers/${customer}`));
    expect(after).toContain(
      '<td>sms</td><td><code>+4791234567</code></td><td dir="auto">It &lt;b&gt;left&lt;/b&gt; today</td><td><span class="status pending">pending</span></td>',
    );
    expect((await client.post(`/studio/customers/${customer}/reply`, { case: caseId, key, text: "Hello" }, { csrf: "bad" })).status).toBe(
      403,
    );

    const reader = studio.client();
    await reader.signIn(await studio.key("customers:read"));
    expect(await ok(await reader.get(`/studio/customers/${customer}`))).not.toContain("/reply");
    expect((await reader.post(`/studio/customers/${customer}/reply`, { case: caseId, key, text: "Hello" })).status).toBe(403);
  });

  it("a catalog:write-only key is refused the search and the customer page, and the API refuses it too", async () => {
    const { studio, customer } = await withCustomer();
    const client = studio.client();
    const key = await studio.key(...EDITOR);
    await client.signIn(key);
    for (const path of ["/studio/customers", `/studio/customers/${customer}`, "/studio/customers?q=%2B47"]) {
      const res = await client.get(path);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain("+4791234567");
    }
    expect((await studio.api(key, "GET", "/v1/customers?q=%2B47")).status).toBe(403);
    // Nothing was viewed, so nothing is in the audit log.
    expect(studio.db.client.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'customer.view'").get()).toEqual({ n: 0 });
  });

  it("writes every view of a customer to the audit log (who, when), through the studio and the API alike", async () => {
    const { studio, customer } = await withCustomer();
    const key = await studio.key(...AGENT);
    const keyId = (studio.db.client.prepare("SELECT id FROM api_keys WHERE name = ?").get(`editor ${AGENT.join(" ")}`) as { id: string })
      .id;
    const client = studio.client();
    await client.signIn(key);
    await ok(await client.get(`/studio/customers/${customer}`));
    await ok(await client.get(`/studio/customers/${customer}`));
    expect((await studio.api(key, "GET", `/v1/customers/${customer}`)).status).toBe(200);
    // A search is not a view of one customer.
    await ok(await client.get("/studio/customers?q=4791"));
    const rows = studio.db.client
      .prepare("SELECT key_id, action, entity_type, entity_key, at, detail FROM audit_log WHERE action = 'customer.view' ORDER BY at")
      .all() as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    for (const r of rows) expect(r).toMatchObject({ key_id: keyId, entity_type: "customer", entity_key: customer, detail: null });
    // An admin reads it through the audit API.
    const admin = await studio.key("admin");
    const audit = await studio.api(admin, "GET", `/v1/admin/audit?entityType=customer&entityKey=${customer}`);
    expect(audit.body.data).toHaveLength(3);
    expect(audit.body.data[0]).toMatchObject({ action: "customer.view", keyId });
  });

  it("logs no identity of the customer in the request log", async () => {
    const { studio, customer } = await withCustomer();
    const lines: string[] = [];
    const app = createApp({
      renderers,
      platforms,
      resolveDb: () => studio.db,
      config: parseConfig({ PUBLIC_BASE_URL: BASE_URL }),
      log: (l) => lines.push(JSON.stringify(l)),
    });
    const key = await studio.key(...AGENT);
    const headers = { authorization: `Bearer ${key}` };
    expect((await app.request("/v1/customers?q=%2B4791234567", { headers })).status).toBe(200);
    expect((await app.request(`/v1/customers/${customer}`, { headers })).status).toBe(200);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join("\n")).not.toContain("4791234567");
  });
});
