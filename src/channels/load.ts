/**
 * Reading what renderers need from the catalogue: the live action catalogue
 * (with overrides), and the views of live or draft products and messages.
 * Delivery, preview, the publish gate and the audit all come through here, so
 * preview renders exactly what delivery will (docs/channels.md rule 6).
 */

import { sql } from "drizzle-orm";
import { actionView, allLiveActions, type LiveAction } from "../catalogue/actions";
import type { Channel, MessageDoc, Override, ProductDoc } from "../catalogue/documents";
import { overridesAlong } from "../catalogue/locales";
import { type MessageView, messageView } from "../catalogue/messages";
import { type LiveProduct, type ProductView, productView, type StockLevels, type ViewContext } from "../catalogue/products";
import { type Database, prefetch, prepared, sharedRead } from "../db/client";
import { publishedActions } from "../db/schema";
import type { MessageRenderView, ProductRenderView } from "./contract";
import { type CatalogueAction, messageRenderView, productRenderView } from "./views";

/**
 * The live action catalogue changes only when an action is published; every
 * render needs it. One tiny query names its live revisions (ids are globally
 * unique), and the parsed, localized catalogue is kept per (revisions, locale
 * chain, base URL): a publish changes the stamp, so nothing stale is served.
 */
const catalogueCache = new Map<string, CatalogueAction[]>();
const CATALOGUE_CACHE_SIZE = 32;

/**
 * The live actions this process (a Worker's isolate) read last, under the stamp they were read at: a locale not
 * yet localized is built from them without a read. Only ever held when the rows are what the stamp names.
 */
let heldActions: { stamp: string; items: LiveAction[] } | undefined;

/** Every live action, read once per request where reads are shared (`sharedRead`). */
function liveActionRows(db: Database) {
  return sharedRead(db, "live-actions", () => allLiveActions(db));
}

/**
 * Sends the live actions' stamp now where each read is a round trip of the request's own (D1's read views), and the
 * actions themselves when this isolate holds none yet (a cold one): its first page then waits for no more round
 * trips than the next. After a publish, the first request of each warm isolate still reads them after the stamp.
 */
export function prefetchActions(db: Database): void {
  prefetch(db, () => catalogueStamp(db));
  if (!heldActions) prefetch(db, () => liveActionRows(db));
}

/** The live actions' revisions; sent once per request where the driver has no change stamp (`sharedRead`). */
export function catalogueStamp(db: Database): Promise<string> {
  return sharedRead(db, "live-actions-stamp", async () => {
    const query = prepared(db, "live-actions-stamp", (orm) =>
      orm
        .select({ stamp: sql<string | null>`group_concat(${publishedActions.revisionId}, ',')` })
        .from(publishedActions)
        .prepare(),
    );
    const [row] = await query.all();
    return row?.stamp ?? "";
  });
}

/** Every live action, localized for `ctx`, with its overrides. */
export async function catalogueActions(db: Database, ctx: ViewContext): Promise<CatalogueAction[]> {
  const stamp = await catalogueStamp(db);
  const key = `${stamp}|${ctx.chain.join(">")}|${ctx.locale}|${ctx.baseUrl}`;
  const hit = catalogueCache.get(key);
  if (hit) return hit;
  const { items, current } = await liveActionsAt(db, stamp);
  const out = items.map((live) => ({ view: actionView(live.doc, live, ctx), overrides: overridesAlong(live.doc, ctx.chain) }));
  if (!current) return out;
  if (catalogueCache.size >= CATALOGUE_CACHE_SIZE) catalogueCache.delete(catalogueCache.keys().next().value as string);
  catalogueCache.set(key, out);
  return out;
}

/**
 * The live actions at `stamp`: those held when they are the stamp's, else read. Read alongside the stamp (or after
 * it), the rows may come from just before or after a publish: they are `current`, and held and remembered under the
 * stamp, only when their revisions are the stamp's own, so no stamp is ever paired with another moment's actions.
 */
async function liveActionsAt(db: Database, stamp: string): Promise<{ items: LiveAction[]; current: boolean }> {
  if (heldActions?.stamp === stamp) return { items: heldActions.items, current: true };
  const rows = await liveActionRows(db);
  const read = rows.map((r) => r.revisionId).sort();
  const named = stamp ? stamp.split(",").sort() : [];
  const current = read.length === named.length && read.every((id, i) => id === named[i]);
  if (current) heldActions = { stamp, items: rows };
  return { items: rows, current };
}

/** A product document (live or draft) with its stock, localized once; `forChannel` specialises it. */
export interface ProductSource {
  doc: ProductDoc;
  view: ProductView;
  /** The document's overrides for the view's locale, read along its chain. */
  overrides: readonly Override[];
  actions: readonly CatalogueAction[];
}

export function productSource(
  doc: ProductDoc,
  stock: StockLevels,
  meta: { revision: number; publishedAt: string },
  ctx: ViewContext,
  actions: readonly CatalogueAction[],
): ProductSource {
  return { doc, view: productView(doc, stock, meta, ctx), overrides: overridesAlong(doc, ctx.chain), actions };
}

/** Live products as a list page shows them: each one's view and its overrides for the locale (`productListRenderView`'s input). */
export function listedProducts(items: readonly LiveProduct[], ctx: ViewContext) {
  return items.map((live) => ({
    doc: { overrides: overridesAlong(live.doc, ctx.chain) },
    view: productView(live.doc, live.stock, live, ctx),
  }));
}

/** A product's view for a channel, with the claims the audit judges it by. */
export function productForChannel(source: ProductSource, channel: Channel): ProductRenderView {
  return productRenderView(source, source.view, source.actions, channel);
}

/** A product's view for a channel, to be shown and never judged: without its claims (see `productRenderView`). */
export function productForDisplay(source: ProductSource, channel: Channel): ProductRenderView {
  return productRenderView(source, source.view, source.actions, channel, { claims: false });
}

export interface MessageSource {
  doc: MessageDoc;
  view: MessageView;
  /** The document's overrides for the view's locale, read along its chain. */
  overrides: readonly Override[];
  baseUrl: string;
}

export function messageSource(
  doc: MessageDoc,
  meta: { revision: number; publishedAt: string },
  ctx: ViewContext,
  now: Date,
): MessageSource {
  return { doc, view: messageView(doc, meta, ctx, now), overrides: overridesAlong(doc, ctx.chain), baseUrl: ctx.baseUrl };
}

export function messageForChannel(source: MessageSource, channel: Channel): MessageRenderView {
  return messageRenderView(source, source.view, channel, source.baseUrl);
}
