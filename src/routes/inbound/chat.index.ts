/**
 * Chat webhooks: `/v1/inbound/chat/{platform}`. Each platform's own
 * authentication (Telegram secret token, Meta's X-Hub-Signature-256), its own
 * payloads, and the same action path as every other channel. A platform message
 * id seen twice is processed once (it is the action's idempotency key).
 *
 * Telegram replies in the webhook response (a Bot API method call). WhatsApp
 * replies are sent through the Graph API, which needs the network: the native
 * reply payload is recorded on the customer's timeline (direction `outbound`);
 * a sender that delivers recorded replies is future work.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { actionView, listLiveActions } from "../../catalogue/actions";
import type { JourneyChannel } from "../../db/schema";
import { verifyMeta, verifyTelegram } from "../../inbound/signatures";
import { decodePostback, menuText, parseSms, type SmsCommand } from "../../inbound/sms";
import { resolveCustomer } from "../../journeys/customers";
import { recordInteraction } from "../../journeys/interactions";
import { invokeAction } from "../../journeys/invoke";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";
import { viewContext } from "../delivery/delivery.index";

/** Runs one chat command for a platform user and returns the reply text. */
async function handle(
  c: Context<AppEnv>,
  platform: JourneyChannel,
  user: string,
  messageId: string,
  parse: (actions: ReturnType<typeof actionView>[]) => SmsCommand,
  summary: string,
): Promise<string> {
  const db = c.get("db");
  const now = c.get("clock")();
  const view = await viewContext(c, undefined);
  const actions = (await listLiveActions(db, { limit: 100 })).items.map((a) => actionView(a.doc, a, view));
  const identity = { channel: platform, externalId: user };
  const resolved = await resolveCustomer(db, { identity, channel: platform }, now);
  await db.atomic((orm) => [
    recordInteraction(orm, {
      customerId: resolved.customer.id,
      channel: platform,
      direction: "inbound",
      summary: summary.slice(0, 160),
      payload: { messageId, text: summary },
      at: now.toISOString(),
    }),
  ]);
  const command = parse(actions);
  if (command.kind !== "action") return menuText(actions).replace("HELP for help, STOP to opt out.", "").trim();
  try {
    const outcome = await invokeAction(db, {
      key: command.key,
      request: { channel: platform, identity, input: command.input },
      idempotencyKey: `${platform}:${messageId}`,
      apiKeyId: `inbound:${platform}`,
      requestId: c.get("requestId"),
      view,
      now,
    });
    const body = JSON.parse(outcome.body) as { reply?: { text: string }; detail?: string };
    return body.reply?.text ?? body.detail ?? menuText(actions);
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return error.message;
    throw error;
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch] as string);

// --- Telegram ----------------------------------------------------------------

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

const telegram = createRoute({
  method: "post",
  path: "/v1/inbound/chat/telegram",
  tags: ["Inbound channels"],
  operationId: "inboundTelegram",
  summary: "Telegram bot webhook",
  description:
    "Set with `setWebhook` and a `secret_token`; requests must carry it in `X-Telegram-Bot-Api-Secret-Token` (`TELEGRAM_SECRET_TOKEN`). Text messages run keywords from the action catalogue; button presses (`callback_data` `a:<action>[:<arg>]`) run that action and are always answered (`answerCallbackQuery`). The reply is the Bot API call in the webhook response. An `update_id` seen twice is processed once.",
  security: [],
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
    ...errorResponses(400, 403, 503),
  },
});

// --- WhatsApp ------------------------------------------------------------------

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

