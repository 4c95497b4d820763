/**
 * Chat webhooks: `/v1/inbound/chat/{platform}`. Each platform's own
 * authentication (Telegram secret token, Meta's X-Hub-Signature-256), its own
 * payloads, and the same action path as every other channel. A platform message
 * id seen twice is processed once (it is the action's idempotency key).
 *
 * Telegram replies in the webhook response (a Bot API method call), as do Slack
 * slash commands. WhatsApp replies go through the Cloud API and Slack button
 * replies through the interaction's `response_url`: each native reply is
 * recorded on the customer's timeline (direction `outbound`) and queued for the
 * outbound tick in the same write (src/inbound/outbox.ts).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { actionView } from "../../catalogue/actions";
import { decodePostback, menuText, parseSms, type SmsCommand } from "../../channels/commands";
import { catalogueActions } from "../../channels/load";
import type { JourneyChannel } from "../../db/schema";
import { continueHere } from "../../inbound/continue";
import { queueReply, slackResponseUrl } from "../../inbound/outbox";
import { parseForm, verifyMeta, verifySlack, verifyTelegram } from "../../inbound/signatures";
import { resolveCustomer } from "../../journeys/customers";
import { deliveredMessageId, recordInteraction } from "../../journeys/interactions";
import { invokeAction } from "../../journeys/invoke";
import { askForMissing } from "../../journeys/replies";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";
import { assertJsonDepth } from "../../lib/json-depth";
import { viewContext } from "../delivery/delivery.index";

/** A reply: its plain text, and the platform payload the chat renderer drew when an action ran. */
interface ChatReply {
  text: string;
  payload: Record<string, unknown> | null;
}

/** Runs one chat command for a platform user and returns the reply. */
async function handle(
  c: Context<AppEnv>,
  platform: JourneyChannel,
  user: string,
  messageId: string,
  parse: (actions: ReturnType<typeof actionView>[]) => SmsCommand,
  summary: string,
): Promise<ChatReply> {
  const db = c.get("db");
  const now = c.get("clock")();
  const view = await viewContext(c, undefined);
  // One read of the live catalogue (cached by its revisions): keywords decode against it, replies offer from it.
  const catalogue = await catalogueActions(db, view);
  const actions = catalogue.map((a) => a.view);
  const identity = { channel: platform, externalId: user };
  const resolved = await resolveCustomer(db, { identity, channel: platform }, now);
  const inboundId = await deliveredMessageId(platform, messageId, "inbound");
  await db.atomic((orm) => [
    recordInteraction(orm, {
      id: inboundId,
      customerId: resolved.customer.id,
      channel: platform,
      direction: "inbound",
      summary: summary.slice(0, 160),
      payload: { messageId, text: summary },
      at: now.toISOString(),
    }),
  ]);
  const command = parse(actions);
  if (command.kind === "action") {
    // A button that cannot carry the customer's choice (a score): ask for it with one control per value.
    const ask = askForMissing(c.get("renderers"), {
      channel: platform,
      key: command.key,
      input: command.input,
      locale: view.locale,
      baseUrl: view.baseUrl,
      actions: catalogue,
    });
    if (ask) return { text: ask.text, payload: ask.body as Record<string, unknown> };
  }
  if (command.kind === "redeem") {
    const continued = await continueHere(db, c.get("renderers"), { code: command.code, identity, view, now });
    return { text: continued.text, payload: continued.reply && typeof continued.reply.body === "object" ? continued.reply.body : null };
  }
  if (command.kind !== "action") return { text: menuText(actions).replace("HELP for help, STOP to opt out.", "").trim(), payload: null };
  try {
    const outcome = await invokeAction(db, {
      registry: c.get("renderers"),
      key: command.key,
      request: { channel: platform, identity, input: command.input },
      idempotencyKey: `${platform}:${messageId}`,
      apiKeyId: `inbound:${platform}`,
      requestId: c.get("requestId"),
      view,
      now,
    });
    const body = JSON.parse(outcome.body) as { reply?: { text: string; body: unknown }; detail?: string };
    const payload = body.reply && typeof body.reply.body === "object" ? (body.reply.body as Record<string, unknown>) : null;
    return { text: body.reply?.text ?? body.detail ?? menuText(actions), payload };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { text: error.message, payload: null };
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
    "Signed by Meta: `X-Hub-Signature-256` is `sha256=` HMAC-SHA256 of the raw body with `WHATSAPP_APP_SECRET`. Text messages run keywords; reply buttons and list rows (`a:<action>[:<arg>]`) run that action. A message id seen twice is processed once. Replies are recorded on the customer's timeline as native Cloud API payloads and, with `WHATSAPP_ACCESS_TOKEN` set, sent from the receiving number (`metadata.phone_number_id`) through the Cloud API, retried on 429 and 5xx.",
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

// --- Slack -----------------------------------------------------------------------

const slackEscape = (text: string) => text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch] as string);

