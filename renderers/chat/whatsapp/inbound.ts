/**
 * The WhatsApp Cloud API webhook (`/v1/inbound/chat/whatsapp`): Meta's subscription handshake (GET),
 * the signed event (POST, `X-Hub-Signature-256`), one message per `messages[]` entry. Replies leave
 * through the Cloud API from the number that received the message (sender.ts), queued by the core.
 */
import { z } from "@hono/zod-openapi";
import { type ChatEvent, type ChatWebhook, WebhookRefusal } from "../../../src/channels/platform";
import { verifyMeta } from "./signature";

const WhatsAppMessage = z
  .object({
    from: z.string().min(1).max(32),
    id: z.string().min(1).max(256),
    type: z.string(),
    text: z.object({ body: z.string().max(4096) }).optional(),
    interactive: z
      .object({
        type: z.string(),
        button_reply: z.object({ id: z.string().max(256), title: z.string() }).optional(),
        list_reply: z
          .object({ id: z.string().max(200), title: z.string() })
          .passthrough()
          .optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();

const WhatsAppEventSchema = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          changes: z.array(
            z
              .object({
                value: z
                  .object({
                    /** The business number that received the messages: replies are sent from it. */
                    metadata: z
                      .object({ phone_number_id: z.string().min(1).max(64) })
                      .passthrough()
                      .optional(),
                    messages: z.array(WhatsAppMessage).optional(),
                  })
                  .passthrough(),
              })
              .passthrough(),
          ),
        })
        .passthrough(),
    ),
  })
  .passthrough();
const WhatsAppEventDoc = z.record(z.string(), z.unknown()).openapi("WhatsAppWebhook", {
  description: "A Cloud API webhook event (messages under entry[].changes[].value).",
  example: {
    object: "whatsapp_business_account",
    entry: [{ changes: [{ value: { messages: [{ from: "4791234567", id: "wamid.X", type: "text", text: { body: "CART" } }] } }] }],
  },
});

/** A message, and what answering it needs: the business number that received it. */
interface WhatsAppEvent extends ChatEvent {
  phoneNumberId: string | undefined;
}

export const whatsappWebhook: ChatWebhook<WhatsAppEvent> = {
  doc: {
    method: "post",
    path: "/v1/inbound/chat/whatsapp",
    operationId: "inboundWhatsApp",
    summary: "WhatsApp Cloud API webhook",
    description:
      "Signed by Meta: `X-Hub-Signature-256` is `sha256=` HMAC-SHA256 of the raw body with `WHATSAPP_APP_SECRET`. Text messages run keywords; reply buttons and list rows (`a:<action>[:<arg>]`) run that action. A message id seen twice is processed once. Replies are recorded on the customer's timeline as native Cloud API payloads and, with `WHATSAPP_ACCESS_TOKEN` set, sent from the receiving number (`metadata.phone_number_id`) through the Cloud API, retried on 429 and 5xx.",
    request: { body: { required: true, content: { "application/json": { schema: WhatsAppEventDoc } } } },
    responses: {
      200: {
        description: "Accepted.",
        content: { "application/json": { schema: z.object({ processed: z.number().int() }).openapi("WebhookAck") } },
      },
    },
    errors: [400, 403, 503],
  },

  handshake: {
    doc: {
      method: "get",
      path: "/v1/inbound/chat/whatsapp",
      operationId: "verifyWhatsAppWebhook",
      summary: "WhatsApp webhook verification",
      description:
        "Meta's subscription handshake: with `hub.mode=subscribe` and the configured `WHATSAPP_VERIFY_TOKEN`, answers `hub.challenge` as plain text.",
      request: {
        query: z.object({
          "hub.mode": z.string().optional(),
          "hub.verify_token": z.string().optional(),
          "hub.challenge": z.string().max(200).optional(),
        }),
      },
      responses: {
        200: { description: "The challenge, echoed.", content: { "text/plain": { schema: z.string() } } },
      },
      errors: [403, 503],
    },
    answer(request) {
      const token = request.config.WHATSAPP_VERIFY_TOKEN;
      if (!token) throw new WebhookRefusal("service_unavailable", "WhatsApp is not configured on this server (WHATSAPP_VERIFY_TOKEN).");
      const q = request.query;
      if (q["hub.mode"] !== "subscribe" || q["hub.verify_token"] !== token || !q["hub.challenge"])
        throw new WebhookRefusal("forbidden", "Verification failed.");
      return q["hub.challenge"];
    },
  },

  unconfigured: (config) => (config.WHATSAPP_APP_SECRET ? null : "WhatsApp is not configured on this server (WHATSAPP_APP_SECRET)."),

  async verify(request) {
    if (!(await verifyMeta(request.config.WHATSAPP_APP_SECRET ?? "", request.header("x-hub-signature-256"), request.body)))
      throw new WebhookRefusal("forbidden", "The X-Hub-Signature-256 does not match this body.");
  },

  read(request) {
    const parsed = WhatsAppEventSchema.safeParse(request.json(request.body));
    if (!parsed.success) throw new WebhookRefusal("validation_failed", "Not a WhatsApp Cloud API webhook event.");
    const events: WhatsAppEvent[] = [];
    for (const entry of parsed.data.entry) {
      for (const change of entry.changes) {
        for (const m of change.value.messages ?? []) {
          const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
          events.push({
            user: m.from,
            messageId: m.id,
            summary: reply ? `[button] ${reply.title}` : (m.text?.body ?? `[${m.type}]`),
            input: reply ? { postback: reply.id } : { text: m.text?.body ?? "" },
            phoneNumberId: change.value.metadata?.phone_number_id,
          });
        }
      }
    }
    return { events };
  },

  answer(event, { text, payload }, request) {
    // The Cloud API message posted to /{phone-number-id}/messages, from the number that received this one.
    const message = {
      ...(payload ?? {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        type: "text",
        text: { body: text.slice(0, 4096) },
      }),
      to: event.user,
      context: { message_id: event.messageId },
    };
    const from = event.phoneNumberId;
    return { record: message, ...(from && request.config.WHATSAPP_ACCESS_TOKEN ? { queue: { key: event.messageId, target: from } } : {}) };
  },

  respond: (handled) => ({ processed: handled.length }),
};
