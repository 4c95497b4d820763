/**
 * One customer across four channels, end to end on the real app on a real
 * port (issue #4): browse on Telegram, add to cart by SMS keyword, hand off to
 * the web and check out in real Chromium (JavaScript disabled), ask for the
 * order status on WhatsApp and rate it with the button the reply offered —
 * one customer, one cart, one timeline.
 *
 * Every inbound request is signed the way the platform signs it (Twilio with
 * the official `twilio` package as the oracle, Meta's X-Hub-Signature-256,
 * Telegram's secret token). A chat or SMS identity cannot redeem a handoff
 * code by messaging it, so the chat integration links each new channel's
 * identity the way a partner would through the public API: it asks for a
 * handoff (`POST /v1/actions/handoff`) and redeems the code for the new
 * identity (`POST /v1/handoffs/{code}/redeem`) before that identity's first
 * message. The web identity joins the product's own way, by opening the link
 * the SMS reply carried and pressing its "Continue here" button (opening it
 * alone changes nothing). Screenshots land in test-artifacts/journey-*.png.
 */
import { createHmac, randomUUID } from "node:crypto";
import type { Browser } from "playwright-core";
import twilio from "twilio";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/lib/keys";
import { fillAddress, launchBrowser, screenshot } from "../helpers/browser";
import { type RunningServer, startServer } from "../helpers/server";

const TWILIO_TOKEN = "journey-twilio-auth-token-0123456789";
const META_SECRET = "journey-meta-app-secret";
const TELEGRAM_SECRET = "journey_telegram-secret";

/** The customer: one phone (SMS and WhatsApp) and one Telegram chat. */
const PHONE = "+4791234567";
const WHATSAPP_ID = "4791234567";
const TELEGRAM_CHAT = 7_000_001;

let server: RunningServer;
let browser: Browser;
/** Bearer keys as a partner holds them. */
let invoker: { authorization: string };
let reader: { authorization: string };

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startServer({
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      WHATSAPP_APP_SECRET: META_SECRET,
      WHATSAPP_VERIFY_TOKEN: "journey-verify-token",
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
    }),
    launchBrowser(),
  ]);
  const key = async (scope: "actions:invoke" | "customers:read") => {
    const { secret } = await createApiKey(server.db, { name: `journey ${scope}`, scopes: [scope] }, new Date());
    return { authorization: `Bearer ${secret}` };
  };
  invoker = await key("actions:invoke");
  reader = await key("customers:read");
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

// --- the channels, as their platforms call us -------------------------------------

let sequence = 0;

/** A Telegram text message; the reply is the Bot API call in the webhook response. */
async function telegram(text: string): Promise<any> {
  const id = ++sequence;
  const res = await server.fetch("/v1/inbound/chat/telegram", {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TELEGRAM_SECRET },
    body: JSON.stringify({ update_id: id, message: { message_id: id, chat: { id: TELEGRAM_CHAT, type: "private" }, text } }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** An inbound SMS signed as Twilio signs it (the `twilio` package computes the signature); returns the TwiML message. */
async function sms(body: string, from = PHONE): Promise<string> {
  const params = { MessageSid: `SM${String(++sequence).padStart(32, "0")}`, AccountSid: "AC0", From: from, To: "+4798765432", Body: body };
  const url = `${server.url}/v1/inbound/sms`;
  const signature = twilio.getExpectedTwilioSignature(TWILIO_TOKEN, url, params);
  const res = await server.fetch("/v1/inbound/sms", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
    body: new URLSearchParams(params).toString(),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/xml; charset=utf-8");
  const xml = await res.text();
  const message = /<Response><Message>([\s\S]*)<\/Message><\/Response>$/.exec(xml)?.[1];
  if (message === undefined) throw new Error(`no TwiML message in ${xml}`);
  return message
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'");
}

/** The controls of an interactive WhatsApp message: reply buttons, or list rows when there are more than three. */
function controlsOf(message: any): { id: string; title: string }[] {
  const action = message.interactive.action;
  if (action.buttons) return (action.buttons as { reply: { id: string; title: string } }[]).map((b) => b.reply);
  return (action.sections as { rows: { id: string; title: string }[] }[]).flatMap((section) => section.rows);
}

/** A WhatsApp Cloud API message event (text, or a reply-button tap), signed with the app secret. */
async function whatsapp(
  message: { text: string } | { button: { id: string; title: string } } | { row: { id: string; title: string } },
  from = WHATSAPP_ID,
): Promise<string> {
  const id = `wamid.journey${++sequence}`;
  const m =
    "text" in message
      ? { from, id, timestamp: "1764576000", type: "text", text: { body: message.text } }
      : "button" in message
        ? { from, id, timestamp: "1764576000", type: "interactive", interactive: { type: "button_reply", button_reply: message.button } }
        : { from, id, timestamp: "1764576000", type: "interactive", interactive: { type: "list_reply", list_reply: message.row } };
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [{ id: "102290129340398", changes: [{ field: "messages", value: { messaging_product: "whatsapp", messages: [m] } }] }],
  });
  const res = await server.fetch("/v1/inbound/chat/whatsapp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": `sha256=${createHmac("sha256", META_SECRET).update(body).digest("hex")}`,
    },
    body,
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ processed: 1 });
  return id;
}

