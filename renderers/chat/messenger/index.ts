/**
 * Messenger, in one place: the chat renderer's `messenger` format (format.ts) and the Send API sender
 * (sender.ts), which agents' replies leave through. Messenger has no webhook here yet: its customers
 * are reached, not heard (a webhook would sign like WhatsApp's, `X-Hub-Signature-256`).
 */
import type { ChatPlatform } from "../../../src/channels/platform";
import { messengerSender } from "./sender";

export const messengerPlatform: ChatPlatform = {
  id: "messenger",
  name: "Messenger",
  channel: "chat",
  format: "messenger",
  sender: messengerSender,
};
