/**
 * The interaction timeline: every action, inbound and outbound message of a
 * customer, on every channel, in one order. Rows are appended inside the same
 * atomic unit as the change they describe, so the timeline never shows an
 * action that did not happen (or misses one that did).
 */
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, gt, lt } from "drizzle-orm";
import type { Database, Orm, Statement } from "../db/client";
import { INTERACTION_DIRECTIONS, type InteractionDirection, interactions } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type JourneyChannel, JourneyChannelSchema } from "./channels";

export type InteractionRow = typeof interactions.$inferSelect;

export const InteractionSchema = z
  .object({
    id: z.string().openapi({ example: "int_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    at: z.string().openapi({ example: "2026-11-24T12:00:00.000Z" }),
    channel: JourneyChannelSchema,
    direction: z.enum(INTERACTION_DIRECTIONS).openapi({
      description:
        "`inbound`: a message from the customer; `action`: an action invoked for them, with its input and outcome; `outbound`: what was sent back.",
    }),
    action: z.string().nullable().openapi({ example: "add_to_cart" }),
    summary: z.string().openapi({ example: "Added 1 × MER-CREW-NAVY-M" }),
    payload: z.unknown().nullable().openapi({ description: "The action's input and outcome, or the message sent (JSON)." }),
  })
  .openapi("Interaction");
export type InteractionView = z.infer<typeof InteractionSchema>;

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
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${channel}\n${messageId}\n${part}`));
  return `int_${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export function interactionView(row: InteractionRow): InteractionView {
  return {
    id: row.id,
    at: row.at,
    channel: row.channel,
    direction: row.direction,
    action: row.actionKey,
    summary: row.summary,
    payload: row.payload === null ? null : (JSON.parse(row.payload) as unknown),
  };
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
  const rows = await db.orm
    .select()
    .from(interactions)
    .where(
      and(
        eq(interactions.customerId, customerId),
        query.channel ? eq(interactions.channel, query.channel) : undefined,
        after ? (order === "asc" ? gt(interactions.seq, after.q) : lt(interactions.seq, after.q)) : undefined,
      ),
    )
    .orderBy(order === "asc" ? asc(interactions.seq) : desc(interactions.seq))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(interactionView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(`timeline:${customerId}`, { q: last.seq, o: order, f: filter }) : null,
  };
}

/** The most recent interactions, oldest first (what an agent case carries). */
export async function recentTimeline(db: Database, customerId: string, max: number): Promise<InteractionView[]> {
  const rows = await db.orm
    .select()
    .from(interactions)
    .where(eq(interactions.customerId, customerId))
    .orderBy(desc(interactions.seq))
    .limit(max);
  return rows.reverse().map(interactionView);
}