/** A Block Kit reply: escaped text in a section, with the top-level `text` fallback Slack requires. */
function slackMessage(text: string) {
  const safe = slackEscape(text).slice(0, 3000);
  return {
    response_type: "ephemeral",
    replace_original: false,
    text: safe,
    blocks: [{ type: "section", text: { type: "mrkdwn", text: safe } }],
  };
}

const SlackBlockActions = z
  .object({
    type: z.literal("block_actions"),
    user: z.object({ id: z.string().min(1).max(64) }).passthrough(),
    trigger_id: z.string().max(200).optional(),
    response_url: z.string().max(1000).optional(),
    actions: z.array(z.object({ action_id: z.string().max(255), value: z.string().max(2000).optional() }).passthrough()).min(1),
  })
  .passthrough();

const SlackEvent = z.union([
  z.object({ type: z.literal("url_verification"), challenge: z.string().max(200) }).passthrough(),
  z
    .object({
      type: z.literal("event_callback"),
      event_id: z.string().max(100),
      event: z
        .object({
          type: z.string(),
          user: z.string().max(64).optional(),
          text: z.string().max(4000).optional(),
          bot_id: z.string().optional(),
        })
        .passthrough(),
    })
    .passthrough(),
]);

const slack = createRoute({
  method: "post",
  path: "/v1/inbound/chat/slack",
  tags: ["Inbound channels"],
  operationId: "inboundSlack",
  summary: "Slack webhook (interactivity, slash commands, Events API)",
  description:
    "Signed by Slack: `X-Slack-Signature` = `v0=` HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` with `SLACK_SIGNING_SECRET`; requests more than 5 minutes old are refused. Interactivity (`payload` form field, `block_actions`): button values `a:<action>[:<arg>]` run that action (acknowledged with an empty 200; the Block Kit reply is recorded on the timeline and posted to the interaction's `response_url`). Slash commands: the text runs a keyword, answered with a Block Kit message. Events API: `url_verification` is answered; `message` events run keywords, once per `event_id`.",
  security: [],
  request: {
    body: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": {
          schema: z.record(z.string(), z.unknown()).openapi("SlackForm", { example: { command: "/shop", text: "cart", user_id: "U123" } }),
        },
        "application/json": {
          schema: z.record(z.string(), z.unknown()).openapi("SlackEvent", {
            example: { type: "url_verification", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" },
          }),
        },
      },
    },
  },
  responses: {
    200: {
      description: "A Block Kit message (slash command), the challenge (URL verification), or an empty acknowledgement.",
      content: { "application/json": { schema: z.record(z.string(), z.unknown()).openapi("SlackResponse") } },
    },
    ...errorResponses(400, 403, 503),
  },
});