// --- the public API, as a partner calls it ---------------------------------------------

async function api(method: string, path: string, auth: { authorization: string }, body?: unknown, headers: Record<string, string> = {}) {
  const res = await server.fetch(path, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** Links a new channel identity to a customer: a handoff for that channel, redeemed for the identity. */
async function link(
  who: { customer?: string; identity?: { channel: string; externalId: string } },
  channel: string,
  to: { channel: string; externalId: string },
) {
  const handoff = await api(
    "POST",
    "/v1/actions/handoff",
    invoker,
    { channel, ...who, input: { to: to.channel } },
    { "idempotency-key": randomUUID() },
  );
  const redeemed = await api("POST", `/v1/handoffs/${handoff.result.handoff.code}/redeem`, invoker, { identity: to });
  expect(redeemed.customer).toBe(handoff.customer);
  return redeemed.customer as string;
}

/** The whole timeline, every page. */
async function timeline(customer: string): Promise<any[]> {
  const all: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await api(
      "GET",
      `/v1/customers/${customer}/timeline?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
      reader,
    );
    all.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** The last reply recorded for WhatsApp in answer to a message id (the Cloud API payload the sender posts). */
async function whatsappReplyTo(customer: string, messageId: string): Promise<any> {
  const replies = (await timeline(customer)).filter(
    (i) => i.channel === "whatsapp" && i.direction === "outbound" && i.payload?.context?.message_id === messageId,
  );
  expect(replies).toHaveLength(1);
  return replies[0].payload;
}

/** Where a handoff link is in a reply: on the shop's own base URL (PUBLIC_BASE_URL, the test server's origin here). */
function handoffLink(text: string): string | null {
  return new RegExp(`${server.url.replace(/[.]/g, "\\.")}/h/[0-9A-Z]{8}(?![0-9A-Z])`).exec(text)?.[0] ?? null;
}

/** The (channel, direction, action) of each timeline entry, as one comparable string. */
const step = (i: { channel: string; direction: string; action: string | null }) =>
  `${i.channel} ${i.direction}${i.action ? ` ${i.action}` : ""}`;

describe("one customer across chat, SMS, the web and WhatsApp", () => {
  it("browses on Telegram, adds by SMS, checks out in Chromium, checks the status and rates on WhatsApp — one customer, one cart, one timeline", async () => {
    // 1. Browsing on chat: the reply shows the product's title and price and offers add to cart as an inline keyboard button.
    const viewed = await telegram("VIEW merino-crew-sweater");
    expect(viewed).toMatchObject({ method: "sendMessage", chat_id: TELEGRAM_CHAT, parse_mode: "HTML" });
    expect(viewed.text).toContain("Merino crew sweater");
    expect(viewed.text).toContain("€89.00");
    const buttons = viewed.reply_markup.inline_keyboard.flat() as { text: string; callback_data: string }[];
    const addButton = buttons.find((b) => b.callback_data.startsWith("a:add_to_cart:"));
    expect(addButton?.text).toBe("Add to cart");
    const sku = addButton!.callback_data.slice("a:add_to_cart:".length);
    expect(sku).toBe("MER-CRE-SWE-S-NAVY");

    // The chat integration links the customer's phone number before its first SMS (the partner API).
    const customer = await link({ identity: { channel: "telegram", externalId: String(TELEGRAM_CHAT) } }, "telegram", {
      channel: "sms",
      externalId: PHONE,
    });

    // 2. On SMS — another identity of the same customer — the keyword adds the SKU chat offered; WEB hands off.
    const added = await sms(`ADD ${sku}`);
    expect(added).toMatch(/^Added to your cart\. Merino crew sweater \(S \/ Navy\) ×1 - €89\.00\b/);
    expect(added).toContain("BUY");
    const web = await sms("WEB");
    expect(web).toMatch(/^Here is your link to continue\. /);
    const url = handoffLink(web);
    expect(url, `a /h/<code> link on ${server.url} in "${web}"`).not.toBeNull();

    // 3. The web: Chromium (JavaScript off) opens the link: a page saying what continuing does, which changes nothing
    // until its button is pressed; then it lands on the same cart, with the SMS line at the same price, and checks out.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-GB" });
    const page = await context.newPage();
    const shown = await page.goto(url!);
    expect(shown?.status()).toBe(200);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Continue your cart here");
    expect(await page.locator("main").textContent()).toContain(
      "Continue the cart from your SMS conversation on this browser. It holds 1 item.",
    );
    expect((await context.cookies()).some((c) => c.name === "unison_session")).toBe(false);
    await screenshot(page, "journey-handoff-confirm");
    await page.getByRole("button", { name: "Continue here" }).click();
    await page.waitForURL(`${server.url}/cart`);
    expect(await page.getByRole("status").first().textContent()).toContain("Welcome back: your journey continues here.");
    const line = page.getByRole("row", { name: /Merino crew sweater \(S \/ Navy\)/ });
    await expect.poll(() => line.count()).toBe(1);
    expect(await page.locator("tbody tr").count()).toBe(1);
    expect(await line.locator("td").first().textContent()).toBe("1");
    expect(await line.locator("td").nth(1).textContent()).toBe("€89.00");
    await screenshot(page, "journey-cart");
    await page.getByRole("button", { name: "Check out" }).click();
    await fillAddress(page);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("button", { name: "Continue" }).click();
    await page.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/orders\/UN-[0-9A-Z]{8}$/);
    const orderNumber = new URL(page.url()).pathname.split("/").pop()!;
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe(`Order ${orderNumber}`);
    expect(await page.locator("main").textContent()).toContain("€89.00");
    await screenshot(page, "journey-order");
    const session = (await context.cookies()).find((c) => c.name === "unison_session")?.value;
    expect(session).toMatch(/^[0-9a-f]{32}$/);
    await context.close();

    // 4. WhatsApp, linked to the same customer before its first message (the partner API again): the order's status, then a rating.
    expect(
      await link({ customer, identity: { channel: "sms", externalId: PHONE } }, "sms", { channel: "whatsapp", externalId: WHATSAPP_ID }),
    ).toBe(customer);
    const status = await whatsappReplyTo(customer, await whatsapp({ text: `STATUS ${orderNumber}` }));
    expect(status).toMatchObject({ messaging_product: "whatsapp", to: WHATSAPP_ID, type: "interactive" });
    expect(status.interactive.body.text).toContain(`${orderNumber}: Placed`);
    const offered = controlsOf(status).map((b) => b.id);
    expect(offered).toContain("a:rate_experience");
    expect(offered).toContain("a:recommend");
    // The "Rate us" button carries no score, so tapping it cannot rate (see the focused test below): the keyword rates.
    const rated = await whatsappReplyTo(customer, await whatsapp({ text: "RATE 5 Quick and friendly" }));
    expect(rated.text.body).toContain("Thank you for your rating.");
    expect(rated.text.body).toContain("★★★★★");

    // 5. One customer: every identity, the one order (placed on the web), and one timeline in the order things happened.
    const who = await api("GET", `/v1/customers/${customer}`, reader);
    expect(who.firstChannel).toBe("telegram");
    expect(who.identities.map((i: any) => [i.channel, i.externalId])).toEqual([
      ["telegram", String(TELEGRAM_CHAT)],
      ["sms", PHONE],
      ["web", session],
      ["whatsapp", WHATSAPP_ID],
    ]);
    const orders = await api("GET", `/v1/customers/${customer}/orders`, reader);
    expect(orders.data).toHaveLength(1);
    expect(orders.data[0]).toMatchObject({
      number: orderNumber,
      customer,
      channel: "web",
      status: "placed",
      lines: [{ sku, quantity: 1, unitPrice: { formatted: "€89.00" } }],
      total: { formatted: "€89.00" },
    });
    const cart = await api("GET", `/v1/customers/${customer}/cart`, reader);
    expect(cart.itemCount).toBe(0);

    const entries = await timeline(customer);
    expect(new Set(entries.map((i) => i.channel))).toEqual(new Set(["telegram", "sms", "web", "whatsapp"]));
    expect(entries.map((i) => i.at)).toEqual(entries.map((i) => i.at).sort());
    const milestones: [string, (i: any) => boolean][] = [
      ["telegram inbound", (i) => i.summary === "VIEW merino-crew-sweater"],
      ["telegram action view_product", () => true],
      ["sms action handoff", (i) => i.summary.startsWith("Continued from telegram on sms")],
      ["sms inbound", (i) => i.summary === `ADD ${sku}`],
      ["sms action add_to_cart", (i) => i.payload.status === 200],
      ["sms inbound", (i) => i.summary === "WEB"],
      ["sms action handoff", (i) => url!.endsWith(i.summary.split(" ")[1])],
      ["web action handoff", (i) => i.summary.startsWith("Continued from sms on web")],
      ["web action checkout", (i) => i.summary.includes(orderNumber)],
      ["whatsapp action handoff", (i) => i.summary.startsWith("Continued from sms on whatsapp")],
      ["whatsapp inbound", (i) => i.summary === `STATUS ${orderNumber}`],
      ["whatsapp action order_status", (i) => i.summary === `Checked order ${orderNumber}`],
      ["whatsapp action rate_experience", (i) => i.summary === "Rated 5/5: Quick and friendly"],
    ];
    // Each milestone is found after the previous one.
    let from = 0;
    for (const [kind, matches] of milestones) {
      const at = entries.findIndex((i, n) => n >= from && step(i) === kind && matches(i));
      expect(at, `${kind} after entry ${from} in ${JSON.stringify(entries.map(step))}`).toBeGreaterThanOrEqual(from);
      from = at + 1;
    }

    // Nothing of the journey went to another customer: one customer, one cart, one order in the whole database.
    const count = (table: string) => (server.db.client.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count("customers"), count("carts"), count("orders"), count("identities")]).toEqual([1, 1, 1, 4]);
  }, 60_000);

  it("a handoff link opens the cart in one browser only: a second browser gets the refusal and joins no one", async () => {
    const phone = "+4790000002";
    await sms("ADD RIB-BEA-FORES", phone);
    const url = handoffLink(await sms("WEB", phone));
    expect(url).not.toBeNull();
    const first = await browser.newContext({ javaScriptEnabled: false });
    const second = await browser.newContext({ javaScriptEnabled: false });
    try {
      const mine = await first.newPage();
      await mine.goto(url!);
      await mine.getByRole("button", { name: "Continue here" }).click();
      await mine.waitForURL(`${server.url}/cart`);
      expect(await mine.locator("tbody tr").count()).toBe(1);
      const theirs = await second.newPage();
      const refused = await theirs.goto(url!);
      expect(refused?.status()).toBe(409);
      expect(await theirs.getByRole("heading", { level: 1 }).textContent()).toBe("That did not work");
      expect(await theirs.locator("main").textContent()).toContain("already used");
      await screenshot(theirs, "journey-handoff-used");
      // The second browser's cart is its own, empty one.
      await theirs.goto(`${server.url}/cart`);
      expect(await theirs.locator("tbody tr").count()).toBe(0);
    } finally {
      await first.close();
      await second.close();
    }
  });

  // The order reply offers "Rate us" (postback `a:rate_experience`, no score). Tapping it used to answer 'The input of
  // "rate_experience" is invalid.'; the reply now asks for the score, one list row per choice.
  it("tapping 'Rate us' on a WhatsApp order reply asks for the score, one list row per choice, and the chosen row rates", async () => {
    const from = "4790000003";
    const order = await api(
      "POST",
      "/v1/actions/add_to_cart",
      invoker,
      { channel: "whatsapp", identity: { channel: "whatsapp", externalId: from }, input: { sku: "RIB-BEA-FORES" } },
      { "idempotency-key": randomUUID() },
    );
    const placed = await api(
      "POST",
      "/v1/actions/checkout",
      invoker,
      { channel: "whatsapp", customer: order.customer, input: {} },
      { "idempotency-key": randomUUID() },
    );
    const number = placed.result.order.number as string;
    const status = await whatsappReplyTo(order.customer, await whatsapp({ text: `STATUS ${number}` }, from));
    const control = controlsOf(status).find((b) => b.id.startsWith("a:rate_experience"));
    expect(control).toBeDefined();
    // A control cannot carry the score: the reply asks for it, with one control per score.
    const tap = status.interactive.action.buttons ? { button: control! } : { row: control! };
    const ask = await whatsappReplyTo(order.customer, await whatsapp(tap, from));
    expect(ask.interactive.type).toBe("list");
    const rows = (ask.interactive.action.sections as { rows: { id: string; title: string }[] }[]).flatMap((section) => section.rows);
    expect(rows.map((r) => r.id)).toEqual([5, 4, 3, 2, 1].map((n) => `a:rate_experience:${n}`));
    expect(rows[0]!.title).toBe("★★★★★");
    const reply = await whatsappReplyTo(order.customer, await whatsapp({ row: rows[0]! }, from));
    expect(JSON.stringify(reply)).toContain("Thank you for your rating. ★★★★★");
  });
});
