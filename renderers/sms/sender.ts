/**
 * Sending an SMS (docs/channels.md, "SMS"): Twilio's Messages API,
 * `POST {TWILIO_API_URL}/2010-04-01/Accounts/{AccountSid}/Messages.json`, HTTP Basic (account SID,
 * auth token), form-encoded `To`, `From` (or `MessagingServiceSid`), `Body` in the order and
 * percent-encoding the `twilio` package sends. Plain `fetch` (the SDK is Node-only).
 */
import { baseUrlOf, type Sender } from "../../src/channels/platform";

/**
 * Percent-encoding as the `twilio` package sends form bodies (`qs`, RFC 3986): everything but
 * `A–Z a–z 0–9 - . _ ~` is encoded, spaces as `%20`.
 */
export function formEncode(fields: [string, string][]): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return fields.map(([k, v]) => `${encode(k)}=${encode(v)}`).join("&");
}

export const twilioSender: Sender = {
  missingConfig: (config) => (config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN ? null : "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"),
  request(entry, config) {
    const message = JSON.parse(entry.payload) as { To: string; From?: string; MessagingServiceSid?: string; Body: string };
    const fields: [string, string][] = [["To", message.To]];
    if (message.From) fields.push(["From", message.From]);
    if (message.MessagingServiceSid) fields.push(["MessagingServiceSid", message.MessagingServiceSid]);
    fields.push(["Body", message.Body]);
    const sid = config.TWILIO_ACCOUNT_SID ?? "";
    return {
      url: `${baseUrlOf(config.TWILIO_API_URL)}/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`,
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
        authorization: `Basic ${btoa(`${sid}:${config.TWILIO_AUTH_TOKEN ?? ""}`)}`,
      },
      body: formEncode(fields),
    };
  },
  // From a Messaging Service (MG…) or a number.
  agentMessage: (to, text, extra = {}) =>
    extra.from?.startsWith("MG") ? { To: to, MessagingServiceSid: extra.from, Body: text } : { To: to, From: extra.from, Body: text },
  describeAgentMessage: (p) => ({ to: String(p.To), text: String(p.Body) }),
};
