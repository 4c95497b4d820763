/**
 * A redelivered inbound message is one interaction (issue #13, defect 5).
 * Platforms retry webhooks; the same signed Twilio MessageSid, WhatsApp message
 * id, Slack event id or Telegram update sent twice has one cart effect, the
 * same answer, and one record of each kind on the customer's timeline. Requests
 * are signed as each platform signs (the `twilio` package for SMS).
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import twilio from "twilio";
import { beforeAll, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";

const TWILIO = "test-auth-token-0123456789abcdef";
const META = "meta-app-secret-123";
const TG = "tg_secret-token";
const SLACK = "slack-signing-secret";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    config: { TWILIO_AUTH_TOKEN: TWILIO, WHATSAPP_APP_SECRET: META, TELEGRAM_SECRET_TOKEN: TG, SLACK_SIGNING_SECRET: SLACK },
  });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
});

/** The customer's timeline (kind, action, summary) and cart for one channel handle. */
function state(channel: string, externalId: string) {
  const timeline = t.db.client
    .prepare(
      `SELECT i.direction, i.action_key AS action, i.summary FROM interactions i
       JOIN identities d ON d.customer_id = i.customer_id WHERE d.channel = ? AND d.external_id = ? ORDER BY i.seq`,
    )
    .all(channel, externalId);
  const cart = t.db.client
    .prepare(
      `SELECT l.sku, l.quantity FROM cart_lines l JOIN carts c ON c.id = l.cart_id
       JOIN identities d ON d.customer_id = c.customer_id WHERE d.channel = ? AND d.external_id = ?`,
    )
    .all(channel, externalId);
  return { timeline, cart };
}

/** Sends the same delivery twice: the answers are equal, and the second changes nothing. */
async function deliveredTwice(channel: string, externalId: string, send: () => Response | Promise<Response>) {
  const first = await send();
  expect(first.status).toBe(200);
  const firstAnswer = await first.text();
  const after = state(channel, externalId);
  expect(after.timeline.filter((r: any) => r.direction === "inbound")).toHaveLength(1);
  expect(after.cart).toEqual([{ sku: "RIB-BEA-FORES", quantity: 1 }]);
  const second = await send();
  expect(second.status).toBe(200);
  expect(await second.text()).toBe(firstAnswer);
  expect(state(channel, externalId)).toEqual(after);
}

it("Twilio: the same MessageSid twice", async () => {
  const params = { MessageSid: "SM0000000000000000000000000000redo", From: "+4791230001", To: "+4798765432", Body: "add rib-bea-fores" };
  const signature = twilio.getExpectedTwilioSignature(TWILIO, "https://shop.example/v1/inbound/sms", params);
  await deliveredTwice("sms", params.From, () =>
    t.app.request("/v1/inbound/sms", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: new URLSearchParams(params).toString(),
    }),
  );
});

it("WhatsApp: the same message id twice", async () => {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "1",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              messages: [{ from: "4790002222", id: "wamid.REDO", type: "text", text: { body: "add rib-bea-fores" } }],
            },
          },
        ],
      },
    ],
  });
  const signature = `sha256=${createHmac("sha256", META).update(body).digest("hex")}`;
  await deliveredTwice("whatsapp", "4790002222", () =>
    t.app.request("/v1/inbound/chat/whatsapp", {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signature },
      body,
    }),
  );
});

it("Telegram: the same update twice", async () => {
  const body = JSON.stringify({ update_id: 900001, message: { message_id: 5, chat: { id: 5550001 }, text: "add rib-bea-fores" } });
  await deliveredTwice("telegram", "5550001", () =>
    t.app.request("/v1/inbound/chat/telegram", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TG },
      body,
    }),
  );
});

it("Slack: the same event_id twice (Events API retry)", async () => {
  const body = JSON.stringify({
    type: "event_callback",
    event_id: "Ev0REDO",
    event: { type: "message", user: "U0REDO", text: "add rib-bea-fores", channel: "D1" },
  });
  const ts = String(Math.floor(t.now.getTime() / 1000));
  const signature = `v0=${createHmac("sha256", SLACK).update(`v0:${ts}:${body}`).digest("hex")}`;
  await deliveredTwice("slack", "U0REDO", () =>
    t.app.request("/v1/inbound/chat/slack", {
      method: "POST",
      headers: { "content-type": "application/json", "x-slack-request-timestamp": ts, "x-slack-signature": signature },
      body,
    }),
  );
});

it("two different messages with the same text are two interactions", async () => {
  for (const sid of ["SM00000000000000000000000000000001", "SM00000000000000000000000000000002"]) {
    const params = { MessageSid: sid, From: "+4791230009", To: "+4798765432", Body: "cart" };
    await t.app.request("/v1/inbound/sms", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.getExpectedTwilioSignature(TWILIO, "https://shop.example/v1/inbound/sms", params),
      },
      body: new URLSearchParams(params).toString(),
    });
  }
  expect(state("sms", "+4791230009").timeline.filter((r: any) => r.direction === "inbound")).toHaveLength(2);
});
