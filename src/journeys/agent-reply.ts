/**
 * An agent answering a case on the customer's own channel, through the
 * outbound path chat replies already use (the reply outbox, sent by the
 * outbound tick). Today that path reaches WhatsApp: the Cloud API accepts
 * free-form messages within 24 hours of the customer's last message, from the
 * business number that received it. SMS and Telegram answer only inside their
 * webhook's response, and Slack's `response_url` expires after 30 minutes, so
 * those channels are refused with a reason rather than silently dropped.
 */
import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { identities, interactions, replyOutbox } from "../db/schema";
import { queueReply } from "../inbound/outbox";
import { ApiError } from "../lib/errors";
import { getCase } from "./cases";
import { recordInteraction } from "./interactions";

/** WhatsApp's customer service window: free-form messages only this long after the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface AgentReply {
  case: string;
  channel: "whatsapp";
  to: string;
  text: string;
  queuedAt: string;
  replayed: boolean;
}

/**
 * Queues `text` to the case's customer on WhatsApp and records it on their timeline, in one atomic write.
 * `key` (the request's Idempotency-Key) makes a retry queue nothing twice.
 *
 * @example
 * await replyToCase(db, { caseId, text: "Your parcel left today.", key: "reply-1", now, keyId })
 */
export async function replyToCase(
  db: Database,
  input: { caseId: string; text: string; key: string; now: Date; keyId: string | null },
): Promise<AgentReply> {
  const row = await getCase(db, input.caseId);
  if (row.status !== "open") throw new ApiError("conflict", "This case is closed: reopen a conversation from the customer's side.");
  const outboxKey = `whatsapp:agent:${row.id}:${input.key}`;
  const [earlier] = await db.orm.select().from(replyOutbox).where(eq(replyOutbox.key, outboxKey)).limit(1);
  if (earlier) {
    const payload = JSON.parse(earlier.payload) as { to: string; text: { body: string } };
    return { case: row.id, channel: "whatsapp", to: payload.to, text: payload.text.body, queuedAt: earlier.createdAt, replayed: true };
  }
  const [identity] = await db.orm
    .select()
    .from(identities)
    .where(and(eq(identities.customerId, row.customerId), eq(identities.channel, "whatsapp")))
    .orderBy(desc(identities.createdAt))
    .limit(1);
  if (!identity) {
    throw new ApiError(
      "unprocessable",
      "This customer has no WhatsApp identity. Replies can be sent only on WhatsApp; SMS and Telegram answer inside their webhook, Slack's response_url expires.",
    );
  }
  const [last] = await db.orm
    .select({ at: interactions.at })
    .from(interactions)
    .where(and(eq(interactions.customerId, row.customerId), eq(interactions.channel, "whatsapp"), eq(interactions.direction, "inbound")))
    .orderBy(desc(interactions.seq))
    .limit(1);
  if (!last || input.now.getTime() - Date.parse(last.at) > WHATSAPP_WINDOW_MS) {
    throw new ApiError(
      "unprocessable",
      "The customer's last WhatsApp message is more than 24 hours old: WhatsApp allows only template messages now.",
    );
  }
  // The business number that received their messages (the outbox keeps it for every reply sent to them).
  const [via] = (await db.orm.all(
    sql`SELECT target FROM reply_outbox WHERE channel = 'whatsapp' AND json_extract(payload, '$.to') = ${identity.externalId}
      ORDER BY created_at DESC LIMIT 1`,
  )) as { target: string }[];
  if (!via)
    throw new ApiError("unprocessable", "No WhatsApp business number has answered this customer yet (is WHATSAPP_ACCESS_TOKEN set?).");
  const at = input.now.toISOString();
  const message = {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: identity.externalId,
    type: "text",
    text: { body: input.text },
  };
  await db.atomic((orm) => [
    recordInteraction(orm, {
      customerId: row.customerId,
      channel: "whatsapp",
      direction: "outbound",
      summary: `Agent: ${input.text}`.slice(0, 160),
      payload: { ...message, case: row.id, agentKey: input.keyId },
      at,
    }),
    queueReply(orm, { key: `agent:${row.id}:${input.key}`, channel: "whatsapp", target: via.target, payload: message, now: input.now }),
  ]);
  return { case: row.id, channel: "whatsapp", to: identity.externalId, text: input.text, queuedAt: at, replayed: false };
}
