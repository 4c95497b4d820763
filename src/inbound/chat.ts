/**
 * One chat message, whichever platform carried it (docs/architecture.md, "Platforms"): recorded on
 * the customer's timeline, read with the command language (`src/channels/commands.ts`), run through
 * the one action path (`invokeAction`, the platform's message id as idempotency key: a redelivered
 * message is processed once), and answered with the chat renderer's reply for the platform. A reply
 * that leaves after the webhook is answered is recorded and queued in one write (outbox.ts).
 */
import type { Context } from "hono";
import { decodePostback, menuText, parseSms } from "../channels/commands";
import { catalogueActions } from "../channels/load";
import type { ChatAnswer, ChatEvent, ChatReply, PlatformId } from "../channels/platform";
import { refusalText } from "../channels/wording";
import { resolveCustomer } from "../journeys/customers";
import { deliveredMessageId, recordInteraction } from "../journeys/interactions";
import { invokeAction } from "../journeys/invoke";
import { askForMissing } from "../journeys/replies";
import type { AppEnv } from "../lib/context";
import { ApiError } from "../lib/errors";
import { viewContext } from "../routes/delivery/delivery.index";
import { continueHere } from "./continue";
import { queueReply } from "./outbox";

/** Runs one chat message for a platform user and returns the reply. */
export async function handleChatMessage(c: Context<AppEnv>, platform: PlatformId, event: ChatEvent): Promise<ChatReply> {
  const db = c.get("db");
  const now = c.get("clock")();
  const view = await viewContext(c, undefined);
  // One read of the live catalogue (cached by its revisions): keywords decode against it, replies offer from it.
  const catalogue = await catalogueActions(db, view);
  const actions = catalogue.map((a) => a.view);
  const identity = { channel: platform, externalId: event.user };
  const resolved = await resolveCustomer(db, { identity, channel: platform }, now);
  const inboundId = await deliveredMessageId(platform, event.messageId, "inbound");
  await db.atomic((orm) => [
    recordInteraction(orm, {
      id: inboundId,
      customerId: resolved.customer.id,
      channel: platform,
      direction: "inbound",
      summary: event.summary.slice(0, 160),
      payload: { messageId: event.messageId, text: event.summary },
      at: now.toISOString(),
    }),
  ]);
  const command = "text" in event.input ? parseSms(event.input.text, actions) : decodePostback(event.input.postback, actions);
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
      idempotencyKey: `${platform}:${event.messageId}`,
      apiKeyId: `inbound:${platform}`,
      requestId: c.get("requestId"),
      view,
      now,
    });
    const body = JSON.parse(outcome.body) as { reply?: { text: string; body: unknown }; code?: string; detail?: string };
    const payload = body.reply && typeof body.reply.body === "object" ? (body.reply.body as Record<string, unknown>) : null;
    return { text: body.reply?.text ?? (body.detail === undefined ? menuText(actions) : refusalText(view.locale, body)), payload };
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return { text: refusalText(view.locale, error), payload: null };
    throw error;
  }
}

/** Records a reply on the customer's timeline and, when it leaves later, queues it in the same write. */
export async function recordChatReply(
  c: Context<AppEnv>,
  platform: PlatformId,
  event: ChatEvent,
  reply: ChatReply,
  answer: ChatAnswer & { record: Record<string, unknown> },
): Promise<void> {
  const db = c.get("db");
  const now = c.get("clock")();
  const { customer } = await resolveCustomer(db, { identity: { channel: platform, externalId: event.user }, channel: platform }, now);
  const replyId = await deliveredMessageId(platform, event.messageId, "reply");
  const { record, queue } = answer;
  await db.atomic((orm) => [
    recordInteraction(orm, {
      id: replyId,
      customerId: customer.id,
      channel: platform,
      direction: "outbound",
      summary: reply.text.slice(0, 160),
      payload: record,
      at: now.toISOString(),
    }),
    ...(queue ? [queueReply(orm, { key: queue.key, channel: platform, target: queue.target, payload: record, now })] : []),
  ]);
}
