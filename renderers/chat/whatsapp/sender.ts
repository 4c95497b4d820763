/**
 * Sending on WhatsApp (docs/channels.md, "WhatsApp"): the Cloud API,
 * `POST {WHATSAPP_GRAPH_URL}/{phone-number-id}/messages` with the access token as Bearer, JSON. The
 * outbox target is the business number that received the customer's messages.
 */
import { baseUrlOf, jsonHeaders, type Sender } from "../../../src/channels/platform";

export const whatsappSender: Sender = {
  missingConfig: (config) => (config.WHATSAPP_ACCESS_TOKEN ? null : "WHATSAPP_ACCESS_TOKEN"),
  request: (entry, config) => ({
    url: `${baseUrlOf(config.WHATSAPP_GRAPH_URL)}/${encodeURIComponent(entry.target)}/messages`,
    headers: jsonHeaders(config.WHATSAPP_ACCESS_TOKEN),
    body: entry.payload,
  }),
  agentMessage: (to, text) => ({ messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { body: text } }),
  describeAgentMessage: (p, fallbackText) => ({
    to: String(p.to),
    text: String((p.text as { body?: string } | undefined)?.body ?? fallbackText),
  }),
};
