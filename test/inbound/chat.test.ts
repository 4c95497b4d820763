import { createHmac } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const APP_SECRET = "meta-app-secret-123";
const VERIFY = "verify-token-123";
const TG = "tg_secret-token";

async function chatApp() {
  const t = await createTestApp({ config: { WHATSAPP_APP_SECRET: APP_SECRET, WHATSAPP_VERIFY_TOKEN: VERIFY, TELEGRAM_SECRET_TOKEN: TG } });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  return t;
}

const waEvent = (messages: unknown[]) =>
  JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "1", changes: [{ field: "messages", value: { messaging_product: "whatsapp", messages } }] }],
  });
const sign = (body: string, secret = APP_SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

describe("WhatsApp Cloud API webhook", () => {
  it("a handoff code sent as a message links the WhatsApp user to the customer who asked for it, and answers with their cart", async () => {
    const t = await chatApp();
    const post = (body: string) =>
      t.app.request("/v1/inbound/chat/whatsapp", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": sign(body) },
        body,
      });
    const invoker = await t.auth("actions:invoke");
    const sms = { channel: "sms", identity: { channel: "sms", externalId: "+33612345678" } };
    const added = await t.request("POST", "/v1/actions/add_to_cart", {
      headers: { ...invoker, "idempotency-key": "h1" },
      body: { ...sms, input: { sku: "RIB-BEA-FORES" } },
    });
    const customer = ((await added.json()) as any).customer;
    const handed = await t.request("POST", "/v1/actions/handoff", {
      headers: { ...invoker, "idempotency-key": "h2" },
      body: { ...sms, input: { to: "whatsapp" } },
    });
    const code = ((await handed.json()) as any).result.handoff.code as string;
    expect((await post(waEvent([{ from: "4790001111", id: "wamid.H", type: "text", text: { body: code } }]))).status).toBe(200);
    const owner = t.db.client
      .prepare("SELECT customer_id AS c FROM identities WHERE channel = 'whatsapp' AND external_id = '4790001111'")
      .get() as {
      c: string;
    };
    expect(owner.c).toBe(customer);
    const reply = t.db.client
      .prepare("SELECT payload FROM interactions WHERE channel = 'whatsapp' AND direction = 'outbound' ORDER BY seq DESC LIMIT 1")
      .get() as { payload: string };
    const payload = JSON.parse(reply.payload);
    expect(payload.interactive.body.text).toContain("Welcome back: your journey continues here. Ribbed beanie (Forest) ×1");
    expect(payload.interactive.action.buttons).toEqual([
      { type: "reply", reply: { id: "a:checkout", title: "Check out" } },
      { type: "reply", reply: { id: "a:checkout:pickup", title: "Pick up in store" } },
    ]);
  });

  it("answers Meta's verification handshake only with the configured token", async () => {
    const t = await chatApp();
    const ok = await t.app.request(`/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const bad = await t.app.request("/v1/inbound/chat/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1");
    expect(bad.status).toBe(403);
  });

  it("runs a text keyword and a reply button as actions for the sender, once per message id, recording the native reply", async () => {
    const t = await chatApp();
    const post = (body: string, signature = sign(body)) =>
      t.app.request("/v1/inbound/chat/whatsapp", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        body,
      });
    const add = waEvent([
      {
        from: "4791234567",
        id: "wamid.A",
        type: "interactive",
        interactive: { type: "button_reply", button_reply: { id: "a:add_to_cart:RIB-BEA-FORES", title: "Add to cart" } },
      },
    ]);
    expect(await (await post(add)).json()).toEqual({ processed: 1 });
    expect((await post(add)).status).toBe(200);
    expect(t.db.client.prepare("SELECT sku, quantity FROM cart_lines").all()).toEqual([{ sku: "RIB-BEA-FORES", quantity: 1 }]);
    await post(waEvent([{ from: "4791234567", id: "wamid.B", type: "text", text: { body: "cart" } }]));
    const outbound = t.db.client
      .prepare("SELECT payload FROM interactions WHERE channel = 'whatsapp' AND direction = 'outbound' AND action_key IS NULL ORDER BY seq")
      .all() as { payload: string }[];
    const last = JSON.parse(outbound.at(-1)!.payload);
    // The chat renderer's Cloud API payload: the cart confirmation, with checkout as a reply button carrying its postback.
    expect(last).toMatchObject({
      messaging_product: "whatsapp",
      to: "4791234567",
      type: "interactive",
      context: { message_id: "wamid.B" },
    });
    expect(last.interactive.body.text).toContain("Here is your cart.");
    expect(last.interactive.action.buttons).toEqual([
      { type: "reply", reply: { id: "a:checkout", title: "Check out" } },
      { type: "reply", reply: { id: "a:checkout:pickup", title: "Pick up in store" } },
    ]);
  });

  it("refuses a wrong signature, a body changed after signing and malformed JSON, changing nothing", async () => {
    const t = await chatApp();
    const before = dump(t.db);
    const body = waEvent([{ from: "4791234567", id: "wamid.X", type: "text", text: { body: "CART" } }]);
    const attempts = [
      { body, signature: sign(body, "other-secret") },
      { body: body.replace("CART", "BUY"), signature: sign(body) },
      { body, signature: "" },
      { body: "{not json", signature: sign("{not json") },
    ];
    const statuses = [];
    for (const a of attempts) {
      const res = await t.app.request("/v1/inbound/chat/whatsapp", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": a.signature },
        body: a.body,
      });
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      statuses.push(res.status);
    }
    expect(statuses).toEqual([403, 403, 403, 400]);
    expect(dump(t.db)).toEqual(before);
  });
});

describe("Telegram bot webhook", () => {
  const send = (t: Awaited<ReturnType<typeof chatApp>>, update: unknown, secret: string | null = TG) =>
    t.app.request("/v1/inbound/chat/telegram", {
      method: "POST",
      headers: { "content-type": "application/json", ...(secret !== null ? { "x-telegram-bot-api-secret-token": secret } : {}) },
      body: JSON.stringify(update),
    });

  it("answers a text keyword with sendMessage (HTML-escaped) and a button with answerCallbackQuery, always", async () => {
    const t = await chatApp();
    const res = await send(t, { update_id: 10, message: { message_id: 1, chat: { id: 555 }, text: "ADD RIB-BEA-FORES 2" } });
    const reply = (await res.json()) as { text: string };
    expect(reply).toMatchObject({ method: "sendMessage", chat_id: 555, parse_mode: "HTML" });
    expect(reply.text).toContain("Added to your cart.");
    const cb = await (
      await send(t, {
        update_id: 11,
        callback_query: { id: "cbq-1", from: { id: 555 }, message: { chat: { id: 555 } }, data: "a:view_cart" },
      })
    ).json();
    expect(cb).toMatchObject({ method: "answerCallbackQuery", callback_query_id: "cbq-1" });
    const unknown = await (await send(t, { update_id: 12, callback_query: { id: "cbq-2", from: { id: 555 }, data: "garbage" } })).json();
    expect(unknown).toMatchObject({ method: "answerCallbackQuery", callback_query_id: "cbq-2" });
    const menu = (await (
      await send(t, { update_id: 13, message: { message_id: 2, chat: { id: 555 }, text: "<script>hi</script>" } })
    ).json()) as { text: string };
    expect(menu.text).not.toContain("<script>");
    expect(t.db.client.prepare("SELECT quantity FROM cart_lines").all()).toEqual([{ quantity: 2 }]);
  });

  it("the NPS question: a bare button asks with one button per answer 10…0, and a chosen answer is recorded for the sender", async () => {
    const t = await chatApp();
    const ask = (await (await send(t, { update_id: 20, message: { message_id: 1, chat: { id: 556 }, text: "NPS" } })).json()) as {
      text: string;
      reply_markup: { inline_keyboard: { text: string; callback_data: string }[][] };
    };
    expect(ask.text).toContain("How likely are you to recommend us to a friend?");
    const buttons = ask.reply_markup.inline_keyboard.flat().filter((b) => b.callback_data.startsWith("a:recommend"));
    expect(buttons.map((b) => b.callback_data)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0].map((n) => `a:recommend:${n}`));
    await send(t, {
      update_id: 21,
      callback_query: { id: "cbq-9", from: { id: 556 }, message: { chat: { id: 556 } }, data: "a:recommend:7" },
    });
    expect(t.db.client.prepare("SELECT channel, score FROM nps_answers").all()).toEqual([{ channel: "telegram", score: 7 }]);
  });

  it("a redelivered update_id is processed once", async () => {
    const t = await chatApp();
    const update = { update_id: 42, message: { message_id: 1, chat: { id: 777 }, text: "ADD RIB-BEA-FORES 1" } };
    await send(t, update);
    await send(t, update);
    expect(t.db.client.prepare("SELECT quantity FROM cart_lines").all()).toEqual([{ quantity: 1 }]);
  });

  it("refuses a missing or wrong secret token with 403 and changes nothing", async () => {
    const t = await chatApp();
    const before = dump(t.db);
    const update = { update_id: 1, message: { message_id: 1, chat: { id: 1 }, text: "CART" } };
    expect((await send(t, update, null)).status).toBe(403);
    expect((await send(t, update, "wrong")).status).toBe(403);
    expect(dump(t.db)).toEqual(before);
  });

  describe("a button's answerCallbackQuery text (0–200 characters)", () => {
    /** The demo store with the alpaca cardigan (ALP-CAR-S-CHARC, €125.00) renamed `title` in English. */
    async function titledApp(title: string) {
      const t = await createTestApp({ config: { TELEGRAM_SECRET_TOKEN: TG } });
      const content = await readContentDir(join(import.meta.dirname, "../../content"));
      const file = content.products.find((f) => (f.data as { slug: string }).slug === "alpaca-cardigan");
      if (!file) throw new Error("the demo store has no alpaca-cardigan");
      (file.data as { title: Record<string, string> }).title.en = title;
      await importContent(t.db, content, { keyId: null, now: t.now });
      return t;
    }
    let update = 100;
    const press = async (t: Awaited<ReturnType<typeof titledApp>>, data: string) => {
      const id = `cbq-${++update}`;
      const res = await send(t, { update_id: update, callback_query: { id, from: { id: 901 }, message: { chat: { id: 901 } }, data } });
      expect(res.status, await res.clone().text()).toBe(200);
      const answer = (await res.json()) as { method: string; callback_query_id: string; text: string };
      expect(answer).toMatchObject({ method: "answerCallbackQuery", callback_query_id: id });
      return answer.text;
    };
    const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    const boundaries = (text: string) =>
      new Set([...new Intl.Segmenter(undefined, { granularity: "grapheme" }).segment(text)].map((s) => s.index).concat(text.length));

    /**
     * Each button's answer: at most 200 UTF-16 units, well-formed, the text cut on a grapheme boundary of the reply with
     * "…", the price kept (and a product's availability: the facts every channel shows).
     */
    async function expectWellFormedAnswers(title: string) {
      const t = await titledApp(title);
      const presses = [
        { data: "a:view_product:alpaca-cardigan", reply: `Here are the details. ${title}`, figure: " — €125.00 (In stock)" },
        { data: "a:add_to_cart:ALP-CAR-S-CHARC", reply: `Added to your cart. ${title} (S / Charcoal) ×1`, figure: " — €125.00" },
        { data: "a:view_cart", reply: `Here is your cart. ${title} (S / Charcoal) ×1`, figure: " — €125.00" },
      ];
      for (const { data, reply, figure } of presses) {
        const text = await press(t, data);
        expect(text.length, text).toBeLessThanOrEqual(200);
        expect(text, data).not.toMatch(LONE_SURROGATE);
        expect(text.endsWith(`…${figure}`), `${data}: ${text}`).toBe(true);
        const kept = text.slice(0, -`…${figure}`.length);
        expect(kept, `${data}: ${text}`).toBeDefined();
        expect(reply.startsWith(kept), `${data}: ${text}`).toBe(true);
        expect(boundaries(reply).has(kept.length), `${data} cut inside a grapheme: ${text}`).toBe(true);
      }
    }

    it("a title of 95 🎉 is cut between two emoji with an ellipsis, and the price is kept", async () => {
      await expectWellFormedAnswers("🎉".repeat(95));
    });

    it("a Devanagari title is cut between grapheme clusters (never between a consonant and its virama or vowel sign)", async () => {
      await expectWellFormedAnswers("स्वतन्त्रता".repeat(18));
    });

    it("a reply within 200 characters is answered whole, its link included", async () => {
      const t = await titledApp("Alpaca cardigan");
      expect(await press(t, "a:view_product:alpaca-cardigan")).toBe(
        "Here are the details. Alpaca cardigan — €125.00 (In stock) https://shop.example/products/alpaca-cardigan",
      );
    });
  });
});

describe("Slack webhook", () => {
  const SECRET = "slack-signing-secret";
  async function slackApp() {
    const t = await createTestApp({ config: { SLACK_SIGNING_SECRET: SECRET } });
    await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
    const ts = String(Math.floor(t.now.getTime() / 1000));
    const post = (body: string, type: string, options: { timestamp?: string; signature?: string } = {}) => {
      const timestamp = options.timestamp ?? ts;
      const signature = options.signature ?? `v0=${createHmac("sha256", SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
      return t.app.request("/v1/inbound/chat/slack", {
        method: "POST",
        headers: { "content-type": type, "x-slack-request-timestamp": timestamp, "x-slack-signature": signature },
        body,
      });
    };
    return { t, post, ts };
  }
  const FORM = "application/x-www-form-urlencoded";

  it("answers URL verification and a slash command with an escaped Block Kit message carrying the text fallback", async () => {
    const { post } = await slackApp();
    const challenge = await post(JSON.stringify({ type: "url_verification", challenge: "abc123" }), "application/json");
    expect(await challenge.json()).toEqual({ challenge: "abc123" });
    const res = await post(
      new URLSearchParams({ command: "/shop", text: "add rib-bea-fores 1", user_id: "U1", trigger_id: "t1" }).toString(),
      FORM,
    );
    const message = (await res.json()) as { text: string; response_type: string; blocks: any[] };
    expect(message.response_type).toBe("ephemeral");
    expect(message.text).toContain("Added to your cart. Ribbed beanie (Forest) ×1");
    expect(message.blocks.map((b) => b.type)).toEqual(["header", "section", "actions"]);
    expect(message.blocks[2].elements.map((e: any) => e.value)).toEqual(["a:checkout", "a:checkout:pickup"]);
    const menu = (await (
      await post(new URLSearchParams({ command: "/shop", text: "<hi> & bye", user_id: "U1", trigger_id: "t2" }).toString(), FORM)
    ).json()) as { text: string };
    expect(menu.text).not.toMatch(/<hi>/);
  });

  it("runs a block_actions button value as its action once per interaction and records the reply for response_url", async () => {
    const { t, post } = await slackApp();
    const payload = JSON.stringify({
      type: "block_actions",
      user: { id: "U9" },
      trigger_id: "trig-1",
      actions: [{ action_id: "add", value: "a:add_to_cart:RIB-BEA-FORES" }],
    });
    const body = new URLSearchParams({ payload }).toString();
    expect((await post(body, FORM)).status).toBe(200);
    expect((await post(body, FORM)).status).toBe(200);
    expect(t.db.client.prepare("SELECT quantity FROM cart_lines").all()).toEqual([{ quantity: 1 }]);
    const reply = t.db.client
      .prepare(
        "SELECT payload FROM interactions WHERE channel = 'slack' AND direction = 'outbound' AND action_key IS NULL ORDER BY seq DESC LIMIT 1",
      )
      .get() as { payload: string };
    expect(JSON.parse(reply.payload)).toMatchObject({
      replace_original: false,
      blocks: [
        { type: "header" },
        { type: "section" },
        { type: "actions", elements: [{ value: "a:checkout" }, { value: "a:checkout:pickup" }] },
      ],
    });
    // The cart's delivery options are stated with their prices, and the pick-up button places the order with it.
    expect(JSON.parse(reply.payload).blocks[1].text.text).toContain("Pick up in store: €0.00, 1–2 business days");
    const checkout = new URLSearchParams({
      payload: JSON.stringify({
        type: "block_actions",
        user: { id: "U9" },
        trigger_id: "trig-2",
        actions: [{ action_id: "a", value: "a:checkout:pickup" }],
      }),
    }).toString();
    expect((await post(checkout, FORM)).status).toBe(200);
    expect(t.db.client.prepare("SELECT delivery_option AS option, delivery_name AS name FROM orders").all()).toEqual([
      { option: "pickup", name: "Pick up in store" },
    ]);
  });

  it("refuses a bad signature and a timestamp more than five minutes old, changing nothing", async () => {
    const { t, post, ts } = await slackApp();
    const before = dump(t.db);
    const body = new URLSearchParams({ command: "/shop", text: "cart", user_id: "U1" }).toString();
    expect((await post(body, FORM, { signature: "v0=00" })).status).toBe(403);
    const old = String(Number(ts) - 301);
    const stale = await post(body, FORM, { timestamp: old });
    expect(stale.status).toBe(403);
    expect(((await stale.json()) as { detail: string }).detail).toMatch(/5 minutes/);
    expect(dump(t.db)).toEqual(before);
  });
});
