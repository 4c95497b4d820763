/**
 * docs/reliability.md (inbound webhooks are authentic) as one table over every inbound channel (issue #13; defect 5 was the redelivery):
 * SMS (Twilio, signed with the `twilio` package), WhatsApp (Meta's X-Hub-Signature-256 and its
 * subscription handshake), Slack (v0 HMAC with a 5-minute timestamp window) and Telegram (secret
 * token). Messenger has no inbound endpoint (its renderer only produces messages).
 *   - forgeries — a tampered body, a missing signature, a stale timestamp (Slack: the only platform
 *     that signs one), a signature made with another secret — are refused with 403 problem+json
 *     `forbidden` and change no row of any table;
 *   - a valid delivery sent three times (platforms retry) has one cart effect, the same answer each
 *     time and one inbound record on the customer's timeline.
 */
import { createHmac } from "node:crypto";
import { join } from "node:path";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp, type TestApp } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const SECRETS = {
  sms: "test-auth-token-0123456789abcdef",
  whatsapp: "meta-app-secret-123",
  telegram: "tg_secret-token",
  slack: "slack-signing-secret",
};
const OTHER = "another-secret-0123456789abcdef";
const VERIFY = "wa-verify-token";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    config: {
      TWILIO_AUTH_TOKEN: SECRETS.sms,
      WHATSAPP_APP_SECRET: SECRETS.whatsapp,
      WHATSAPP_VERIFY_TOKEN: VERIFY,
      TELEGRAM_SECRET_TOKEN: SECRETS.telegram,
      SLACK_SIGNING_SECRET: SECRETS.slack,
    },
  });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
});

interface Delivery {
  body: string;
  headers: Record<string, string>;
}

interface Channel {
  path: string;
  /** The customer's handle on the channel. */
  handle: string;
  /** A message adding one ribbed beanie, with a platform message id. */
  message(id: string, text?: string): string;
  /** Signs a body as the platform does, with this secret (and this timestamp, where one is signed). */
  sign(body: string, secret: string, at?: number): Delivery;
  /** What a signature-less request carries (content type only). */
  contentType: string;
  /** The platform signs a timestamp (stale requests can be told apart). */
  timestamped?: boolean;
  /** The platform signs the body (a secret token does not: a tampered body cannot be told apart). */
  signsBody: boolean;
}

const now = () => Math.floor(t.now.getTime() / 1000);
const hmac = (algo: string, secret: string, data: string) => createHmac(algo, secret).update(data).digest("hex");

