/**
 * Messages — promotions, announcements, policies, FAQs, system texts — with
 * their validity windows and the facts they carry.
 */

import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import { type Database, sharedRead } from "../db/client";
import { publishedMessages, revisions } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { MESSAGE_KINDS, MessageDoc } from "./documents";
import type { EntityKind } from "./entries";
import { resolveText } from "./locales";
import type { ViewContext } from "./products";

export const messageKind: EntityKind<MessageDoc> = {
  type: "message",
  plural: "messages",
  schema: MessageDoc as unknown as z.ZodType<MessageDoc, unknown>,
  keyOf: (doc) => doc.key,
  project(orm, { entryId, revisionId, doc, now }) {
    return [
      orm.insert(publishedMessages).values({
        entryId,
        key: doc.key,
        kind: doc.kind,
        revisionId,
        startsAt: doc.startsAt,
        endsAt: doc.endsAt,
        publishedAt: now,
      }),
    ];
  },
  unproject(orm, entryId) {
    return [orm.delete(publishedMessages).where(eq(publishedMessages.entryId, entryId))];
  },
};

export const MessageViewSchema = z
  .object({
    key: z.string().openapi({ example: "winter_sale" }),
    kind: z.enum(MESSAGE_KINDS),
    locale: z.string().openapi({ example: "en" }),
    title: z.string().openapi({ example: "Winter sale: 20% off knitwear" }),
    body: z.string(),
    short: z.string(),
    startsAt: z.string().nullable(),
    endsAt: z.string().nullable(),
    live: z.boolean().openapi({ description: "Whether the validity window includes now." }),
    facts: z.object({
      codes: z.array(z.string()),
      percentages: z.array(z.number()),
      dates: z.array(z.string()),
      links: z.array(z.string()),
    }),
    revision: z.number().int(),
    publishedAt: z.string(),
  })
  .openapi("Message");
export type MessageView = z.infer<typeof MessageViewSchema>;

export function isLive(doc: Pick<MessageDoc, "startsAt" | "endsAt">, now: Date): boolean {
  const t = now.getTime();
  return (!doc.startsAt || Date.parse(doc.startsAt) <= t) && (!doc.endsAt || t < Date.parse(doc.endsAt));
}

export function messageView(doc: MessageDoc, meta: { revision: number; publishedAt: string }, ctx: ViewContext, now: Date): MessageView {
  const text = (v: Record<string, string>) => resolveText(v, ctx.chain) ?? "";
  return {
    key: doc.key,
    kind: doc.kind,
    locale: ctx.locale,
    title: text(doc.title),
    body: text(doc.body),
    short: text(doc.short),
    startsAt: doc.startsAt,
    endsAt: doc.endsAt,
    live: isLive(doc, now),
    // Paths are links on the shop's own domain, resolved like media paths.
    facts: { ...doc.facts, links: doc.facts.links.map((link) => (link.startsWith("/") ? `${ctx.baseUrl}${link}` : link)) },
    revision: meta.revision,
    publishedAt: meta.publishedAt,
  };
}

export interface LiveMessage {
  doc: MessageDoc;
  revision: number;
  publishedAt: string;
}

const columns = {
  key: publishedMessages.key,
  document: revisions.document,
  revision: revisions.number,
  publishedAt: publishedMessages.publishedAt,
};

export async function findLiveMessage(db: Database, key: string): Promise<LiveMessage | null> {
  const [row] = await db.orm
    .select(columns)
    .from(publishedMessages)
    .innerJoin(revisions, eq(revisions.id, publishedMessages.revisionId))
    .where(eq(publishedMessages.key, key))
    .limit(1);
  return row ? { doc: JSON.parse(row.document) as MessageDoc, revision: row.revision, publishedAt: row.publishedAt } : null;
}

/**
 * {@link findLiveMessage}, read once per request where a request's reads are shared (D1's read views,
 * `sharedRead`): what a route sends early, with the locales, and then awaits.
 */
export function liveMessageOnce(db: Database, key: string): Promise<LiveMessage | null> {
  return sharedRead(db, `live-message|${key}`, () => findLiveMessage(db, key));
}

type KeyCursor = { k: string; f: string };
const isKeyCursor = (v: Record<string, unknown>): v is KeyCursor => typeof v.k === "string" && typeof v.f === "string";

/** Live messages by key; by default only those whose validity window includes `now`. */
export async function listLiveMessages(
  db: Database,
  query: { limit: number; cursor?: string | undefined; kind?: string | undefined; includeInactive?: boolean | undefined },
  now: Date,
): Promise<{ items: LiveMessage[]; nextCursor: string | null }> {
  const filterKey = `${query.kind ?? ""}|${query.includeInactive ? 1 : 0}`;
  const after = query.cursor ? decodeCursor("messages", query.cursor, isKeyCursor) : null;
  if (after && after.f !== filterKey) throw new ApiError("invalid_cursor", "This cursor belongs to other filters.");
  const at = now.toISOString();
  const rows = await db.orm
    .select(columns)
    .from(publishedMessages)
    .innerJoin(revisions, eq(revisions.id, publishedMessages.revisionId))
    .where(
      and(
        after ? gt(publishedMessages.key, after.k) : undefined,
        query.kind ? eq(publishedMessages.kind, query.kind) : undefined,
        query.includeInactive
          ? undefined
          : and(
              or(isNull(publishedMessages.startsAt), lte(sql`julianday(${publishedMessages.startsAt})`, sql`julianday(${at})`)),
              or(isNull(publishedMessages.endsAt), gt(sql`julianday(${publishedMessages.endsAt})`, sql`julianday(${at})`)),
            ),
      ),
    )
    .orderBy(asc(publishedMessages.key))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({ doc: JSON.parse(r.document) as MessageDoc, revision: r.revision, publishedAt: r.publishedAt })),
    nextCursor: rows.length > query.limit && last ? encodeCursor("messages", { k: last.key, f: filterKey }) : null,
  };
}

/** The validity windows of every published message of a kind (when each starts and ends; null is open). */
export function messageWindows(db: Database, kind: (typeof MESSAGE_KINDS)[number]) {
  return db.orm
    .select({ startsAt: publishedMessages.startsAt, endsAt: publishedMessages.endsAt })
    .from(publishedMessages)
    .where(eq(publishedMessages.kind, kind));
}
