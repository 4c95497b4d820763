/**
 * WhatsApp, in one place: the chat renderer's `whatsapp` format (format.ts), the webhook (inbound.ts, its
 * signature check in signature.ts) and the outbound sender (sender.ts).
 */
import type { ChatPlatform } from "../../../src/channels/platform";
import { whatsappWebhook } from "./inbound";
import { whatsappSender } from "./sender";

export const whatsappPlatform: ChatPlatform = {
  id: "whatsapp",
  name: "WhatsApp",
  channel: "chat",
  format: "whatsapp",
  webhook: whatsappWebhook,
  sender: whatsappSender,
};
