/**
 * Chat replies that leave after the webhook is answered (src/inbound/outbox.ts):
 * WhatsApp through the Cloud API (`POST {graph}/{phone-number-id}/messages`
 * with the access token), Slack button replies through `response_url`. A real
 * HTTP receiver on loopback stands in for graph.facebook.com and
 * hooks.slack.com, which these machines cannot reach; requests are checked
 * against Meta's and Slack's documented shapes.
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { platforms } from "../../renderers";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { parseConfig } from "../../src/env";
import { REPLY_RETRY_DELAYS_SECONDS, sendReplies } from "../../src/inbound/outbox";
import { createTestApp, type TestApp } from "../helpers/app";
import { type Receiver, startReceiver } from "../webhooks/receiver";

const APP_SECRET = "meta-app-secret-123";
const TOKEN = "EAAG-test-access-token";
const PHONE_ID = "106540352242922";

let receiver: Receiver;
let clock: Date;
beforeEach(async () => {
  receiver = await startReceiver();
  clock = new Date("2026-12-01T10:00:00Z");
});
afterEach(() => receiver.close());

async function app(config: Record<string, string>) {
  const t = await createTestApp({ config });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  return t;
}

const tick = (t: TestApp, config: Record<string, string>) =>
  sendReplies(t.db, { now: () => clock, config: parseConfig(config), platforms });
const outbox = (t: TestApp) =>
  t.db.client
    .prepare("SELECT channel, target, status, attempts, last_status AS lastStatus, last_error AS lastError FROM reply_outbox")
    .all();

describe("WhatsApp replies through the Cloud API", () => {
  const config = () => ({ WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_ACCESS_TOKEN: TOKEN, WHATSAPP_GRAPH_URL: `${receiver.url}/v21.0` });
  const event = (message: Record<string, unknown>, metadata: Record<string, unknown> | null = { phone_number_id: PHONE_ID }) =>
    JSON.stringify({
      object: "whatsapp_business_account",
      entry: [
        {
          id: "1",
          changes: [
            {
              field: "messages",
              value: { messaging_product: "whatsapp", ...(metadata ? { metadata } : {}), messages: [message] },
            },
          ],
        },
      ],
    });
  const post = (t: TestApp, body: string) =>
    t.app.request("/v1/inbound/chat/whatsapp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", APP_SECRET).update(body).digest("hex")}`,
      },
      body,
    });

  it("posts the recorded reply from the receiving number, with the token, once however often Meta redelivers", async () => {
    const t = await app(config());
    const body = event({ from: "4790001111", id: "wamid.A1", type: "text", text: { body: "MENU" } });
    expect((await post(t, body)).status).toBe(200);
    expect((await post(t, body)).status).toBe(200);
    expect(await tick(t, config())).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(1);
    const [hit] = receiver.received;
    expect(hit!.path).toBe(`/v21.0/${PHONE_ID}/messages`);
    expect(hit!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(hit!.headers["content-type"]).toBe("application/json");
    const sent = JSON.parse(hit!.body);
    expect(sent).toMatchObject({ messaging_product: "whatsapp", to: "4790001111", context: { message_id: "wamid.A1" } });
    const recorded = t.db.client
      .prepare("SELECT payload FROM interactions WHERE channel = 'whatsapp' AND direction = 'outbound' ORDER BY seq DESC LIMIT 1")
      .get() as { payload: string };
    expect(sent).toEqual(JSON.parse(recorded.payload));
    expect(outbox(t)).toEqual([{ channel: "whatsapp", target: PHONE_ID, status: "sent", attempts: 1, lastStatus: 200, lastError: null }]);
    expect(await tick(t, config())).toEqual({ sent: 0, retrying: 0, failed: 0 });
  });

  it("an agent answers an open case on WhatsApp through the same outbox, once per Idempotency-Key; other channels are refused with a reason", async () => {
    const t = await app(config());
    const asked = event({ from: "4790001111", id: "wamid.C1", type: "text", text: { body: "AGENT Where is my parcel?" } });
    expect((await post(t, asked)).status).toBe(200);
    const reader = await t.auth("customers:read");
    const [open] = ((await (await t.request("GET", "/v1/cases?status=open", { headers: reader })).json()) as { data: { id: string }[] })
      .data;
    const agent = await t.auth("customers:read", "actions:invoke");
    const reply = (id: string, key: string | null, headers = agent) =>
      t.request("POST", `/v1/cases/${id}/reply`, {
        headers: { ...headers, ...(key ? { "idempotency-key": key } : {}) },
        body: { text: "It left our warehouse today." },
      });
    const first = await reply(open!.id, "r-1");
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      channel: "whatsapp",
      to: "4790001111",
      text: "It left our warehouse today.",
      replayed: false,
    });
    expect(await (await reply(open!.id, "r-1")).json()).toMatchObject({ replayed: true });
    expect((await reply(open!.id, null)).status).toBe(400);
    expect((await reply(open!.id, "r-2", reader)).status).toBe(403);
    await tick(t, config());
    const texts = receiver.received.map((r) => JSON.parse(r.body) as { to: string; text?: { body: string } });
    expect(texts.filter((m) => m.text?.body === "It left our warehouse today.")).toEqual([
      {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        to: "4790001111",
        type: "text",
        text: { body: "It left our warehouse today." },
      },
    ]);
    expect(receiver.received.every((r) => r.path === `/v21.0/${PHONE_ID}/messages`)).toBe(true);
    const timeline = t.db.client.prepare("SELECT summary FROM interactions WHERE direction = 'outbound' AND summary LIKE 'Agent:%'").all();
    expect(timeline).toEqual([{ summary: "Agent: It left our warehouse today." }]);

    // A customer only on SMS, on a server with no SMS sender: refused with the reason, nothing written.
    const bot = await t.auth("actions:invoke");
    const sms = await t.request("POST", "/v1/actions/contact_agent", {
      headers: { ...bot, "idempotency-key": "sms-1" },
      body: { channel: "sms", identity: { channel: "sms", externalId: "+4790002222" }, input: {} },
    });
    const smsCase = ((await sms.json()) as { result: { case: { id: string } } }).result.case.id;
    const before = t.db.client.prepare("SELECT COUNT(*) AS n FROM reply_outbox").get();
    const refused = await reply(smsCase, "r-3");
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: "sender_not_configured", detail: expect.stringContaining("TWILIO_ACCOUNT_SID") });
    const elsewhere = await t.request("POST", `/v1/cases/${smsCase}/reply`, {
      headers: { ...agent, "idempotency-key": "r-3b" },
      body: { text: "Hello", channel: "whatsapp" },
    });
    expect(await elsewhere.json()).toMatchObject({ code: "channel_unreachable", detail: expect.stringContaining("no WhatsApp identity") });
    expect(t.db.client.prepare("SELECT COUNT(*) AS n FROM reply_outbox").get()).toEqual(before);
    // A closed case is not answered.
    await t.request("POST", `/v1/cases/${open!.id}/close`, { headers: agent, body: {} });
    expect((await reply(open!.id, "r-4")).status).toBe(409);
  });

  it("retries a 503 or 429 on back-off, and stops at once on a refusal (400)", async () => {
    const t = await app(config());
    receiver.answer(503, 429, 200);
    await post(t, event({ from: "4790001111", id: "wamid.R1", type: "text", text: { body: "MENU" } }));
    expect(await tick(t, config())).toMatchObject({ retrying: 1 });
    expect(await tick(t, config())).toMatchObject({ sent: 0, retrying: 0 });
    clock = new Date(clock.getTime() + REPLY_RETRY_DELAYS_SECONDS[0]! * 1000);
    expect(await tick(t, config())).toMatchObject({ retrying: 1 });
    clock = new Date(clock.getTime() + REPLY_RETRY_DELAYS_SECONDS[1]! * 1000);
    expect(await tick(t, config())).toMatchObject({ sent: 1 });
    expect(receiver.received).toHaveLength(3);

    receiver.answer({ status: 400, headers: { "content-type": "application/json" } });
    await post(t, event({ from: "4790002222", id: "wamid.R2", type: "text", text: { body: "MENU" } }));
    expect(await tick(t, config())).toMatchObject({ failed: 1 });
    const failed = (outbox(t) as { status: string; lastStatus: number; lastError: string }[]).find((r) => r.status === "failed");
    expect(failed).toMatchObject({ lastStatus: 400 });
    expect(failed!.lastError).toMatch(/^The platform answered 400/);
  });

  it("queues nothing without an access token or without the receiving number, and still records the reply", async () => {
    const { WHATSAPP_ACCESS_TOKEN: _, ...withoutToken } = config();
    const t = await app(withoutToken);
    await post(t, event({ from: "4790001111", id: "wamid.N1", type: "text", text: { body: "MENU" } }));
    const u = await app(config());
    await post(u, event({ from: "4790001111", id: "wamid.N2", type: "text", text: { body: "MENU" } }, null));
    for (const app of [t, u]) {
      expect(outbox(app)).toEqual([]);
      const recorded = app.db.client
        .prepare("SELECT COUNT(*) AS n FROM interactions WHERE channel = 'whatsapp' AND direction = 'outbound'")
        .get() as {
        n: number;
      };
      expect(recorded.n).toBe(1);
    }
  });
});

describe("Slack button replies through response_url", () => {
  const SECRET = "slack-signing-secret";
  const config = { SLACK_SIGNING_SECRET: SECRET, WEBHOOK_ALLOW_HOSTS: "127.0.0.1" };
  const post = (t: TestApp, payload: unknown) => {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = String(Math.floor(t.now.getTime() / 1000));
    return t.app.request("/v1/inbound/chat/slack", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`,
      },
      body,
    });
  };
  const click = (responseUrl: string, trigger: string) => ({
    type: "block_actions",
    user: { id: "U9" },
    trigger_id: trigger,
    response_url: responseUrl,
    actions: [{ action_id: "add", value: "a:add_to_cart:RIB-BEA-FORES" }],
  });

  it("posts the Block Kit reply to the interaction's response_url, and only to Slack's own host", async () => {
    const t = await app(config);
    expect((await post(t, click(`${receiver.url}/actions/T1/42/abc`, "trig-1"))).status).toBe(200);
    expect((await post(t, click("https://evil.example/collect", "trig-2"))).status).toBe(200);
    expect((await post(t, click("http://hooks.slack.com/actions/T1/43/def", "trig-3"))).status).toBe(200);
    expect(await tick(t, config)).toMatchObject({ sent: 1 });
    expect(receiver.received.map((r) => r.path)).toEqual(["/actions/T1/42/abc"]);
    const sent = JSON.parse(receiver.received[0]!.body);
    expect(sent).toMatchObject({ replace_original: false, response_type: "ephemeral" });
    expect(sent.text).toContain("Ribbed beanie (Forest)");
    // The cart's actions: check out, and pick-up (the demo's delivery option without an address) as its own button.
    expect(sent.blocks.at(-1)).toMatchObject({ type: "actions", elements: [{ value: "a:checkout" }, { value: "a:checkout:pickup" }] });
    expect(outbox(t)).toHaveLength(1);
  });
});
