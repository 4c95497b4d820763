/**
 * Agents' replies to cases on the customer's own channel (src/journeys/agent-reply.ts,
 * src/inbound/senders.ts): SMS through Twilio's Messages API, Telegram's
 * sendMessage, Slack's chat.postMessage and Messenger's Send API, each through
 * the reply outbox. A real HTTP receiver on loopback stands in for each
 * platform (these machines reach none of them) and every request is checked
 * against the platform's documented shape: method, path, auth header, body.
 * For Twilio the `twilio` package itself is the oracle: the same message sent
 * by its client must arrive as the same bytes.
 */
import { join } from "node:path";
import twilio from "twilio";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { platforms } from "../../renderers";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { parseConfig } from "../../src/env";
import { sendReplies } from "../../src/inbound/outbox";
import { createTestApp, type TestApp } from "../helpers/app";
import { type Receiver, startReceiver } from "../webhooks/receiver";

const SID = `AC${"0123456789abcdef".repeat(2)}`;
const AUTH = "test-auth-token-0123456789abcdef";
const STORE_NUMBER = "+4798765432";
const CUSTOMER_PHONE = "+4791234567";
const BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
const SLACK_TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
const PAGE_TOKEN = "EAAJ-page-access-token";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

const senders = () => ({
  TWILIO_AUTH_TOKEN: AUTH,
  TWILIO_ACCOUNT_SID: SID,
  TWILIO_API_URL: receiver.url,
  TELEGRAM_BOT_TOKEN: BOT_TOKEN,
  TELEGRAM_API_URL: receiver.url,
  SLACK_BOT_TOKEN: SLACK_TOKEN,
  SLACK_API_URL: `${receiver.url}/api`,
  MESSENGER_PAGE_ACCESS_TOKEN: PAGE_TOKEN,
  MESSENGER_GRAPH_URL: `${receiver.url}/v21.0`,
});

