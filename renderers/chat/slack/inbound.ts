/**
 * Slack's webhook (`/v1/inbound/chat/slack`): interactivity (button presses, answered through the
 * interaction's `response_url`), slash commands (answered in the response) and the Events API
 * (`url_verification`, `message` events), all signed with `X-Slack-Signature`.
 */
import { z } from "@hono/zod-openapi";
import {
  type ChatEvent,
  type ChatReply,
  type ChatWebhook,
  escapeAngles,
  WebhookRefusal,
  type WebhookRequest,
} from "../../../src/channels/platform";
import { firstOf, parseForm } from "../../../src/channels/signing";
import { verifySlack } from "./signature";

/** A Block Kit reply: escaped text in a section, with the top-level `text` fallback Slack requires. */
function slackMessage(text: string) {
  const safe = escapeAngles(text).slice(0, 3000);
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

/** The Slack message for a reply: the chat renderer's Block Kit (buttons carry postbacks), else escaped text. */
const message = (reply: ChatReply) =>
  reply.payload ? { response_type: "ephemeral", replace_original: false, ...reply.payload } : slackMessage(reply.text);

/** Where Slack may be answered: its own https hooks host (or a host the operator allows, for tests). */
function responseUrl(raw: string | undefined, request: WebhookRequest): string | null {
  if (!raw) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (request.allowsHost(url)) return url.href;
  return url.protocol === "https:" && url.hostname === "hooks.slack.com" ? url.href : null;
}

/** A message event, a button press (answered through its `response_url`) or a slash command (answered in the response). */
type SlackInbound = ChatEvent & ({ kind: "message" } | { kind: "button"; responseUrl: string | null } | { kind: "slash" });

export const slackWebhook: ChatWebhook<SlackInbound> = {
  doc: {
    method: "post",
    path: "/v1/inbound/chat/slack",
    operationId: "inboundSlack",
    summary: "Slack webhook (interactivity, slash commands, Events API)",
    description:
      "Signed by Slack: `X-Slack-Signature` = `v0=` HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}` with `SLACK_SIGNING_SECRET`; requests more than 5 minutes old are refused. Interactivity (`payload` form field, `block_actions`): button values `a:<action>[:<arg>]` run that action (acknowledged with an empty 200; the Block Kit reply is recorded on the timeline and posted to the interaction's `response_url`). Slash commands: the text runs a keyword, answered with a Block Kit message. Events API: `url_verification` is answered; `message` events run keywords, once per `event_id`.",
    request: {
      body: {
        required: true,
        content: {
          "application/x-www-form-urlencoded": {
            schema: z
              .record(z.string(), z.unknown())
              .openapi("SlackForm", { example: { command: "/shop", text: "cart", user_id: "U123" } }),
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
    },
    errors: [400, 403, 503],
  },

  unconfigured: (config) => (config.SLACK_SIGNING_SECRET ? null : "Slack is not configured on this server (SLACK_SIGNING_SECRET)."),

  async verify(request) {
    const verdict = await verifySlack(
      request.config.SLACK_SIGNING_SECRET ?? "",
      { signature: request.header("x-slack-signature"), timestamp: request.header("x-slack-request-timestamp") },
      request.body,
      Math.floor(request.now.getTime() / 1000),
    );
    if (verdict === "stale")
      throw new WebhookRefusal("forbidden", "The request timestamp is more than 5 minutes from now (replay protection).");
    if (verdict !== "ok") throw new WebhookRefusal("forbidden", "The X-Slack-Signature does not match this request.");
  },

  read(request) {
    const raw = request.body;
    if ((request.header("content-type") ?? "").startsWith("application/json")) {
      const event = SlackEvent.safeParse(request.json(raw));
      if (!event.success) throw new WebhookRefusal("validation_failed", "Not a Slack Events API request this app handles.");
      if (event.data.type === "url_verification") return { answer: { challenge: event.data.challenge } };
      const e = event.data.event;
      if (e.type !== "message" || !e.user || e.bot_id || e.text === undefined) return { answer: {} };
      return { events: [{ kind: "message", user: e.user, messageId: event.data.event_id, summary: e.text, input: { text: e.text } }] };
    }
    const form = parseForm(raw);
    const payload = firstOf(form.payload);
    if (payload !== undefined) {
      const interaction = SlackBlockActions.safeParse(request.json(payload, "The payload field"));
      if (!interaction.success) return { answer: {} }; // other interaction types are acknowledged and ignored
      const { user, actions, trigger_id } = interaction.data;
      const url = responseUrl(interaction.data.response_url, request);
      return {
        events: actions.map((action, i) => {
          const data = action.value ?? action.action_id;
          const key = `${trigger_id ?? action.action_id}:${i}`;
          return {
            kind: "button",
            responseUrl: url,
            user: user.id,
            messageId: key,
            summary: `[button] ${data}`,
            input: { postback: data },
          };
        }),
      };
    }
    const user = firstOf(form.user_id);
    const command = firstOf(form.command);
    if (!user || !command)
      throw new WebhookRefusal("validation_failed", "Expected a slash command (command, user_id) or an interactivity payload.");
    const text = firstOf(form.text) ?? "";
    const messageId = firstOf(form.trigger_id) ?? `${user}:${raw.length}:${request.now.getTime()}`;
    return { events: [{ kind: "slash", user, messageId, summary: `${command} ${text}`.trim(), input: { text } }] };
  },

  answer(event, reply) {
    // A slash command is answered in the response; the rest are recorded, and a button press is posted to its response_url.
    if (event.kind === "slash") return {};
    const record = message(reply);
    if (event.kind === "button" && event.responseUrl) return { record, queue: { key: event.messageId, target: event.responseUrl } };
    return { record };
  },

  respond([first]) {
    return first?.event.kind === "slash" ? message(first.reply) : {};
  },
};