export function registerInboundChatRoutes(app: Router) {
  app.openapi(slack, async (c) => {
    const secret = c.get("config").SLACK_SIGNING_SECRET;
    if (!secret) throw new ApiError("service_unavailable", "Slack is not configured on this server (SLACK_SIGNING_SECRET).");
    const raw = await c.req.text();
    const now = c.get("clock")();
    const verdict = await verifySlack(
      secret,
      { signature: c.req.header("x-slack-signature"), timestamp: c.req.header("x-slack-request-timestamp") },
      raw,
      Math.floor(now.getTime() / 1000),
    );
    if (verdict === "stale") throw new ApiError("forbidden", "The request timestamp is more than 5 minutes from now (replay protection).");
    if (verdict !== "ok") throw new ApiError("forbidden", "The X-Slack-Signature does not match this request.");
    /** The Slack message for a reply: the chat renderer's Block Kit (buttons carry postbacks), else escaped text. */
    const message = (reply: ChatReply) =>
      reply.payload ? { response_type: "ephemeral", replace_original: false, ...reply.payload } : slackMessage(reply.text);
    /** Records the reply on the timeline and, with a `response_url` to answer through, queues it to be sent there. */
    const record = async (user: string, messageId: string, reply: ChatReply, answer?: { key: string; responseUrl: string | null }) => {
      const db = c.get("db");
      const { customer } = await resolveCustomer(db, { identity: { channel: "slack", externalId: user }, channel: "slack" }, now);
      const body = message(reply);
      const replyId = await deliveredMessageId("slack", messageId, "reply");
      await db.atomic((orm) => [
        recordInteraction(orm, {
          id: replyId,
          customerId: customer.id,
          channel: "slack",
          direction: "outbound",
          summary: reply.text.slice(0, 160),
          payload: body,
          at: now.toISOString(),
        }),
        ...(answer?.responseUrl
          ? [queueReply(orm, { key: answer.key, channel: "slack", target: answer.responseUrl, payload: body, now })]
          : []),
      ]);
    };

    if ((c.req.header("content-type") ?? "").startsWith("application/json")) {
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new ApiError("malformed_json", "The request body is not valid JSON.");
      }
      const event = SlackEvent.safeParse(json);
      if (!event.success) throw new ApiError("validation_failed", "Not a Slack Events API request this app handles.");
      if (event.data.type === "url_verification") return c.json({ challenge: event.data.challenge }, 200);
      const e = event.data.event;
      if (e.type !== "message" || !e.user || e.bot_id || e.text === undefined) return c.json({}, 200);
      const reply = await handle(c, "slack", e.user, event.data.event_id, (actions) => parseSms(e.text ?? "", actions), e.text);
      await record(e.user, event.data.event_id, reply);
      return c.json({}, 200);
    }

    const form = parseForm(raw);
    const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
    const payload = first(form.payload);
    if (payload !== undefined) {
      assertJsonDepth(payload, "The payload field");
      let json: unknown;
      try {
        json = JSON.parse(payload);
      } catch {
        throw new ApiError("malformed_json", "The payload field is not valid JSON.");
      }
      const interaction = SlackBlockActions.safeParse(json);
      if (!interaction.success) return c.json({}, 200); // other interaction types are acknowledged and ignored
      const { user, actions, trigger_id } = interaction.data;
      const responseUrl = slackResponseUrl(interaction.data.response_url, c.get("config").WEBHOOK_ALLOW_HOSTS);
      for (const [i, action] of actions.entries()) {
        const data = action.value ?? action.action_id;
        const key = `${trigger_id ?? action.action_id}:${i}`;
        const reply = await handle(c, "slack", user.id, key, (catalogue) => decodePostback(data, catalogue), `[button] ${data}`);
        await record(user.id, key, reply, { key, responseUrl });
      }
      return c.json({}, 200);
    }
    const user = first(form.user_id);
    const command = first(form.command);
    if (!user || !command)
      throw new ApiError("validation_failed", "Expected a slash command (command, user_id) or an interactivity payload.");
    const text = first(form.text) ?? "";
    const reply = await handle(
      c,
      "slack",
      user,
      first(form.trigger_id) ?? `${user}:${raw.length}:${now.getTime()}`,
      (actions) => parseSms(text, actions),
      `${command} ${text}`.trim(),
    );
    return c.json(message(reply), 200);
  });

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
      const { text } = await handle(
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
      const reply = await handle(
        c,
        "telegram",
        String(m.chat.id),
        `u:${update.update_id}`,
        (actions) => parseSms(m.text ?? "", actions),
        m.text ?? "",
      );
      // The chat renderer's sendMessage (HTML escaped, inline keyboard of callback_data postbacks), addressed to this chat.
      if (reply.payload) return c.json({ ...reply.payload, chat_id: m.chat.id }, 200);
      return c.json({ method: "sendMessage", chat_id: m.chat.id, text: escapeHtml(reply.text).slice(0, 4096), parse_mode: "HTML" }, 200);
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
          const { text, payload } = await handle(
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
          // The Cloud API message posted to /{phone-number-id}/messages, from the number that received this one.
          const message = {
            ...(payload ?? {
              messaging_product: "whatsapp",
              recipient_type: "individual",
              type: "text",
              text: { body: text.slice(0, 4096) },
            }),
            to: m.from,
            context: { message_id: m.id },
          };
          const from = change.value.metadata?.phone_number_id;
          const now = c.get("clock")();
          const replyId = await deliveredMessageId("whatsapp", m.id, "reply");
          await db.atomic((orm) => [
            recordInteraction(orm, {
              id: replyId,
              customerId: customer.id,
              channel: "whatsapp",
              direction: "outbound",
              summary: text.slice(0, 160),
              payload: message,
              at: now.toISOString(),
            }),
            ...(from && c.get("config").WHATSAPP_ACCESS_TOKEN
              ? [queueReply(orm, { key: m.id, channel: "whatsapp", target: from, payload: message, now })]
              : []),
          ]);
          processed++;
        }
      }
    }
    return c.json({ processed }, 200);
  });
}
