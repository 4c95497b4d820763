/**
 * The interaction timeline: every action, inbound and outbound message of a
 * customer, on every channel, in one order. Rows are appended inside the same
 * atomic unit as the change they describe, so the timeline never shows an
 * action that did not happen (or misses one that did).
 */
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, lt, sql } from "drizzle-orm";
import { type Database, type Orm, prepared, type Statement } from "../db/client";
import { type InteractionDirection, interactions } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { sha256Hex } from "../lib/digest";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type JourneyChannel, JourneyChannelSchema } from "./channels";

export type InteractionRow = typeof interactions.$inferSelect;

const base = {
  id: z.string().openapi({ example: "int_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
  at: z.string().openapi({ example: "2026-11-24T12:00:00.000Z" }),
  channel: JourneyChannelSchema,
  summary: z.string().openapi({ example: "Added 1 × MER-CREW-NAVY-M" }),
};
const direction = (d: InteractionDirection) =>
  z.literal(d).openapi({
    description:
      "`inbound`: a message from the customer; `action`: an action invoked for them, with its input and outcome; `outbound`: what was sent back.",
  });

/**
 * One kind of timeline entry: `kind` tags it, `payload` is what its writer records. The kinds and
 * their writers (docs/architecture.md, "The published contract"):
 * - `message`: a customer's message (routes/inbound: SMS, chat platforms);
 * - `action`: an action invoked through `invoke` (its input and outcome);
 * - `reply`: the reply `invoke` rendered for it;
 * - `handoff_redeemed`: a handoff code redeemed on another channel (journeys/handoffs.ts);
 * - `case_closed`: an agent closed a case (journeys/cases.ts);
 * - `acp_checkout`: a call of an ACP checkout session (acp/checkout.ts);
 * - `agent_reply`: a human agent's reply on a case (journeys/agent-reply.ts);
 * - `chat_reply`: what a chat webhook answered the platform with (routes/inbound/chat.index.ts).
 */
function entry<K extends string, P extends z.ZodType>(
  name: string,
  kind: K,
  d: InteractionDirection,
  action: z.ZodType,
  payload: P,
  description: string,
) {
  return z.object({ ...base, kind: z.literal(kind), direction: direction(d), action, payload }).openapi(name, { description });
}

const actionKey = z.string().openapi({ example: "add_to_cart" });

const MessageEntry = entry(
  "InteractionMessage",
  "message",
  "inbound",
  z.null(),
  z
    .union([
      z.object({ MessageSid: z.string(), body: z.string(), to: z.string().openapi({ description: "The store's number they texted." }) }),
      z.object({ messageId: z.string(), text: z.string() }),
    ])
    .openapi(
      { description: "SMS: Twilio's `MessageSid`, the text and the number texted; chat: the platform's message id and the text." },
      { unionPreferredType: "oneOf" },
    ),
  "A message from the customer.",
);
const ActionEntry = entry(
  "InteractionAction",
  "action",
  "action",
  actionKey,
  z.object({
    input: z.unknown().openapi({ description: "The input sent (the action's `<Action>Input`)." }),
    status: z.int().openapi({ description: "The HTTP status of the outcome.", example: 200 }),
    code: z.string().optional().openapi({ description: "The problem's code, when the action was refused.", example: "out_of_stock" }),
  }),
  "An action invoked for the customer, with its input and outcome.",
);
const ReplyEntry = entry(
  "InteractionReply",
  "reply",
  "outbound",
  actionKey,
  z.object({ contentType: z.string().openapi({ example: "application/json" }) }),
  "The reply rendered for an action (its text is the summary).",
);
const HandoffEntry = entry(
  "InteractionHandoffRedeemed",
  "handoff_redeemed",
  "action",
  z.literal("handoff"),
  z.object({
    code: z.string(),
    from: JourneyChannelSchema,
    to: JourneyChannelSchema.nullable(),
    identity: z.object({ channel: JourneyChannelSchema, externalId: z.string() }),
  }),
  "A handoff code redeemed: the journey continues on another channel.",
);
const CaseClosedEntry = entry(
  "InteractionCaseClosed",
  "case_closed",
  "action",
  z.null(),
  z.object({ case: z.string(), resolution: z.string().nullable() }),
  "An agent closed the customer's case.",
);
const AcpCheckoutEntry = entry(
  "InteractionAcpCheckout",
  "acp_checkout",
  "action",
  z.enum(["checkout_session", "checkout"]),
  z.object({
    session: z.string(),
    status: z.union([z.string(), z.int()]).optional().openapi({ description: "The session's status, or the HTTP status of a completion." }),
    items: z.array(z.unknown()).optional().openapi({ description: "The line items the session was opened with." }),
    fields: z.array(z.string()).optional().openapi({ description: "The fields an update changed." }),
    code: z.string().optional().openapi({ example: "payment_declined" }),
    order: z.string().optional().openapi({ description: "The order placed." }),
    payment: z.object({ provider: z.string(), reference: z.string() }).optional(),
  }),
  "A call of an ACP checkout session (opened, updated, completed or refused, canceled).",
);
const AgentReplyEntry = entry(
  "InteractionAgentReply",
  "agent_reply",
  "outbound",
  z.null(),
  z
    .looseObject({ case: z.string(), agentKey: z.string().nullable() })
    .openapi({ description: "The platform message queued (its own fields), the case and the agent's key." }),
  "A human agent's reply on a case.",
);
const ChatReplyEntry = entry(
  "InteractionChatReply",
  "chat_reply",
  "outbound",
  z.null(),
  z.record(z.string(), z.unknown()).openapi({ description: "The platform message answered (a Slack message, a WhatsApp message)." }),
  "What a chat webhook answered the platform with.",
);

export const InteractionSchema = z
  .discriminatedUnion("kind", [
    MessageEntry,
    ActionEntry,
    ReplyEntry,
    HandoffEntry,
    CaseClosedEntry,
    AcpCheckoutEntry,
    AgentReplyEntry,
    ChatReplyEntry,
  ])
  .openapi("Interaction", { description: "A timeline entry, tagged by `kind`: `payload` is that kind's." });
export type InteractionView = z.infer<typeof InteractionSchema>;
export type InteractionKind = InteractionView["kind"];

/** The kind of a stored entry, from its direction, action and what its writer put in the payload (see {@link entry}). */
export function interactionKind(row: Pick<InteractionRow, "direction" | "actionKey">, payload: unknown): InteractionKind {
  const has = (key: string) => typeof payload === "object" && payload !== null && key in payload;
  if (row.direction === "inbound") return "message";
  if (row.direction === "outbound") return has("agentKey") ? "agent_reply" : row.actionKey !== null ? "reply" : "chat_reply";
  if (has("input")) return "action";
  if (has("session")) return "acp_checkout";
  return row.actionKey === "handoff" ? "handoff_redeemed" : "case_closed";
}

export interface NewInteraction {
  /** A fixed id (see {@link deliveredMessageId}) makes the record once-only: a second insert with it does nothing. */
  id?: string;
  customerId: string;
  channel: JourneyChannel;
  direction: InteractionDirection;
  actionKey?: string | null;
  summary: string;
  payload?: unknown;
  at: string;
}

/** An insert for the timeline; put it in the atomic unit of the change it records. */
export function recordInteraction(orm: Orm, entry: NewInteraction): Statement {
  const insert = orm.insert(interactions).values({
    id: entry.id ?? newId("int"),
    customerId: entry.customerId,
    channel: entry.channel,
    direction: entry.direction,
    actionKey: entry.actionKey ?? null,
    // Summaries are one line for agents' screens; the payload keeps the detail.
    summary: entry.summary.slice(0, 500),
    payload: entry.payload === undefined ? null : JSON.stringify(entry.payload),
    at: entry.at,
  });
  return entry.id === undefined ? insert : insert.onConflictDoNothing({ target: interactions.id });
}

/**
 * The timeline id of a platform's message (Twilio MessageSid, WhatsApp message id, Slack event or
 * trigger id, Telegram update id) and of our reply to it: the same on every redelivery, so a
 * webhook the platform sends twice is one interaction.
 */
export async function deliveredMessageId(channel: JourneyChannel, messageId: string, part: "inbound" | "reply"): Promise<string> {
  return `int_${(await sha256Hex(`${channel}\n${messageId}\n${part}`)).slice(0, 32)}`;
}

export function interactionView(row: InteractionRow): InteractionView {
  const payload = row.payload === null ? null : (JSON.parse(row.payload) as unknown);
  // The writers are the schema's: the row is the kind its writer recorded.
  return {
    id: row.id,
    at: row.at,
    channel: row.channel,
    kind: interactionKind(row, payload),
    direction: row.direction,
    action: row.actionKey,
    summary: row.summary,
    payload,
  } as InteractionView;
}

type SeqCursor = { q: number; o: "asc" | "desc"; f: string };
const isSeqCursor = (v: Record<string, unknown>): v is SeqCursor =>
  typeof v.q === "number" && (v.o === "asc" || v.o === "desc") && typeof v.f === "string";

/**
 * One page of a customer's timeline, oldest first by default. Keyset on the
 * commit order (`seq`), so pages stay stable while new interactions arrive.
 */
export async function listTimeline(
  db: Database,
  customerId: string,
  query: { limit: number; cursor?: string | undefined; order?: "asc" | "desc"; channel?: JourneyChannel | undefined },
): Promise<{ items: InteractionView[]; nextCursor: string | null }> {
  const order = query.order ?? "asc";
  const filter = query.channel ?? "";
  const after = query.cursor ? decodeCursor(`timeline:${customerId}`, query.cursor, isSeqCursor) : null;
  if (after && (after.o !== order || after.f !== filter)) {
    throw new ApiError("invalid_cursor", "This cursor belongs to another order or filter.");
  }
  // One statement per shape (order, a channel or not, a cursor or not), prepared once per database; the values are parameters.
  const pageQuery = prepared(db, `timeline|${order}|${query.channel ? "channel" : ""}|${after ? "after" : ""}`, (orm) =>
    orm
      .select()
      .from(interactions)
      .where(
        and(
          eq(interactions.customerId, sql.placeholder("customerId")),
          query.channel ? eq(interactions.channel, sql.placeholder("channel")) : undefined,
          after ? (order === "asc" ? gt : lt)(interactions.seq, sql.placeholder("after")) : undefined,
        ),
      )
      .orderBy(order === "asc" ? asc(interactions.seq) : desc(interactions.seq))
      .limit(sql.placeholder("limit"))
      .prepare(),
  );
  const rows = await pageQuery.all({ customerId, channel: query.channel, after: after?.q, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(interactionView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(`timeline:${customerId}`, { q: last.seq, o: order, f: filter }) : null,
  };
}

/** The most recent interactions, oldest first (what an agent case carries). */
export async function recentTimeline(db: Database, customerId: string, max: number): Promise<InteractionView[]> {
  const recent = prepared(db, "timeline-recent", (orm) =>
    orm
      .select()
      .from(interactions)
      .where(eq(interactions.customerId, sql.placeholder("customerId")))
      .orderBy(desc(interactions.seq))
      .limit(sql.placeholder("max"))
      .prepare(),
  );
  const rows = await recent.all({ customerId, max });
  return rows.reverse().map(interactionView);
}
