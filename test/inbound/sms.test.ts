/**
 * The Twilio SMS webhook, signed exactly as Twilio signs (the official `twilio`
 * package is the oracle), end to end on a real database with the demo store.
 */
import { join } from "node:path";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { importContent } from "../../src/catalogue/content";
import { readContentDir } from "../../src/cli/content-files";
import { createTestApp } from "../helpers/app";
import { dump } from "../helpers/snapshot";

const TOKEN = "test-auth-token-0123456789abcdef";
const BASE = "https://shop.example";
const FROM = "+4791234567";

async function smsApp(config: Record<string, string> = {}) {
  const t = await createTestApp({ config: { TWILIO_AUTH_TOKEN: TOKEN, PUBLIC_BASE_URL: BASE, ...config } });
  await importContent(t.db, await readContentDir(join(import.meta.dirname, "../../content")), { keyId: null, now: t.now });
  let n = 0;
  const send = async (
    body: string,
    options: { sid?: string; from?: string; signature?: string; extra?: Record<string, string>; url?: string } = {},
  ) => {
    const params: Record<string, string> = {
      MessageSid: options.sid ?? `SM${String(++n).padStart(32, "0")}`,
      From: options.from ?? FROM,
      To: "+4798765432",
      Body: body,
      ...options.extra,
    };
    const signature = options.signature ?? twilio.getExpectedTwilioSignature(TOKEN, options.url ?? `${BASE}/v1/inbound/sms`, params);
    const res = await t.app.request("/v1/inbound/sms", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature },
      body: new URLSearchParams(params).toString(),
    });
    return { res, text: await res.text() };
  };
  return { t, send };
}

const message = (xml: string) => /<Message>([\s\S]*)<\/Message>/.exec(xml)?.[1] ?? null;

