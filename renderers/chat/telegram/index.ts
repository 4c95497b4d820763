/**
 * Telegram, in one place: the chat renderer's `telegram` format (format.ts), the bot webhook
 * (inbound.ts, its secret token in signature.ts) and the Bot API sender (sender.ts).
 */
import type { ChatPlatform } from "../../../src/channels/platform";
import { telegramWebhook } from "./inbound";
import { telegramSender } from "./sender";

export const telegramPlatform: ChatPlatform = {
  id: "telegram",
  name: "Telegram",
  channel: "chat",
  format: "telegram",
  webhook: telegramWebhook,
  sender: telegramSender,
};
