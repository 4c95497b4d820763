/**
 * Twilio's messaging webhook (`POST /v1/inbound/sms`): the signed form (signature.ts), the message in
 * it, and the answer as TwiML. The route keeps what SMS law and the segment budget ask of the store
 * (consent, HELP, the menu); this reads and writes Twilio's protocol.
 */
import { z } from "@hono/zod-openapi";
import { type SmsWebhook, WebhookRefusal } from "../../src/channels/platform";
import { firstOf, parseForm } from "../../src/channels/signing";
import { verifyTwilio } from "./signature";

const TwilioForm = z
  .object({
    MessageSid: z.string().min(1).max(64).openapi({ example: "SM0123456789abcdef0123456789abcdef" }),
    From: z
      .string()
      .regex(/^\+[1-9]\d{6,14}$/, "An E.164 phone number.")
      .openapi({ example: "+4791234567" }),
    To: z.string().min(1).max(64).openapi({ example: "+4798765432" }),
    Body: z.string().max(1600).default("").openapi({ example: "ADD MER-CRE-M-NAVY 1" }),
  })
  // Twilio adds parameters without notice: unknown fields are accepted (and signed).
  .passthrough();

const TwilioFormDoc = z
  .object({
    MessageSid: z.string().optional().openapi({ example: "SM0123456789abcdef0123456789abcdef" }),
    From: z.string().optional().openapi({ description: "E.164.", example: "+4791234567" }),
    To: z.string().optional().openapi({ example: "+4798765432" }),
    Body: z.string().optional().openapi({ example: "ADD MER-CRE-M-NAVY 1" }),
  })
  .passthrough()
  .openapi("TwilioMessageForm", { description: "Twilio's messaging webhook parameters (more are accepted and signed)." });

export function helpText(brand: string, support: string): string {
  return `${brand}: reply with a keyword, e.g. CART. Support: ${support}. Msg&data rates may apply. Reply STOP to cancel.`;
}

/** TwiML with one message, or none (`<Response/>`): XML-escaped, control characters removed. */
export function twiml(message: string | null): string {
  if (message === null) return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  const clean = message
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
    .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Message>${clean}</Message></Response>`;
}

export const twilioWebhook: SmsWebhook = {
  doc: {
    method: "post",
    path: "/v1/inbound/sms",
    operationId: "inboundSms",
    summary: "Twilio SMS webhook",
    description:
      "Point a Twilio number's messaging webhook here. Requests must carry a valid `X-Twilio-Signature` (HMAC-SHA1 with `TWILIO_AUTH_TOKEN` over `PUBLIC_BASE_URL` + path + the sorted form parameters, exactly as the `twilio` package's `validateRequest`). STOP-class words opt out (nothing is sent), START-class opt back in, HELP answers; keywords from the action catalogue run actions (`ADD <sku> [qty]`, `CART`, `BUY`, `STATUS <order>`, `AGENT [message]`, …); anything else gets the keyword menu. A repeated `MessageSid` is processed once.",
    // Documented leniently: the strict TwilioForm is applied after the signature check.
    request: { body: { required: true, content: { "application/x-www-form-urlencoded": { schema: TwilioFormDoc } } } },
    responses: {
      200: {
        description: "TwiML: the reply, or an empty `<Response/>`.",
        content: { "text/xml": { schema: z.string().openapi({ example: "<Response><Message>Added to your cart.</Message></Response>" }) } },
      },
    },
    errors: [400, 403, 413, 415, 503],
  },

  unconfigured: (config) => (config.TWILIO_AUTH_TOKEN ? null : "SMS is not configured on this server (TWILIO_AUTH_TOKEN)."),

  async verify(request) {
    // Twilio signs the public URL it called; behind a proxy that is PUBLIC_BASE_URL, not the URL we see.
    if (
      !(await verifyTwilio(
        request.config.TWILIO_AUTH_TOKEN ?? "",
        request.header("x-twilio-signature"),
        request.url,
        parseForm(request.body),
      ))
    )
      throw new WebhookRefusal("forbidden", "The X-Twilio-Signature does not match this request.");
  },

  read(request) {
    const params = parseForm(request.body);
    const form = TwilioForm.safeParse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, firstOf(v)])));
    if (!form.success) return { issues: form.error.issues };
    const { MessageSid, From, To, Body } = form.data;
    return { message: { messageId: MessageSid, from: From, to: To, text: Body } };
  },

  reply: (text) => ({ body: twiml(text), contentType: "text/xml; charset=utf-8" }),
  helpText,
};
