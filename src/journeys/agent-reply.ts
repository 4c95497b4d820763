/**
 * An agent answering a case on the customer's own channel, through the reply
 * outbox chat replies already use (queued with the timeline record in one
 * write, sent by the outbound tick, retried on 429 and 5xx). Every messaging
 * channel has a sender (its platform's, through the registry): SMS through Twilio, WhatsApp,
 * Telegram, Slack (the app's DM with the user) and Messenger. Each platform's
 * own rules apply — WhatsApp's 24-hour window, Messenger's 24 hours (7 days
 * with the HUMAN_AGENT tag), SMS opt-outs — and a reply that cannot leave
 * (no sender configured, no identity there, window closed, opted out) is
 * refused with the reason, never silently dropped. Web, mobile and agent
 * customers have no push channel: a reply goes to one of their messaging
 * identities instead.
 */
import { and, desc, eq, inArray, isNotNull, like, or, sql } from "drizzle-orm";
import type { Platforms } from "../channels/platform";
import type { Database } from "../db/client";
import { identities, interactions, replyOutbox } from "../db/schema";
import { queueReply } from "../inbound/outbox";
import { OUTBOUND_CHANNELS, type OutboundChannel, type SenderConfig } from "../inbound/senders";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type CaseRow, getCase } from "./cases";
import type { JourneyChannel } from "./channels";
import { smsOptedOut } from "./consent";
import { recordInteraction } from "./interactions";

/** WhatsApp's customer service window: free-form messages only this long after the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Messenger: a standard reply within 24 hours; a human agent may answer up to 7 days later (HUMAN_AGENT tag). */
export const MESSENGER_WINDOW_MS = 24 * 60 * 60 * 1000;
export const MESSENGER_HUMAN_AGENT_MS = 7 * 24 * 60 * 60 * 1000;

/** The longest message each platform takes (Twilio's Body, WhatsApp's and Telegram's text, Slack's advice, Messenger's text). */
export const MAX_REPLY_CHARS: Record<OutboundChannel, number> = { sms: 1600, whatsapp: 4096, telegram: 4096, slack: 4000, messenger: 2000 };

const NAMES: Record<JourneyChannel, string> = {
  sms: "SMS",
  whatsapp: "WhatsApp",
  slack: "Slack",
  telegram: "Telegram",
  messenger: "Messenger",
  web: "the web",
  mobile: "the mobile app",
  agent: "an AI agent",
};

export interface AgentReply {
  /** The outbox entry: its delivery status is in `GET /v1/cases/{id}/replies`. */
  id: string;
  case: string;
  channel: OutboundChannel;
  to: string;
  text: string;
  queuedAt: string;
  replayed: boolean;
}

export interface AgentReplyStatus {
  id: string;
  channel: OutboundChannel;
  to: string;
  text: string;
  status: "pending" | "sent" | "failed";
  attempts: number;
  lastError: string | null;
  queuedAt: string;
  sentAt: string | null;
}

const isOutbound = (channel: string): channel is OutboundChannel => (OUTBOUND_CHANNELS as readonly string[]).includes(channel);
const keyPrefix = (caseId: string) => `agent:${caseId}:`;

const unreachable = (detail: string) => new ApiError("channel_unreachable", detail);

/** When the customer last wrote on a channel (a message, or an action their bot ran for them). */
async function lastHeard(db: Database, customerId: string, channel: JourneyChannel): Promise<number | null> {
  const [last] = await db.orm
    .select({ at: interactions.at })
    .from(interactions)
    .where(
      and(
        eq(interactions.customerId, customerId),
        eq(interactions.channel, channel),
        or(eq(interactions.direction, "inbound"), and(eq(interactions.direction, "action"), isNotNull(interactions.actionKey))),
      ),
    )
    .orderBy(desc(interactions.seq))
    .limit(1);
  return last ? Date.parse(last.at) : null;
}

/** Where and how the message leaves: the outbox target and the platform payload, after the platform's own rules. */
async function address(
  db: Database,
  platforms: Platforms,
  config: SenderConfig & { TWILIO_FROM?: string | undefined },
  row: CaseRow,
  channel: OutboundChannel,
  to: string,
  text: string,
  now: Date,
): Promise<{ target: string; payload: Record<string, unknown> }> {
  const heard = await lastHeard(db, row.customerId, channel);
  const age = heard === null ? Number.POSITIVE_INFINITY : now.getTime() - heard;
  switch (channel) {
    case "whatsapp": {
      if (age > WHATSAPP_WINDOW_MS)
        throw unreachable("The customer has not written on WhatsApp in the last 24 hours: WhatsApp allows only template messages now.");
      // The business number that received their messages (the outbox keeps it for every reply sent to them).
      const [via] = (await db.orm.all(
        sql`SELECT target FROM reply_outbox WHERE channel = 'whatsapp' AND json_extract(payload, '$.to') = ${to}
          ORDER BY created_at DESC LIMIT 1`,
      )) as { target: string }[];
      if (!via) throw unreachable("No WhatsApp business number has answered this customer yet.");
      return { target: via.target, payload: platforms.whatsapp.sender.agentMessage(to, text) };
    }
    case "sms": {
      if (await smsOptedOut(db, to))
        throw unreachable("This customer opted out of SMS (STOP): nothing may be sent to them until they text START.");
      // From the number they texted last, else the configured sender.
      const [texted] = (await db.orm.all(
        sql`SELECT json_extract(payload, '$.to') AS number FROM interactions
          WHERE customer_id = ${row.customerId} AND channel = 'sms' AND direction = 'inbound' AND json_extract(payload, '$.to') IS NOT NULL
          ORDER BY seq DESC LIMIT 1`,
      )) as { number: string }[];
      const from = texted?.number ?? config.TWILIO_FROM;
      if (!from)
        throw new ApiError(
          "sender_not_configured",
          "This customer never texted a number of this store: set TWILIO_FROM (a number or Messaging Service SID) to send SMS replies.",
        );
      return { target: from, payload: platforms.sms.sender.agentMessage(to, text, { from }) };
    }
    case "telegram":
    case "slack": {
      const { sender } = platforms[channel];
      return { target: sender.agentTarget ?? "", payload: sender.agentMessage(to, text) };
    }
    case "messenger": {
      if (age > MESSENGER_HUMAN_AGENT_MS)
        throw unreachable("The customer has not written on Messenger in the last 7 days: Messenger allows no agent reply now.");
      const { sender } = platforms.messenger;
      return { target: sender.agentTarget ?? "", payload: sender.agentMessage(to, text, { tag: age > MESSENGER_WINDOW_MS }) };
    }
  }
}

