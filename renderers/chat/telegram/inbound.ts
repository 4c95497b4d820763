/**
 * Telegram's bot webhook (`POST /v1/inbound/chat/telegram`): the secret token, the Bot API `Update`,
 * and the reply in the webhook response (a Bot API method call). Text messages run keywords; button
 * presses (`callback_data`) run their action and are always answered (`answerCallbackQuery`).
 */
import { z } from "@hono/zod-openapi";
import { charCount, truncate } from "../../../src/channels/contract";
import { type ChatEvent, type ChatWebhook, escapeAngles, WebhookRefusal } from "../../../src/channels/platform";
import { verifyTelegram } from "./signature";

/** `answerCallbackQuery`'s `text`: 0–200 characters (Bot API), shown as a notification. */
const CALLBACK_TEXT_MAX = 200;
/** The longest closing figure (what follows the last ` — `: a price, a total) kept whole when the rest is cut. */
const FIGURE_MAX = 40;

/**
 * A reply as a callback query's notification, within {@link CALLBACK_TEXT_MAX} and deterministic. When it is
 * longer, decoration goes before facts: first the links (a notification cannot open them), then the rest is cut on a
 * grapheme boundary with "…" (`truncate`), keeping whole the figure an action's detail ends with
 * (`Title ×1 — €89.00`, src/journeys/actions.ts) so the price or total survives a long title. The reply text
 * carries no availability (the sendMessage payload does, and a callback query is answered with this text only).
 *
 * @example
 * callbackText(`Here is your cart. ${"🎉".repeat(95)} ×1 — €89.00`) // "Here is your cart. 🎉🎉…🎉… — €89.00" (≤ 200)
 */
function callbackText(text: string): string {
  if (charCount(text) <= CALLBACK_TEXT_MAX) return text;
  const plain = text.replace(/\s*\bhttps?:\/\/\S+/gi, "").trim();
  if (charCount(plain) <= CALLBACK_TEXT_MAX) return plain;
  const at = plain.lastIndexOf(" — ");
  const figure = at === -1 ? "" : plain.slice(at);
  if (!figure || charCount(figure) > FIGURE_MAX) return truncate(plain, CALLBACK_TEXT_MAX);
  return `${truncate(plain.slice(0, at), CALLBACK_TEXT_MAX - charCount(figure))}${figure}`;
}

const TelegramUpdate = z
  .object({
    update_id: z.number().int(),
    message: z
      .object({
        message_id: z.number().int(),
        chat: z.object({ id: z.number().int() }).passthrough(),
        text: z.string().max(4096).optional(),
      })
      .passthrough()
      .optional(),
    callback_query: z
      .object({
        id: z.string(),
        from: z.object({ id: z.number().int() }).passthrough(),
        message: z
          .object({ chat: z.object({ id: z.number().int() }).passthrough() })
          .passthrough()
          .optional(),
        data: z.string().max(64).optional(),
      })
      .passthrough()
      .optional(),
  })
  .passthrough();
const TelegramUpdateDoc = z.record(z.string(), z.unknown()).openapi("TelegramUpdate", {
  description: "A Bot API Update.",
  example: { update_id: 1, message: { message_id: 7, chat: { id: 123456 }, text: "CART" } },
});

/** A message or a button press, and what answering it needs: the chat, or the callback query. */
interface TelegramEvent extends ChatEvent {
  chatId: number;
  callbackId?: string;
}

export const telegramWebhook: ChatWebhook<TelegramEvent> = {
  doc: {
    method: "post",
    path: "/v1/inbound/chat/telegram",
    operationId: "inboundTelegram",
    summary: "Telegram bot webhook",
    description:
      "Set with `setWebhook` and a `secret_token`; requests must carry it in `X-Telegram-Bot-Api-Secret-Token` (`TELEGRAM_SECRET_TOKEN`). Text messages run keywords from the action catalogue; button presses (`callback_data` `a:<action>[:<arg>]`) run that action and are always answered (`answerCallbackQuery`). The reply is the Bot API call in the webhook response. An `update_id` seen twice is processed once.",
    // Documented as an open object: the update is validated after the secret token is checked.
    request: { body: { required: true, content: { "application/json": { schema: TelegramUpdateDoc } } } },
    responses: {
      200: {
        description: "A Bot API method call: `sendMessage` (HTML, escaped) or `answerCallbackQuery`.",
        content: {
          "application/json": {
            schema: z.record(z.string(), z.unknown()).openapi("TelegramMethodCall", {
              example: { method: "sendMessage", chat_id: 123456, text: "Here is your cart.", parse_mode: "HTML" },
            }),
          },
        },
      },
    },
    errors: [400, 403, 503],
  },

  unconfigured: (config) => (config.TELEGRAM_SECRET_TOKEN ? null : "Telegram is not configured on this server (TELEGRAM_SECRET_TOKEN)."),

  verify(request) {
    if (!verifyTelegram(request.config.TELEGRAM_SECRET_TOKEN ?? "", request.header("x-telegram-bot-api-secret-token")))
      throw new WebhookRefusal("forbidden", "Wrong or missing X-Telegram-Bot-Api-Secret-Token.");
  },

  read(request) {
    let json: unknown = null;
    try {
      json = JSON.parse(request.body);
    } catch {}
    const parsed = TelegramUpdate.safeParse(json);
    if (!parsed.success) throw new WebhookRefusal("validation_failed", "Not a Telegram update.");
    const update = parsed.data;
    if (update.callback_query) {
      const q = update.callback_query;
      const chatId = q.message?.chat.id ?? q.from.id;
      const data = q.data ?? "";
      return {
        events: [
          {
            user: String(chatId),
            chatId,
            callbackId: q.id,
            messageId: `cb:${q.id}`,
            summary: `[button] ${data}`,
            input: { postback: data },
          },
        ],
      };
    }
    if (update.message?.text !== undefined) {
      const m = update.message;
      const text = m.text ?? "";
      return {
        events: [{ user: String(m.chat.id), chatId: m.chat.id, messageId: `u:${update.update_id}`, summary: text, input: { text } }],
      };
    }
    return { answer: {} }; // other update kinds (edits, joins…) need no answer
  },

  // Every reply leaves in the webhook response: nothing is queued.
  answer: () => ({}),

  respond([handled]) {
    if (!handled) return {};
    const { event, reply } = handled;
    // Every callback query is answered, or the user's client keeps spinning (Bot API).
    if (event.callbackId !== undefined)
      return { method: "answerCallbackQuery", callback_query_id: event.callbackId, text: callbackText(reply.text) };
    // The chat renderer's sendMessage (HTML escaped, inline keyboard of callback_data postbacks), addressed to this chat.
    if (reply.payload) return { ...reply.payload, chat_id: event.chatId };
    return { method: "sendMessage", chat_id: event.chatId, text: escapeAngles(reply.text).slice(0, 4096), parse_mode: "HTML" };
  },
};