const WhatsAppEvent = z
  .object({
    object: z.string(),
    entry: z.array(
      z
        .object({
          changes: z.array(z.object({ value: z.object({ messages: z.array(WhatsAppMessage).optional() }).passthrough() }).passthrough()),
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

const whatsappVerify = createRoute({
  method: "get",
  path: "/v1/inbound/chat/whatsapp",
  tags: ["Inbound channels"],
  operationId: "verifyWhatsAppWebhook",
  summary: "WhatsApp webhook verification",
  description:
    "Meta's subscription handshake: with `hub.mode=subscribe` and the configured `WHATSAPP_VERIFY_TOKEN`, answers `hub.challenge` as plain text.",
  security: [],
  request: {
    query: z.object({
      "hub.mode": z.string().optional(),
      "hub.verify_token": z.string().optional(),
      "hub.challenge": z.string().max(200).optional(),
    }),
  },
  responses: {
    200: { description: "The challenge, echoed.", content: { "text/plain": { schema: z.string() } } },
    ...errorResponses(403, 503),
  },
});

const whatsapp = createRoute({
  method: "post",
  path: "/v1/inbound/chat/whatsapp",
  tags: ["Inbound channels"],
  operationId: "inboundWhatsApp",
  summary: "WhatsApp Cloud API webhook",
  description:
    "Signed by Meta: `X-Hub-Signature-256` is `sha256=` HMAC-SHA256 of the raw body with `WHATSAPP_APP_SECRET`. Text messages run keywords; reply buttons and list rows (`a:<action>[:<arg>]`) run that action. A message id seen twice is processed once. Replies are recorded on the customer's timeline as native Cloud API payloads.",
  security: [],
  request: { body: { required: true, content: { "application/json": { schema: WhatsAppEventDoc } } } },
  responses: {
    200: {
      description: "Accepted.",
      content: { "application/json": { schema: z.object({ processed: z.number().int() }).openapi("WebhookAck") } },
    },
    ...errorResponses(400, 403, 503),
  },
});

export function registerInboundChatRoutes(app: Router) {
  app.openapi(telegram, async (c) => {
    const secret = c.get("config").TELEGRAM_SECRET_TOKEN;
    if (!secret) throw new ApiError("service_unavailable", "Telegram is not configured on this server (TELEGRAM_SECRET_TOKEN).");
    if (!verifyTelegram(secret, c.req.header("x-telegram-bot-api-secret-token")))
      throw new ApiError("forbidden", "Wrong or missing X-Telegram-Bot-Api-Secret-Token.");
    const parsed = TelegramUpdate.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw new ApiError("validation_failed", "Not a Telegram update.");
    const update = parsed.data;
    if (update.callback_query) {
      const q = update.callback_query;
      const text = await handle(
        c,
        "telegram",
        String(q.message?.chat.id ?? q.from.id),
        `cb:${q.id}`,
        (actions) => decodePostback(q.data ?? "", actions),
        `[button] ${q.data ?? ""}`,
      );
      // Every callback query is answered, or the user's client keeps spinning (Bot API).
      return c.json({ method: "answerCallbackQuery", callback_query_id: q.id, text: text.slice(0, 200) }, 200);
    }
    if (update.message?.text !== undefined) {
      const m = update.message;
      const text = await handle(
        c,
        "telegram",
        String(m.chat.id),
        `u:${update.update_id}`,
        (actions) => parseSms(m.text ?? "", actions),
        m.text ?? "",
      );
      return c.json({ method: "sendMessage", chat_id: m.chat.id, text: escapeHtml(text).slice(0, 4096), parse_mode: "HTML" }, 200);
    }
    return c.json({}, 200); // other update kinds (edits, joins…) need no answer
  });

  app.openapi(whatsappVerify, async (c) => {
    const token = c.get("config").WHATSAPP_VERIFY_TOKEN;
    if (!token) throw new ApiError("service_unavailable", "WhatsApp is not configured on this server (WHATSAPP_VERIFY_TOKEN).");
    const q = c.req.valid("query");
    if (q["hub.mode"] !== "subscribe" || q["hub.verify_token"] !== token || !q["hub.challenge"])
      throw new ApiError("forbidden", "Verification failed.");
    return c.text(q["hub.challenge"], 200);
  });

  app.openapi(whatsapp, async (c) => {
    const secret = c.get("config").WHATSAPP_APP_SECRET;
    if (!secret) throw new ApiError("service_unavailable", "WhatsApp is not configured on this server (WHATSAPP_APP_SECRET).");
    const raw = await c.req.text();
    if (!(await verifyMeta(secret, c.req.header("x-hub-signature-256"), raw)))
      throw new ApiError("forbidden", "The X-Hub-Signature-256 does not match this body.");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ApiError("malformed_json", "The request body is not valid JSON.");
    }
    const parsed = WhatsAppEvent.safeParse(json);
    if (!parsed.success) throw new ApiError("validation_failed", "Not a WhatsApp Cloud API webhook event.");
    let processed = 0;
    for (const entry of parsed.data.entry) {
      for (const change of entry.changes) {
        for (const m of change.value.messages ?? []) {
          const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
          const text = await handle(
            c,
            "whatsapp",
            m.from,
            m.id,
            (actions) => (reply ? decodePostback(reply.id, actions) : parseSms(m.text?.body ?? "", actions)),
            reply ? `[button] ${reply.title}` : (m.text?.body ?? `[${m.type}]`),
          );
          const db = c.get("db");
          const { customer } = await resolveCustomer(
            db,
            { identity: { channel: "whatsapp", externalId: m.from }, channel: "whatsapp" },
            c.get("clock")(),
          );
          await db.atomic((orm) => [
            recordInteraction(orm, {
              customerId: customer.id,
              channel: "whatsapp",
              direction: "outbound",
              summary: text.slice(0, 160),
              // The Cloud API message the sender posts to /{phone-number-id}/messages.
              payload: {
                messaging_product: "whatsapp",
                recipient_type: "individual",
                to: m.from,
                type: "text",
                text: { body: text.slice(0, 4096) },
                context: { message_id: m.id },
              },
              at: c.get("clock")().toISOString(),
            }),
          ]);
          processed++;
        }
      }
    }
    return c.json({ processed }, 200);
  });
}