/**
 * Queues `text` to the case's customer on `channel` (by default the channel the case was opened on) and records it
 * on their timeline, in one atomic write. `key` (the request's Idempotency-Key) makes a retry queue nothing twice.
 *
 * @example
 * await replyToCase(db, platforms, config, { caseId, text: "Your parcel left today.", key: "reply-1", now, keyId })
 */
export async function replyToCase(
  db: Database,
  platforms: Platforms,
  config: SenderConfig & { TWILIO_FROM?: string | undefined },
  input: { caseId: string; text: string; channel?: JourneyChannel | undefined; key: string; now: Date; keyId: string | null },
): Promise<AgentReply> {
  const row = await getCase(db, input.caseId);
  const key = `${keyPrefix(row.id)}${input.key}`;
  const [earlier] = await db.orm
    .select()
    .from(replyOutbox)
    .where(
      inArray(
        replyOutbox.key,
        OUTBOUND_CHANNELS.map((ch) => `${ch}:${key}`),
      ),
    )
    .limit(1);
  if (earlier) {
    const sent = platforms[earlier.channel].sender.describeAgentMessage(JSON.parse(earlier.payload), input.text);
    return { id: earlier.id, case: row.id, channel: earlier.channel, ...sent, queuedAt: earlier.createdAt, replayed: true };
  }
  if (row.status !== "open") throw new ApiError("conflict", "This case is closed: reopen a conversation from the customer's side.");
  const channel = input.channel ?? row.channel;
  const reachable = await db.orm
    .select({ channel: identities.channel, externalId: identities.externalId })
    .from(identities)
    .where(eq(identities.customerId, row.customerId))
    .orderBy(desc(identities.createdAt));
  const messaging = [...new Set(reachable.map((i) => i.channel).filter(isOutbound))];
  const alternatives = messaging.length ? `Reply on one of theirs instead: ${messaging.join(", ")}.` : "They have no messaging identity.";
  if (!isOutbound(channel)) throw unreachable(`Customers on ${NAMES[channel]} cannot be messaged after their visit. ${alternatives}`);
  const missing = platforms[channel].sender.missingConfig(config);
  if (missing)
    throw new ApiError("sender_not_configured", `Replies on ${NAMES[channel]} are not configured on this server (set ${missing}).`);
  const identity = reachable.find((i) => i.channel === channel);
  if (!identity) throw unreachable(`This customer has no ${NAMES[channel]} identity. ${alternatives}`);
  if (input.text.length > MAX_REPLY_CHARS[channel])
    throw new ApiError("unprocessable", `${NAMES[channel]} takes at most ${MAX_REPLY_CHARS[channel]} characters in one message.`);
  const { target, payload } = await address(db, platforms, config, row, channel, identity.externalId, input.text, input.now);
  const at = input.now.toISOString();
  const id = newId("rpl");
  await db.atomic((orm) => [
    recordInteraction(orm, {
      customerId: row.customerId,
      channel,
      direction: "outbound",
      summary: `Agent: ${input.text}`.slice(0, 160),
      payload: { ...payload, case: row.id, agentKey: input.keyId },
      at,
    }),
    queueReply(orm, { id, key, channel, target, payload, now: input.now }),
  ]);
  return { id, case: row.id, channel, to: identity.externalId, text: input.text, queuedAt: at, replayed: false };
}

/**
 * The agents' replies on a case, oldest first, with where each stands: pending (queued or retrying), sent, or
 * failed with the platform's reason.
 */
export async function caseReplies(db: Database, platforms: Platforms, caseId: string): Promise<AgentReplyStatus[]> {
  const row = await getCase(db, caseId);
  const rows = await db.orm
    .select()
    .from(replyOutbox)
    .where(or(...OUTBOUND_CHANNELS.map((ch) => like(replyOutbox.key, `${ch}:${keyPrefix(row.id)}%`))))
    .orderBy(replyOutbox.createdAt, replyOutbox.id);
  return rows.map((r) => {
    const { to, text } = platforms[r.channel].sender.describeAgentMessage(JSON.parse(r.payload), "");
    return {
      id: r.id,
      channel: r.channel,
      to,
      text,
      status: r.status,
      attempts: r.attempts,
      lastError: r.lastError,
      queuedAt: r.createdAt,
      sentAt: r.sentAt,
    };
  });
}
