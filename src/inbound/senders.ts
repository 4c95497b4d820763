/**
 * Outbound senders: the exact HTTP request each platform documents for sending
 * a message, built from a reply-outbox row and the configuration. Plain
 * `fetch` on both runtimes (the platforms' SDKs are Node-only or far larger
 * than one request); every base URL is configurable so tests point them at
 * loopback.
 *
 * - WhatsApp Cloud API: `POST {WHATSAPP_GRAPH_URL}/{phone-number-id}/messages`, Bearer token, JSON.
 * - Slack: a button reply to the interaction's `response_url` (JSON, no token), or an agent's message
 *   through `POST {SLACK_API_URL}/chat.postMessage` with the bot token (`channel` = the user id: the app's DM).
 * - SMS (Twilio Messages API): `POST {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json`,
 *   HTTP Basic (account SID, auth token), form-encoded `To`, `From` (or `MessagingServiceSid`), `Body`
 *   in the order and percent-encoding the `twilio` package sends.
 * - Telegram Bot API: `POST {TELEGRAM_API_URL}/bot{token}/sendMessage`, JSON.
 * - Messenger Send API: `POST {MESSENGER_GRAPH_URL}/me/messages`, the Page token as Bearer, JSON.
 *
 * Tokens never appear in an error text (the Telegram token is part of its URL, which is never reported).
 */
import type { Config } from "../env";

export const OUTBOUND_CHANNELS = ["whatsapp", "slack", "sms", "telegram", "messenger"] as const;
export type OutboundChannel = (typeof OUTBOUND_CHANNELS)[number];

export type SenderConfig = Pick<
  Config,
  | "WHATSAPP_ACCESS_TOKEN"
  | "WHATSAPP_GRAPH_URL"
  | "TWILIO_ACCOUNT_SID"
  | "TWILIO_AUTH_TOKEN"
  | "TWILIO_API_URL"
  | "TELEGRAM_BOT_TOKEN"
  | "TELEGRAM_API_URL"
  | "SLACK_BOT_TOKEN"
  | "SLACK_API_URL"
  | "MESSENGER_PAGE_ACCESS_TOKEN"
  | "MESSENGER_GRAPH_URL"
>;

/** The outbox target of an agent's Slack message (other Slack rows hold a `response_url`). */
export const SLACK_POST_MESSAGE = "chat.postMessage";

export interface OutboundRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** What each channel needs configured before anything can be sent on it (null: nothing is missing). */
export function missingSenderConfig(channel: OutboundChannel, config: SenderConfig, slackTarget?: string): string | null {
  switch (channel) {
    case "whatsapp":
      return config.WHATSAPP_ACCESS_TOKEN ? null : "WHATSAPP_ACCESS_TOKEN";
    case "slack":
      return slackTarget !== undefined && slackTarget !== SLACK_POST_MESSAGE ? null : config.SLACK_BOT_TOKEN ? null : "SLACK_BOT_TOKEN";
    case "sms":
      return config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN ? null : "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN";
    case "telegram":
      return config.TELEGRAM_BOT_TOKEN ? null : "TELEGRAM_BOT_TOKEN";
    case "messenger":
      return config.MESSENGER_PAGE_ACCESS_TOKEN ? null : "MESSENGER_PAGE_ACCESS_TOKEN";
  }
}

const base = (url: string) => url.replace(/\/+$/, "");
const json = (token?: string): Record<string, string> => ({
  "content-type": "application/json",
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});

/**
 * Percent-encoding as the `twilio` package sends form bodies (`qs`, RFC 3986): everything but
 * `A–Z a–z 0–9 - . _ ~` is encoded, spaces as `%20`.
 */
export function formEncode(fields: [string, string][]): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return fields.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
}

/**
 * The HTTP request that sends one outbox row, or why it cannot be sent (a final failure).
 *
 * @example
 * outboundRequest({ channel: "telegram", target: "sendMessage", payload: '{"chat_id":1,"text":"Hi"}' }, config)
 */