async function app(config: Record<string, string> = senders()) {
  const t = await createTestApp({ config: { PUBLIC_BASE_URL: "https://shop.example", ...config } });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  const bot = await t.auth("actions:invoke");
  const agent = await t.auth("customers:read", "actions:invoke");
  /** A customer asks for an agent on a channel (their platform's bot runs the action); returns the case id. */
  const ask = async (channel: string, externalId: string) => {
    const res = await t.request("POST", "/v1/actions/contact_agent", {
      headers: { ...bot, "idempotency-key": `ask-${channel}-${externalId}` },
      body: { channel, identity: { channel, externalId }, input: { message: "Where is my parcel?" } },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { result: { case: { id: string } } }).result.case.id;
  };
  const reply = (caseId: string, key: string, body: Record<string, unknown>) =>
    t.request("POST", `/v1/cases/${caseId}/reply`, { headers: { ...agent, "idempotency-key": key }, body });
  const tick = () => sendReplies(t.db, { now: () => t.now, config: parseConfig(config), platforms });
  const counts = () =>
    t.db.client.prepare("SELECT (SELECT COUNT(*) FROM reply_outbox) AS outbox, (SELECT COUNT(*) FROM interactions) AS timeline").get();
  return { t, ask, reply, tick, counts, agent };
}

/** Sends an inbound SMS through the signed Twilio webhook (the store's number is `To`). */
async function textIn(t: TestApp, body: string, sid: string) {
  const params = { MessageSid: sid, From: CUSTOMER_PHONE, To: STORE_NUMBER, Body: body };
  const res = await t.app.request("/v1/inbound/sms", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": twilio.getExpectedTwilioSignature(AUTH, "https://shop.example/v1/inbound/sms", params),
    },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
}

describe("agents' replies on every channel", () => {
  it("SMS: Twilio's Messages API, from the number the customer texted, the very bytes the twilio package sends", async () => {
    const { t, reply, tick } = await app();
    await textIn(t, "AGENT my parcel is late", "SM00000000000000000000000000000001");
    const [open] = t.db.client.prepare("SELECT id FROM cases").all() as { id: string }[];
    const text = "Hi! It left today (tracking: 1Z-99*A); 50% of orders arrive in 2 days & ~all in 3. Ærlig talt 👍";
    const res = await reply(open!.id, "sms-1", { text });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ channel: "sms", to: CUSTOMER_PHONE, text, replayed: false });
    receiver.answer({ status: 201, headers: { "content-type": "application/json" }, body: '{"sid":"SM1","status":"queued"}' });
    expect(await tick()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    const [ours] = receiver.received;
    expect(ours!.method).toBe("POST");
    expect(ours!.path).toBe(`/2010-04-01/Accounts/${SID}/Messages.json`);
    expect(ours!.headers.authorization).toBe(`Basic ${Buffer.from(`${SID}:${AUTH}`).toString("base64")}`);
    expect(ours!.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(ours!.body))).toEqual({ To: CUSTOMER_PHONE, From: STORE_NUMBER, Body: text });

    // The oracle: the twilio package's own client, its request redirected to the same receiver.
    class Loopback extends twilio.RequestClient {
      override request<T>(opts: Parameters<twilio.RequestClient["request"]>[0]) {
        return super.request<T>({ ...opts, uri: opts.uri.replace("https://api.twilio.com", receiver.url) } as typeof opts & { data?: T });
      }
    }
    const client = twilio(SID, AUTH, { httpClient: new Loopback() });
    await client.messages.create({ to: CUSTOMER_PHONE, from: STORE_NUMBER, body: text });
    const theirs = receiver.received[1]!;
    expect(theirs.path).toBe(ours!.path);
    expect(theirs.headers.authorization).toBe(ours!.headers.authorization);
    expect(theirs.headers["content-type"]).toBe(ours!.headers["content-type"]);
    expect(ours!.body).toBe(theirs.body);

    const status = await t.request("GET", `/v1/cases/${open!.id}/replies`, { headers: await t.auth("customers:read") });
    expect(((await status.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ channel: "sms", to: CUSTOMER_PHONE, text, status: "sent", attempts: 1, lastError: null }),
    ]);
  });

  it("SMS: never to a number that opted out (STOP), and refused without a sender number", async () => {
    const { t, ask, reply, counts } = await app();
    await textIn(t, "AGENT help", "SM00000000000000000000000000000002");
    const [open] = t.db.client.prepare("SELECT id FROM cases").all() as { id: string }[];
    await textIn(t, "STOP", "SM00000000000000000000000000000003");
    const before = counts();
    const refused = await reply(open!.id, "stop-1", { text: "Hello" });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ code: "channel_unreachable", detail: expect.stringContaining("opted out") });
    // A customer whose SMS identity came through the API (never texted the store): no number to send from.
    const apiCase = await ask("sms", "+4791112222");
    const noFrom = await reply(apiCase, "from-1", { text: "Hello" });
    expect(await noFrom.json()).toMatchObject({ code: "sender_not_configured", detail: expect.stringContaining("TWILIO_FROM") });
    expect(counts()).toMatchObject({ outbox: (before as { outbox: number }).outbox });
  });

  it("Telegram: sendMessage with the bot token, plain text to the chat id", async () => {
    const { ask, reply, tick } = await app();
    const caseId = await ask("telegram", "123456789");
    const text = "<b>not bold</b> & fine";
    expect((await reply(caseId, "tg-1", { text })).status).toBe(200);
    receiver.answer({ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true,"result":{}}' });
    expect(await tick()).toMatchObject({ sent: 1 });
    const [hit] = receiver.received;
    expect(hit).toMatchObject({ method: "POST", path: `/bot${BOT_TOKEN}/sendMessage` });
    expect(hit!.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(hit!.body)).toEqual({ chat_id: 123456789, text });
  });

  it("Slack: chat.postMessage to the user's DM with the bot token; ok:false is a failure with Slack's reason", async () => {
    const { t, ask, reply, tick } = await app();
    const caseId = await ask("slack", "U0123ABCD");
    expect((await reply(caseId, "sl-1", { text: "Done <@here> & more" })).status).toBe(200);
    receiver.answer({ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true,"channel":"D1","ts":"1.2"}' });
    expect(await tick()).toMatchObject({ sent: 1 });
    const [hit] = receiver.received;
    expect(hit).toMatchObject({ method: "POST", path: "/api/chat.postMessage" });
    expect(hit!.headers.authorization).toBe(`Bearer ${SLACK_TOKEN}`);
    expect(hit!.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(JSON.parse(hit!.body)).toEqual({ channel: "U0123ABCD", text: "Done &lt;@here&gt; &amp; more" });

    receiver.answer({ status: 200, headers: { "content-type": "application/json" }, body: '{"ok":false,"error":"channel_not_found"}' });
    expect((await reply(caseId, "sl-2", { text: "Second" })).status).toBe(200);
    expect(await tick()).toMatchObject({ failed: 1 });
    const replies = await t.request("GET", `/v1/cases/${caseId}/replies`, { headers: await t.auth("customers:read") });
    expect(((await replies.json()) as { data: unknown[] }).data).toEqual([
      expect.objectContaining({ text: "Done <@here> & more", status: "sent" }),
      expect.objectContaining({ text: "Second", status: "failed", lastError: "Slack refused the message: channel_not_found." }),
    ]);
  });

  it("Messenger: the Send API with the Page token; a RESPONSE within 24 h, HUMAN_AGENT up to 7 days, then refused", async () => {
    const { t, ask, reply, tick, counts } = await app();
    const caseId = await ask("messenger", "6452018817");
    const age = (days: number) =>
      t.db.client
        .prepare("UPDATE interactions SET at = ? WHERE channel = 'messenger' AND direction != 'outbound'")
        .run(new Date(t.now.getTime() - days * 86_400_000).toISOString());
    expect((await reply(caseId, "ms-1", { text: "Hello" })).status).toBe(200);
    age(3);
    expect((await reply(caseId, "ms-2", { text: "Still there?" })).status).toBe(200);
    expect(await tick()).toMatchObject({ sent: 2 });
    for (const hit of receiver.received) {
      expect(hit).toMatchObject({ method: "POST", path: "/v21.0/me/messages" });
      expect(hit.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
      expect(hit.headers["content-type"]).toBe("application/json");
    }
    expect(receiver.received.map((r) => JSON.parse(r.body))).toEqual([
      { recipient: { id: "6452018817" }, messaging_type: "RESPONSE", message: { text: "Hello" } },
      { recipient: { id: "6452018817" }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "Still there?" } },
    ]);
    age(8);
    const before = counts();
    const late = await reply(caseId, "ms-3", { text: "Hello?" });
    expect(late.status).toBe(422);
    expect(await late.json()).toMatchObject({ code: "channel_unreachable", detail: expect.stringContaining("7 days") });
    expect(counts()).toEqual(before);
  });

  it("WhatsApp: refused outside the 24-hour window, and before any business number has answered the customer", async () => {
    const { t, ask, reply, counts } = await app({ ...senders(), WHATSAPP_ACCESS_TOKEN: "EAAG-test-access-token" });
    const caseId = await ask("whatsapp", "4790001111");
    const before = counts();
    const noNumber = await reply(caseId, "wa-1", { text: "Hello" });
    expect(await noNumber.json()).toMatchObject({
      code: "channel_unreachable",
      detail: expect.stringContaining("No WhatsApp business number"),
    });
    t.db.client
      .prepare("UPDATE interactions SET at = ? WHERE channel = 'whatsapp'")
      .run(new Date(t.now.getTime() - 25 * 3_600_000).toISOString());
    const late = await reply(caseId, "wa-2", { text: "Hello" });
    expect(late.status).toBe(422);
    expect(await late.json()).toMatchObject({ code: "channel_unreachable", detail: expect.stringContaining("last 24 hours") });
    expect(counts()).toEqual(before);
  });

  it("a channel without a configured sender is refused with problem+json and nothing is written; web customers are pointed to their messaging channels", async () => {
    const { t, ask, reply, counts } = await app({});
    for (const [channel, id, setting] of [
      ["telegram", "42", "TELEGRAM_BOT_TOKEN"],
      ["slack", "U42", "SLACK_BOT_TOKEN"],
      ["messenger", "4242", "MESSENGER_PAGE_ACCESS_TOKEN"],
      ["sms", "+4790004242", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"],
      ["whatsapp", "4790004242", "WHATSAPP_ACCESS_TOKEN"],
    ] as const) {
      const caseId = await ask(channel, id);
      const before = counts();
      const res = await reply(caseId, `none-${channel}`, { text: "Hello" });
      expect(res.status).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = (await res.json()) as { code: string; detail: string };
      expect(problem.code).toBe("sender_not_configured");
      expect(problem.detail).toContain(setting);
      expect(counts()).toEqual(before);
      await t.request("POST", `/v1/cases/${caseId}/close`, { headers: await t.auth("actions:invoke"), body: {} });
    }
    const webCase = await ask("web", "ws_0123456789abcdef");
    const web = await reply(webCase, "web-1", { text: "Hello" });
    expect(await web.json()).toMatchObject({ code: "channel_unreachable", detail: expect.stringContaining("cannot be messaged") });
  });
});