describe("POST /v1/inbound/sms (Twilio)", () => {
  it("runs a keyword as the action and answers with TwiML; the cart is the customer's on every channel", async () => {
    const { t, send } = await smsApp();
    const { res, text } = await send("add rib-bea-fores 2");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/xml; charset=utf-8");
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response><Message>Added to your cart\./);
    const cart = await send("CART");
    expect(message(cart.text)).toContain("Here is your cart.");
    const customers = t.db.client.prepare("SELECT customer_id FROM identities WHERE channel = 'sms' AND external_id = ?").all(FROM);
    expect(customers).toHaveLength(1);
    const lines = t.db.client.prepare("SELECT sku, quantity FROM cart_lines").all();
    expect(lines).toEqual([{ sku: "RIB-BEA-FORES", quantity: 2 }]);
    const timeline = t.db.client.prepare("SELECT direction, channel FROM interactions ORDER BY seq").all();
    expect(timeline.filter((r: any) => r.direction === "inbound")).toHaveLength(2);
  });

  it("a replayed MessageSid is processed once and gets its first reply again", async () => {
    const { t, send } = await smsApp();
    const first = await send("ADD RIB-BEA-FORES 1", { sid: "SMdup" });
    const again = await send("ADD RIB-BEA-FORES 1", { sid: "SMdup" });
    expect(message(again.text)).toBe(message(first.text));
    expect(t.db.client.prepare("SELECT quantity FROM cart_lines").all()).toEqual([{ quantity: 1 }]);
  });

  it("STOP opts out and sends nothing; nothing is sent to the number afterwards; START opts back in; HELP names brand, support, rates and STOP", async () => {
    const { send } = await smsApp();
    expect((await send("STOP")).text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await send("ADD RIB-BEA-FORES 1")).text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect((await send("help")).text).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(message((await send("start")).text)).toContain("subscribed again");
    const help = message((await send("HELP")).text)!;
    expect(help).toContain("Fjord &amp; Pine");
    expect(help).toContain("Msg&amp;data rates may apply");
    expect(help).toContain("Reply STOP to cancel");
    for (const word of ["STOPALL", "unsubscribe", "Cancel", "END", "QUIT", "REVOKE", "OPTOUT"]) {
      expect((await send(word, { from: "+4790000001" })).text, word).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    }
  });

  it("only a single word is a compliance word: 'stop the order' is not an opt-out", async () => {
    const { send } = await smsApp();
    const reply = message((await send("stop the order please")).text)!;
    expect(reply).toContain("Reply 1 or CART");
    expect(message((await send("CART")).text)).toContain("cart");
  });

  it("NPS alone asks for 0 to 10 as keywords; NPS 9 with a comment records the answer; NPS 11 explains itself and records nothing", async () => {
    const { t, send } = await smsApp();
    const ask = message((await send("nps")).text)!;
    expect(ask).toContain("How likely are you to recommend us to a friend?");
    for (const n of [10, 9, 0]) expect(ask).toContain(`NPS ${n}`);
    expect(message((await send("NPS 9 Great shop")).text)).toContain("Thank you for your answer.");
    expect(message((await send("NPS 11")).text)).not.toContain("Thank you");
    const answers = t.db.client.prepare("SELECT channel, score, comment FROM nps_answers").all();
    expect(answers).toEqual([{ channel: "sms", score: 9, comment: "Great shop" }]);
    const summaries = t.db.client.prepare("SELECT summary FROM interactions WHERE action_key = 'recommend' AND direction = 'action'").all();
    expect(summaries).toEqual([{ summary: "Would recommend 9/10: Great shop" }]);
  });

  it("unknown text gets the keyword menu; a number picks from it; bad arguments explain themselves in the SMS", async () => {
    const { send } = await smsApp();
    const menu = message((await send("hello?")).text)!;
    expect(menu).toBe(
      "Reply 1 or CART: View cart; 2 or BUY: Check out; 3 or AGENT: Talk to us; 4 or WEB: Continue online. HELP for help, STOP to opt out.",
    );
    expect(message((await send("1")).text)).toContain("Here is your cart.");
    const bad = message((await send("ADD")).text)!;
    expect(bad).toContain("Reply 1 or CART");
  });

  it("refuses a bad or missing signature, a tampered body and another URL with 403 problem+json, changing nothing", async () => {
    const { t, send } = await smsApp();
    const before = dump(t.db);
    for (const attempt of [
      await send("ADD RIB-BEA-FORES 1", { signature: "AAAA" }),
      await send("ADD RIB-BEA-FORES 1", { signature: "" }),
      await send("ADD RIB-BEA-FORES 1", { url: "https://evil.example/v1/inbound/sms" }),
    ]) {
      expect(attempt.res.status).toBe(403);
      expect(attempt.res.headers.get("content-type")).toBe("application/problem+json");
    }
    const signed = { MessageSid: "SMx", From: FROM, To: "+1", Body: "CART" };
    const tampered = await t.app.request("/v1/inbound/sms", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio.getExpectedTwilioSignature(TOKEN, `${BASE}/v1/inbound/sms`, signed),
      },
      body: new URLSearchParams({ ...signed, Body: "BUY" }).toString(),
    });
    expect(tampered.status).toBe(403);
    expect(dump(t.db)).toEqual(before);
  });

  it("accepts the URL signed with an explicit default port, and parameters Twilio adds without notice", async () => {
    const { send } = await smsApp();
    const withPort = await send("CART", { url: "https://shop.example:443/v1/inbound/sms" });
    expect(withPort.res.status).toBe(200);
    const extra = await send("CART", { extra: { NumMedia: "0", SmsStatus: "received", ApiVersion: "2010-04-01", FutureField: "x" } });
    expect(extra.res.status).toBe(200);
  });

  it("escapes catalogue and customer text in TwiML, and a malformed form is a 400 after the signature check", async () => {
    const { send } = await smsApp();
    const agent = await send('AGENT <b>help</b> & "quotes"');
    expect(agent.res.status).toBe(200);
    expect(agent.text).not.toContain("<b>");
    const badFrom = await send("CART", { from: "not-a-phone" });
    expect(badFrom.res.status).toBe(400);
    expect((JSON.parse(badFrom.text) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe("/From");
  });

  it("without TWILIO_AUTH_TOKEN the webhook is off (503)", async () => {
    const t = await createTestApp();
    const res = await t.app.request("/v1/inbound/sms", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Body=HI",
    });
    expect(res.status).toBe(503);
  });
});