export function outboundRequest(
  row: { channel: OutboundChannel; target: string; payload: string },
  config: SenderConfig,
): OutboundRequest | string {
  const missing = missingSenderConfig(row.channel, config, row.target);
  if (missing) return `${missing} ${missing.includes(" and ") ? "are" : "is"} not set.`;
  switch (row.channel) {
    case "whatsapp":
      return {
        url: `${base(config.WHATSAPP_GRAPH_URL)}/${encodeURIComponent(row.target)}/messages`,
        headers: json(config.WHATSAPP_ACCESS_TOKEN),
        body: row.payload,
      };
    case "slack":
      if (row.target !== SLACK_POST_MESSAGE) return { url: row.target, headers: json(), body: row.payload };
      // Slack's Web API wants the charset named on JSON bodies.
      return {
        url: `${base(config.SLACK_API_URL)}/chat.postMessage`,
        headers: { "content-type": "application/json; charset=utf-8", authorization: `Bearer ${config.SLACK_BOT_TOKEN}` },
        body: row.payload,
      };
    case "sms": {
      const message = JSON.parse(row.payload) as { To: string; From?: string; MessagingServiceSid?: string; Body: string };
      const fields: [string, string][] = [["To", message.To]];
      if (message.From) fields.push(["From", message.From]);
      if (message.MessagingServiceSid) fields.push(["MessagingServiceSid", message.MessagingServiceSid]);
      fields.push(["Body", message.Body]);
      const sid = config.TWILIO_ACCOUNT_SID ?? "";
      return {
        url: `${base(config.TWILIO_API_URL)}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
          authorization: `Basic ${btoa(`${sid}:${config.TWILIO_AUTH_TOKEN ?? ""}`)}`,
        },
        body: formEncode(fields),
      };
    }
    case "telegram":
      return { url: `${base(config.TELEGRAM_API_URL)}/bot${config.TELEGRAM_BOT_TOKEN}/sendMessage`, headers: json(), body: row.payload };
    case "messenger":
      return {
        url: `${base(config.MESSENGER_GRAPH_URL)}/me/messages`,
        headers: json(config.MESSENGER_PAGE_ACCESS_TOKEN),
        body: row.payload,
      };
  }
}

/** Slack Web API errors worth another try (it answers most failures with 200 and `ok: false`). */
const SLACK_TRANSIENT = new Set(["ratelimited", "request_timeout", "service_unavailable", "internal_error", "fatal_error"]);

/**
 * Whether a 2xx answer really is a success: Slack's Web API reports failures as `200 {"ok": false, "error": …}`.
 * Returns null for a success, else the error and whether to retry.
 */
export function refusalIn2xx(row: { channel: OutboundChannel; target: string }, text: string): { error: string; retry: boolean } | null {
  if (row.channel !== "slack" || row.target !== SLACK_POST_MESSAGE) return null;
  let body: { ok?: unknown; error?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { error: "Slack answered something other than JSON.", retry: true };
  }
  if (body.ok === true) return null;
  const code = typeof body.error === "string" ? body.error.slice(0, 100) : "unknown";
  return { error: `Slack refused the message: ${code}.`, retry: SLACK_TRANSIENT.has(code) };
}

/** An agent's message as each platform's send call takes it. */
export function agentMessage(channel: OutboundChannel, to: string, text: string, extra: { from?: string; tag?: boolean } = {}) {
  switch (channel) {
    case "whatsapp":
      return { messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { body: text } };
    case "slack": {
      // mrkdwn: &, < and > are the three characters Slack wants escaped.
      const safe = text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch] as string);
      return { channel: to, text: safe };
    }
    case "sms":
      return extra.from?.startsWith("MG")
        ? { To: to, MessagingServiceSid: extra.from, Body: text }
        : { To: to, From: extra.from, Body: text };
    case "telegram":
      // Plain text (no parse_mode): nothing the agent types is read as markup.
      return { chat_id: /^-?\d+$/.test(to) && Number.isSafeInteger(Number(to)) ? Number(to) : to, text };
    case "messenger":
      return extra.tag
        ? { recipient: { id: to }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text } }
        : { recipient: { id: to }, messaging_type: "RESPONSE", message: { text } };
  }
}

/** Who an agent's message went to and what it said, read back from the payload queued for it. */
export function describeAgentMessage(channel: OutboundChannel, payload: string, fallbackText: string): { to: string; text: string } {
  const p = JSON.parse(payload) as Record<string, unknown>;
  switch (channel) {
    case "whatsapp":
      return { to: String(p.to), text: String((p.text as { body?: string } | undefined)?.body ?? fallbackText) };
    case "slack":
      return {
        to: String(p.channel),
        text: String(p.text ?? fallbackText).replace(/&(lt|gt|amp);/g, (_, e: string) => ({ lt: "<", gt: ">", amp: "&" })[e] as string),
      };
    case "sms":
      return { to: String(p.To), text: String(p.Body) };
    case "telegram":
      return { to: String(p.chat_id), text: String(p.text) };
    case "messenger":
      return {
        to: String((p.recipient as { id?: string } | undefined)?.id),
        text: String((p.message as { text?: string } | undefined)?.text),
      };
  }
}
