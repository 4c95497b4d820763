/**
 * Slack, in one place: the chat renderer's `slack` format (format.ts), the webhook (inbound.ts, its
 * signature check in signature.ts) and the outbound sender (sender.ts).
 */
import type { ChatPlatform } from "../../../src/channels/platform";
import { slackWebhook } from "./inbound";
import { slackSender } from "./sender";

export const slackPlatform: ChatPlatform = {
  id: "slack",
  name: "Slack",
  channel: "chat",
  format: "slack",
  webhook: slackWebhook,
  sender: slackSender,
};