describe("SMS replies are cheap and bounded", () => {
  // Truncation to the segment budget is unit-tested in test/channels/sms-text.test.ts.
  it("typographic characters in replies are Smart-Encoded so the reply stays GSM-7", async () => {
    const { smsInfo } = await import("../../src/channels/sms-text");
    const { send } = await smsApp({ SMS_BRAND: "Fjord “&” Pine — Oslo", SMS_SUPPORT: "support@fjordandpine.example" });
    const help = message((await send("HELP")).text)!;
    expect(help).toContain("Fjord &quot;&amp;&quot; Pine - Oslo");
    const plain = help
      .replaceAll("&quot;", '"')
      .replaceAll("&amp;", "&")
      .replaceAll("&apos;", "'")
      .replaceAll("&lt;", "<")
      .replaceAll("&gt;", ">");
    expect(smsInfo(plain).encoding).toBe("GSM-7");
  });
});

describe("continuing on SMS with a handoff code", () => {
  it("a code sent alone links the phone to the customer who asked for it: the reply is their cart; a second use is refused", async () => {
    const { t, send } = await smsApp();
    const invoker = { ...(await t.auth("actions:invoke")), "idempotency-key": "k1" };
    const web = { channel: "web", identity: { channel: "web", externalId: "session-1" } };
    const added = await t.request("POST", "/v1/actions/add_to_cart", {
      headers: invoker,
      body: { ...web, input: { sku: "RIB-BEA-FORES" } },
    });
    const customer = ((await added.json()) as any).customer;
    const handed = await t.request("POST", "/v1/actions/handoff", {
      headers: { ...invoker, "idempotency-key": "k2" },
      body: { ...web, input: { to: "sms" } },
    });
    const code = ((await handed.json()) as any).result.handoff.code as string;

    const reply = message((await send(code.toLowerCase())).text);
    expect(reply).toContain("Welcome back: your journey continues here. Ribbed beanie (Forest) ×1 - €29.00");
    // The cart's delivery options with their prices, and the pick-up option as a keyword of its own.
    expect(reply).toContain("Standard delivery €4.90, Express delivery €12.90, Pick up in store €0.00");
    expect(reply).toContain("Reply BUY or BUY pickup.");
    const owner = t.db.client.prepare("SELECT customer_id AS c FROM identities WHERE channel = 'sms' AND external_id = ?").get(FROM) as {
      c: string;
    };
    expect(owner.c).toBe(customer);
    // The phone now shares the web cart: BUY by SMS checks it out.
    expect(message((await send("BUY")).text)).toContain("Your order is placed.");

    const again = message((await send(code)).text);
    expect(again).toContain("This handoff code was already used.");
  });
});

describe("choosing a delivery option by SMS", () => {
  it("the cart reply lists every option with its price and the keyword that checks out with pick-up; that keyword places the order with it", async () => {
    const { t, send } = await smsApp();
    await send("ADD RIB-BEA-FORES 1");
    const cart = message((await send("CART")).text)!;
    for (const option of ["Standard delivery €4.90", "Express delivery €12.90", "Pick up in store €0.00"]) expect(cart).toContain(option);
    expect(cart).toMatch(/\bBUY pickup\b/);
    expect(message((await send("buy PICKUP")).text)).toContain("Your order is placed.");
    const order = t.db.client.prepare("SELECT delivery_option AS option, delivery_name AS name FROM orders").all();
    expect(order).toEqual([{ option: "pickup", name: "Pick up in store" }]);
    // An unknown option places nothing.
    await send("ADD RIB-BEA-FORES 1");
    expect(message((await send("BUY drone")).text)).not.toContain("Your order is placed.");
    expect(t.db.client.prepare("SELECT count(*) AS n FROM orders").get()).toEqual({ n: 1 });
  });
});
