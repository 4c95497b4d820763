/**
 * Sending on Telegram (docs/channels.md, "Telegram"): `POST {TELEGRAM_API_URL}/bot{token}/sendMessage`,
 * JSON. The token is part of the URL, which is never reported in an error text.
 */
import { baseUrlOf, jsonHeaders, type Sender } from "../../../src/channels/platform";

export const telegramSender: Sender = {
  agentTarget: "sendMessage",
  missingConfig: (config) => (config.TELEGRAM_BOT_TOKEN ? null : "TELEGRAM_BOT_TOKEN"),
  request: (entry, config) => ({
    url: `${baseUrlOf(config.TELEGRAM_API_URL)}/bot${config.TELEGRAM_BOT_TOKEN}/sendMessage`,
    headers: jsonHeaders(),
    body: entry.payload,
  }),
  // Plain text (no parse_mode): nothing the agent types is read as markup.
  agentMessage: (to, text) => ({ chat_id: /^-?\d+$/.test(to) && Number.isSafeInteger(Number(to)) ? Number(to) : to, text }),
  describeAgentMessage: (p) => ({ to: String(p.chat_id), text: String(p.text) }),
};
