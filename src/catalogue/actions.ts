/**
 * The actions catalogue: what customers can do (add to cart, buy, order status,
 * contact an agent …), with localized labels and the SMS keyword. The handlers
 * live in `src/journeys/`; the labels are content and live here.
 */

import { z } from "@hono/zod-openapi";
import { asc, eq, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import { publishedActions, revisions } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ACTION_TARGETS, ActionDoc } from "./documents";
import type { EntityKind } from "./entries";
import { resolveText } from "./locales";
import type { ViewContext } from "./products";

export const actionKind: EntityKind<ActionDoc> = {
  type: "action",
  plural: "actions",
  schema: ActionDoc as unknown as z.ZodType<ActionDoc, unknown>,
  keyOf: (doc) => doc.key,
  project(orm, { entryId, revisionId, doc, now }) {
    return [orm.insert(publishedActions).values({ entryId, key: doc.key, revisionId, publishedAt: now })];
  },
  unproject(orm, entryId) {
    return [orm.delete(publishedActions).where(eq(publishedActions.entryId, entryId))];
  },
};

export const ActionViewSchema = z
  .object({
    key: z.string().openapi({ example: "add_to_cart" }),
    locale: z.string().openapi({ example: "en" }),
    label: z.string().openapi({ example: "Add to cart" }),
    confirmation: z.string().openapi({ example: "Added to your cart." }),
    appliesTo: z.array(z.enum(ACTION_TARGETS)),
    enabled: z.boolean(),
    keyword: z.string().openapi({ example: "ADD" }),
    revision: z.number().int(),
    publishedAt: z.string(),
  })
  .openapi("Action");
export type ActionView = z.infer<typeof ActionViewSchema>;

export function actionView(doc: ActionDoc, meta: { revision: number; publishedAt: string }, ctx: ViewContext): ActionView {
  return {
    key: doc.key,
    locale: ctx.locale,
    label: resolveText(doc.label, ctx.chain) ?? doc.key,
    confirmation: resolveText(doc.confirmation, ctx.chain) ?? "",
    appliesTo: doc.appliesTo,
    enabled: doc.enabled,
    keyword: doc.keyword,
    revision: meta.revision,
    publishedAt: meta.publishedAt,
  };
}

export interface LiveAction {
  doc: ActionDoc;
  revision: number;
  publishedAt: string;
}

const columns = {
  key: publishedActions.key,
  document: revisions.document,
  revision: revisions.number,
  publishedAt: publishedActions.publishedAt,
};
const toLive = (r: { document: string; revision: number; publishedAt: string }): LiveAction => ({
  doc: JSON.parse(r.document) as ActionDoc,
  revision: r.revision,
  publishedAt: r.publishedAt,
});

export async function findLiveAction(db: Database, key: string): Promise<LiveAction | null> {
  const [row] = await db.orm
    .select(columns)
    .from(publishedActions)
    .innerJoin(revisions, eq(revisions.id, publishedActions.revisionId))
    .where(eq(publishedActions.key, key))
    .limit(1);
  return row ? toLive(row) : null;
}

/**
 * Every live action in key order, each with the revision it is live at: what the live actions' stamp
 * (`catalogueStamp`, their revision ids) names. One statement, for the action catalogue every render needs.
 */
export async function allLiveActions(db: Database): Promise<(LiveAction & { revisionId: string })[]> {
  const rows = await db.orm
    .select({ ...columns, revisionId: publishedActions.revisionId })
    .from(publishedActions)
    .innerJoin(revisions, eq(revisions.id, publishedActions.revisionId))
    .orderBy(asc(publishedActions.key));
  return rows.map((r) => ({ ...toLive(r), revisionId: r.revisionId }));
}

type KeyCursor = { k: string };
const isKeyCursor = (v: Record<string, unknown>): v is KeyCursor => typeof v.k === "string";

export async function listLiveActions(
  db: Database,
  query: { limit: number; cursor?: string | undefined },
): Promise<{ items: LiveAction[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor("actions", query.cursor, isKeyCursor) : null;
  const rows = await db.orm
    .select(columns)
    .from(publishedActions)
    .innerJoin(revisions, eq(revisions.id, publishedActions.revisionId))
    .where(after ? gt(publishedActions.key, after.k) : undefined)
    .orderBy(asc(publishedActions.key))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return { items: page.map(toLive), nextCursor: rows.length > query.limit && last ? encodeCursor("actions", { k: last.key }) : null };
}