const CHANNELS: Record<string, Channel> = {
  sms: {
    path: "/v1/inbound/sms",
    handle: "+4791230001",
    contentType: "application/x-www-form-urlencoded",
    signsBody: true,
    message: (id, text = "add rib-bea-fores") =>
      new URLSearchParams({ MessageSid: `SM${id.padStart(32, "0")}`, From: "+4791230001", To: "+4798765432", Body: text }).toString(),
    sign: (body, secret) => ({
      body,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.getExpectedTwilioSignature(
          secret,
          "https://shop.example/v1/inbound/sms",
          Object.fromEntries(new URLSearchParams(body)),
        ),
      },
    }),
  },
  whatsapp: {
    path: "/v1/inbound/chat/whatsapp",
    handle: "4790002222",
    contentType: "application/json",
    signsBody: true,
    message: (id, text = "add rib-bea-fores") =>
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "1",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  messages: [{ from: "4790002222", id: `wamid.${id}`, type: "text", text: { body: text } }],
                },
              },
            ],
          },
        ],
      }),
    sign: (body, secret) => ({
      body,
      headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${hmac("sha256", secret, body)}` },
    }),
  },
  slack: {
    path: "/v1/inbound/chat/slack",
    handle: "U0REDO",
    contentType: "application/json",
    signsBody: true,
    timestamped: true,
    message: (id, text = "add rib-bea-fores") =>
      JSON.stringify({ type: "event_callback", event_id: `Ev${id}`, event: { type: "message", user: "U0REDO", text, channel: "D1" } }),
    sign: (body, secret, at = now()) => ({
      body,
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": String(at),
        "x-slack-signature": `v0=${hmac("sha256", secret, `v0:${at}:${body}`)}`,
      },
    }),
  },
  telegram: {
    path: "/v1/inbound/chat/telegram",
    handle: "5550001",
    contentType: "application/json",
    signsBody: false,
    message: (id, text = "add rib-bea-fores") =>
      JSON.stringify({ update_id: 900000 + Number(id), message: { message_id: Number(id), chat: { id: 5550001 }, text } }),
    sign: (body, secret) => ({ body, headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret } }),
  },
};

function send(channel: Channel, delivery: Delivery) {
  return t.request("POST", channel.path, { body: delivery.body, headers: delivery.headers });
}

/** The customer's inbound timeline records and cart for one channel handle. */
function state(channel: string, externalId: string) {
  const timeline = t.db.client
    .prepare(
      `SELECT i.direction, i.action_key AS action, i.summary FROM interactions i
       JOIN identities d ON d.customer_id = i.customer_id WHERE d.channel = ? AND d.external_id = ? ORDER BY i.seq`,
    )
    .all(channel, externalId) as { direction: string }[];
  const cart = t.db.client
    .prepare(
      `SELECT l.sku, l.quantity FROM cart_lines l JOIN carts c ON c.id = l.cart_id
       JOIN identities d ON d.customer_id = c.customer_id WHERE d.channel = ? AND d.external_id = ?`,
    )
    .all(channel, externalId);
  return { timeline, cart };
}

const figures = { forgeries: 0, accepted: 0, replays: [] as string[] };
afterAll(() => {
  console.log(
    `reliability: forgeries | ${figures.forgeries} forged requests over ${Object.keys(CHANNELS).length} inbound channels + the WhatsApp handshake, ${figures.accepted} accepted | replays (3 deliveries each): ${figures.replays.join(", ")}`,
  );
});

describe.each(Object.keys(CHANNELS))("inbound %s", (name) => {
  const channel = CHANNELS[name]!;
  const secret = SECRETS[name as keyof typeof SECRETS];
  const forgeries: [string, () => Delivery][] = [
    ["missing signature", () => ({ body: channel.message("1"), headers: { "content-type": channel.contentType } })],
    ["another secret", () => channel.sign(channel.message("2"), OTHER)],
    ["an empty signature", () => channel.sign(channel.message("3"), "")],
  ];
  if (channel.signsBody)
    forgeries.push(["tampered body", () => ({ ...channel.sign(channel.message("4"), secret), body: channel.message("4", "checkout") })]);
  if (channel.timestamped) {
    forgeries.push(["stale timestamp (6 minutes old)", () => channel.sign(channel.message("5"), secret, now() - 360)]);
    forgeries.push(["timestamp 6 minutes ahead", () => channel.sign(channel.message("6"), secret, now() + 360)]);
  }

  it.each(forgeries)("refuses %s: 403 forbidden, nothing changed", async (_, forge) => {
    const before = dump(t.db);
    const res = await send(channel, forge());
    figures.forgeries++;
    if (res.status < 400) figures.accepted++;
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(((await res.json()) as { code: string }).code).toBe("forbidden");
    expect(dump(t.db)).toEqual(before);
  });

  it("a valid delivery sent three times: one cart effect, the same answer, one inbound timeline record", async () => {
    const delivery = channel.sign(channel.message("777"), secret);
    const answers: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await send(channel, delivery);
      expect(res.status).toBe(200);
      answers.push(await res.text());
    }
    expect(new Set(answers).size).toBe(1);
    const after = state(name, channel.handle);
    const inbound = after.timeline.filter((r) => r.direction === "inbound").length;
    expect(after.cart).toEqual([{ sku: "RIB-BEA-FORES", quantity: 1 }]);
    expect(inbound).toBe(1);
    figures.replays.push(`${name} ${(after.cart[0] as { quantity: number }).quantity} effect / ${inbound} record`);
  });
});

describe("WhatsApp subscription handshake", () => {
  it.each([
    ["no token", ""],
    ["another token", "&hub.verify_token=not-the-token"],
  ])("refuses %s with 403 and does not echo the challenge", async (_, token) => {
    const res = await t.request("GET", `/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.challenge=1158201444${token}`);
    figures.forgeries++;
    if (res.status < 400) figures.accepted++;
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain("1158201444");
  });

  it("answers the challenge to the configured token", async () => {
    const res = await t.request("GET", `/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY}`);
    expect(await res.text()).toBe("1158201444");
  });
});

it("two different messages with the same text are two interactions", async () => {
  for (const id of ["901", "902"]) {
    const params = { MessageSid: `SM${id.padStart(32, "0")}`, From: "+4791230009", To: "+4798765432", Body: "cart" };
    await send(CHANNELS.sms!, CHANNELS.sms!.sign(new URLSearchParams(params).toString(), SECRETS.sms));
  }
  expect(state("sms", "+4791230009").timeline.filter((r) => r.direction === "inbound")).toHaveLength(2);
});
