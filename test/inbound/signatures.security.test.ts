import { createHmac } from "node:crypto";
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import { slackSignature, verifySlack } from "../../renderers/chat/slack/signature";
import { verifyTelegram } from "../../renderers/chat/telegram/signature";
import { metaSignature, verifyMeta } from "../../renderers/chat/whatsapp/signature";
import { twilioSignature, verifyTwilio } from "../../renderers/sms/signature";
import { parseForm } from "../../src/channels/signing";

const TOKEN = "12345abcde12345abcde12345abcde12";
const PARAMS = { MessageSid: "SM1234567890", From: "+4791234567", To: "+4798765432", Body: "ADD MER-CRE-M-NAVY 2 ‘quoted’ & <b>" };

describe("Twilio signatures, with the official twilio package as the oracle", () => {
  const urls = [
    "https://shop.example/v1/inbound/sms",
    "https://shop.example:443/v1/inbound/sms",
    "http://127.0.0.1:8787/v1/inbound/sms",
    "https://shop.example/v1/inbound/sms?channel=sms&note=it's%20here",
    "https://shop.example/v1/inbound/sms?q=a+b&x=%7E",
  ];

  it("computes exactly the signature twilio computes", async () => {
    for (const url of urls)
      expect(await twilioSignature(TOKEN, url, PARAMS), url).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, PARAMS));
  });

  it("accepts what twilio.validateRequest accepts and refuses what it refuses, for each URL with and without its port", async () => {
    const cases: { signedUrl: string; checkedUrl: string }[] = [];
    for (const url of urls) {
      const variants = [url, url.replace("https://shop.example/", "https://shop.example:443/"), url.replace(":443/", "/")];
      for (const signedUrl of variants) for (const checkedUrl of variants) cases.push({ signedUrl, checkedUrl });
    }
    for (const { signedUrl, checkedUrl } of cases) {
      const signature = twilio.getExpectedTwilioSignature(TOKEN, signedUrl, PARAMS);
      const expected = twilio.validateRequest(TOKEN, signature, checkedUrl, PARAMS);
      expect(await verifyTwilio(TOKEN, signature, checkedUrl, PARAMS), `${signedUrl} checked as ${checkedUrl}`).toBe(expected);
    }
  });

  it("refuses tampered parameters, a wrong token, a missing header and a different URL — as twilio does", async () => {
    const url = urls[0]!;
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, PARAMS);
    const tampered = [
      { sig: signature, url, params: { ...PARAMS, Body: "BUY" } },
      { sig: signature, url, params: { ...PARAMS, Extra: "1" } },
      { sig: twilio.getExpectedTwilioSignature("wrong-token-wrong-token-wrong-tok", url, PARAMS), url, params: PARAMS },
      { sig: "", url, params: PARAMS },
      { sig: signature, url: "https://evil.example/v1/inbound/sms", params: PARAMS },
    ];
    for (const c of tampered) {
      expect(twilio.validateRequest(TOKEN, c.sig, c.url, c.params)).toBe(false);
      expect(await verifyTwilio(TOKEN, c.sig, c.url, c.params)).toBe(false);
    }
  });

  it("accepts a URL Twilio signed as sent, given it as a Fetch Request parsed it (quotes, angle brackets, a bare ?)", async () => {
    const sent = [
      "https://shop.example/v1/inbound/sms?store=o'brien",
      'https://shop.example/v1/inbound/sms?q="<b>"&store=o\'brien',
      "https://shop.example:443/v1/inbound/sms?note=it's%20here",
      "https://shop.example/v1/inbound/sms?",
    ];
    for (const url of sent) {
      const signature = twilio.getExpectedTwilioSignature(TOKEN, url, PARAMS);
      expect(twilio.validateRequest(TOKEN, signature, url, PARAMS), url).toBe(true);
      const parsed = new URL(new Request(url).url);
      expect(await verifyTwilio(TOKEN, signature, `${parsed.origin}${parsed.pathname}${parsed.search}`, PARAMS), url).toBe(true);
    }
    const other = twilio.getExpectedTwilioSignature(TOKEN, "https://shop.example/v1/inbound/sms?store=o'neil", PARAMS);
    expect(await verifyTwilio(TOKEN, other, "https://shop.example/v1/inbound/sms?store=o%27brien", PARAMS)).toBe(false);
    expect(await verifyTwilio(TOKEN, other, "https://shop.example/v1/inbound/sms", PARAMS)).toBe(false);
  });

  it("signs repeated form fields the way twilio does", async () => {
    const body = "To=%2B47&Body=hi&MediaUrl=https%3A%2F%2Fb&MediaUrl=https%3A%2F%2Fa";
    const params = parseForm(body);
    expect(params.MediaUrl).toEqual(["https://b", "https://a"]);
    const url = urls[0]!;
    expect(await twilioSignature(TOKEN, url, params)).toBe(twilio.getExpectedTwilioSignature(TOKEN, url, params));
  });
});

describe("Slack, Meta and Telegram signatures", () => {
  it("reproduces Slack's documented example signature", async () => {
    const body =
      "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const expected = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
    expect(await slackSignature("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)).toBe(expected);
    expect(
      await verifySlack("8f742231b10e8888abcd99yyyzzz85a5", { signature: expected, timestamp: "1531420618" }, body, 1531420618 + 299),
    ).toBe("ok");
  });

  it("refuses Slack requests older than five minutes, tampered bodies and malformed timestamps", async () => {
    const secret = "s3cr3t";
    const ts = "1764000000";
    const signature = await slackSignature(secret, ts, "payload=1");
    expect(await verifySlack(secret, { signature, timestamp: ts }, "payload=1", 1764000000 + 301)).toBe("stale");
    expect(await verifySlack(secret, { signature, timestamp: ts }, "payload=1", 1764000000 - 301)).toBe("stale");
    expect(await verifySlack(secret, { signature, timestamp: ts }, "payload=2", 1764000000)).toBe("invalid");
    expect(await verifySlack(secret, { signature, timestamp: "17e8" }, "payload=1", 1764000000)).toBe("invalid");
    expect(await verifySlack(secret, { signature: undefined, timestamp: ts }, "payload=1", 1764000000)).toBe("invalid");
  });

  it("Meta's X-Hub-Signature-256 is sha256= hex HMAC of the raw body, byte for byte", async () => {
    const body = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}';
    const reference = `sha256=${createHmac("sha256", "app-secret").update(body).digest("hex")}`;
    expect(await metaSignature("app-secret", body)).toBe(reference);
    expect(await verifyMeta("app-secret", reference, body)).toBe(true);
    expect(await verifyMeta("app-secret", reference, body.replace("1", "2"))).toBe(false);
    expect(await verifyMeta("app-secret", undefined, body)).toBe(false);
  });

  it("Telegram's secret token must match exactly", () => {
    expect(verifyTelegram("tg-secret_123", "tg-secret_123")).toBe(true);
    expect(verifyTelegram("tg-secret_123", "tg-secret_124")).toBe(false);
    expect(verifyTelegram("tg-secret_123", undefined)).toBe(false);
  });
});
