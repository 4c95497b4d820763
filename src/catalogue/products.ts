/**
 * Products: their entity kind (what a live revision projects for delivery),
 * inventory, the delivery queries (keyset pages, filters, FTS search) and the
 * localized view every channel projects from.
 */

import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, inArray, type SQL, sql } from "drizzle-orm";
import { type Database, guardWhen, isGuardFailure, memoized, type Orm, prepared, raw, releaseGuard, type Statement } from "../db/client";
import { inventory, productAnswers, productAnswersDue, productSortKeys, publishedProductCategories, publishedProducts } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { jsonText } from "../lib/etag";
import { newId } from "../lib/ids";
import { answerBasis, BASE_MARK, canStore, type PageBuilder, storeAnswersStatement } from "./answers";
import { bestAvailability, productAvailabilitySql, productStockSql, refreshAvailabilitySql, variantAvailability } from "./availability";
import { AVAILABILITIES, type Availability, ProductDoc, type Variant } from "./documents";
import type { EntityKind, EntryRow } from "./entries";
import { fallbackChain, type LocaleSet, loadLocales, resolveText } from "./locales";
import { type Money, MoneySchema, money } from "./money";

export type InventoryRow = typeof inventory.$inferSelect;

export const productKind: EntityKind<ProductDoc> = {
  type: "product",
  plural: "products",
  schema: ProductDoc,
  keyOf: (doc) => doc.slug,
  project(orm, { entryId, revisionId, doc, now }) {
    const titles = Object.values(doc.title).join("\n");
    return [
      // Listing follows the live revision: only its variants count towards availability.
      orm.update(inventory).set({ listed: false }).where(eq(inventory.entryId, entryId)),
      // One statement per SKU: D1 allows at most 100 bound parameters per statement.
      ...doc.variants.map((v) =>
        orm
          .insert(inventory)
          .values({
            sku: v.sku,
            entryId,
            stock: 0,
            listed: true,
            lowStockThreshold: v.lowStockThreshold,
            backorder: v.backorder,
            updatedAt: now,
          })
          .onConflictDoUpdate({
            target: inventory.sku,
            set: { listed: true, lowStockThreshold: sql`excluded.low_stock_threshold`, backorder: sql`excluded.backorder` },
            setWhere: sql`${inventory.entryId} = excluded.entry_id`,
          }),
      ),
      // The read's row (migrations/0014): the revision's own number and text, written just before in the same unit.
      raw(sql`INSERT INTO published_products (entry_id, slug, revision_id, availability, published_at, revision_number, document, stock)
        SELECT ${entryId}, ${doc.slug}, id, ${productAvailabilitySql(entryId)}, ${now}, number, document, ${productStockSql(entryId)}
        FROM revisions WHERE id = ${revisionId}`),
      ...(doc.categories.length
        ? [orm.insert(publishedProductCategories).values(doc.categories.map((category) => ({ category, slug: doc.slug, entryId })))]
        : []),
      raw(sql`INSERT INTO products_fts (entry_id, slug, title, summary, description, categories)
        VALUES (${entryId}, ${doc.slug}, ${titles}, ${Object.values(doc.summary).join("\n")},
          ${Object.values(doc.description).join("\n")}, ${doc.categories.join(" ").replaceAll("-", " ")})`),
      // Every (list, order) pair from two JSON arguments: four bound parameters whatever the counts (D1 allows 100).
      raw(sql`INSERT INTO product_sort_keys (category, sort, sort_key, slug, entry_id)
        SELECT l.value, json_extract(k.value, '$[0]'), json_extract(k.value, '$[1]'), ${doc.slug}, ${entryId}
        FROM json_each(${JSON.stringify(["", ...doc.categories])}) l, json_each(${JSON.stringify(sortKeys(doc, now))}) k`),
    ];
  },
  unproject(orm, entryId) {
    return [
      orm.delete(productSortKeys).where(eq(productSortKeys.entryId, entryId)),
      orm.delete(publishedProductCategories).where(eq(publishedProductCategories.entryId, entryId)),
      orm.delete(publishedProducts).where(eq(publishedProducts.entryId, entryId)),
      raw(sql`DELETE FROM products_fts WHERE entry_id = ${entryId}`),
    ];
  },
  async validate(db, doc, entry) {
    const skus = doc.variants.map((v) => v.sku);
    const owners = await db.orm
      .select({ sku: inventory.sku, entryId: inventory.entryId })
      .from(inventory)
      .where(inArray(inventory.sku, skus));
    const taken = owners.filter((o) => o.entryId !== entry?.id);
    if (taken.length) {
      throw new ApiError("already_exists", `SKU ${taken.map((t) => t.sku).join(", ")} already belongs to another product.`);
    }
  },
};

/** Inventory rows for new SKUs of a draft (stock given, or 0). Existing SKUs keep their stock. */
export function inventoryInserts(
  orm: Parameters<EntityKind<ProductDoc>["project"]>[0],
  entryId: string,
  variants: readonly (Variant & { stock?: number })[],
  now: string,
): Statement[] {
  // One statement per SKU: D1 allows at most 100 bound parameters per statement.
  return variants.map((v) =>
    orm
      .insert(inventory)
      .values({
        sku: v.sku,
        entryId,
        stock: v.stock ?? 0,
        listed: false,
        lowStockThreshold: v.lowStockThreshold,
        backorder: v.backorder,
        updatedAt: now,
      })
      .onConflictDoNothing(),
  );
}

/** Units in stock per SKU: what a product view reads of inventory (a SKU not in it has none). */
export type StockLevels = ReadonlyMap<string, number>;

/** The stock levels of inventory rows (a draft's, read with {@link inventoryFor}). */
export function stockLevels(rows: ReadonlyMap<string, InventoryRow>): StockLevels {
  return new Map(Array.from(rows, ([sku, row]) => [sku, row.stock]));
}

export async function inventoryFor(db: Database, entryIds: string[]): Promise<Map<string, InventoryRow>> {
  if (!entryIds.length) return new Map();
  const rows =
    entryIds.length === 1
      ? await prepared(db, "inventory-of-entry", (orm) =>
          orm
            .select()
            .from(inventory)
            .where(eq(inventory.entryId, sql.placeholder("entryId")))
            .prepare(),
        ).all({
          entryId: entryIds[0],
        })
      : await db.orm.select().from(inventory).where(inArray(inventory.entryId, entryIds));
  return new Map(rows.map((r) => [r.sku, r]));
}

// ---------------------------------------------------------------------------
// The localized view: the one projection of a product every channel renders.

export const VariantViewSchema = z
  .object({
    sku: z.string().openapi({ example: "MER-CREW-NAVY-M" }),
    title: z.string().openapi({ example: "Navy / M" }),
    options: z.record(z.string(), z.string()).openapi({ example: { color: "Navy", size: "M" } }),
    price: MoneySchema,
    compareAtPrice: MoneySchema.nullable(),
    availability: z.enum(AVAILABILITIES),
  })
  .openapi("ProductVariant");

export const ProductViewSchema = z
  .object({
    slug: z.string().openapi({ example: "merino-crew-sweater" }),
    locale: z.string().openapi({ example: "en" }),
    url: z.string().openapi({
      description: "The product's web page; apps open it as a universal / app link.",
      example: "https://shop.example/products/merino-crew-sweater",
    }),
    title: z.string().openapi({ example: "Merino crew sweater" }),
    summary: z.string(),
    description: z.string(),
    categories: z.array(z.string()).openapi({ example: ["knitwear", "men"] }),
    media: z.array(z.object({ url: z.string(), alt: z.string() })),
    attributes: z.array(z.object({ key: z.string(), label: z.string(), value: z.string() })),
    price: MoneySchema.openapi({ description: "The lowest variant price." }),
    availability: z.enum(AVAILABILITIES).openapi({ description: "The best availability over the variants." }),
    variants: z.array(VariantViewSchema),
    revision: z.number().int().openapi({ description: "The published revision this view comes from." }),
    publishedAt: z.string(),
  })
  .openapi("Product");
export type ProductView = z.infer<typeof ProductViewSchema>;

export interface ViewContext {
  locales: LocaleSet;
  locale: string;
  chain: string[];
  baseUrl: string;
}

function variantTitle(v: Variant, chain: string[]): string {
  return resolveText(v.title, chain) ?? (Object.values(v.options).join(" / ") || v.sku);
}

export function priceIn(prices: Record<string, number>, currency: string, fallbackCurrency: string): [number, string] | null {
  if (prices[currency] !== undefined) return [prices[currency], currency];
  if (prices[fallbackCurrency] !== undefined) return [prices[fallbackCurrency], fallbackCurrency];
  const [first] = Object.entries(prices);
  return first ? [first[1], first[0]] : null;
}

/** Builds the localized product view — where prices are formatted and availability is worded, once. */
export function productView(
  doc: ProductDoc,
  stock: StockLevels,
  meta: { revision: number; publishedAt: string },
  ctx: ViewContext,
): ProductView {
  const { chain, locale } = ctx;
  const currency = ctx.locales.byCode.get(locale)?.currency ?? ctx.locales.default.currency;
  const text = (v: Record<string, string>) => resolveText(v, chain) ?? "";
  const variants = doc.variants.map((v) => {
    const [amount, cur] = priceIn(v.prices, currency, ctx.locales.default.currency) ?? [0, currency];
    const compare = v.compareAtPrices ? priceIn(v.compareAtPrices, cur, cur) : null;
    return {
      sku: v.sku,
      title: variantTitle(v, chain),
      options: v.options,
      price: money(amount, cur, locale),
      compareAtPrice: compare && compare[1] === cur && compare[0] > amount ? money(compare[0], cur, locale) : null,
      availability: variantAvailability(stock.get(v.sku) ?? 0, v.lowStockThreshold, v.backorder),
    };
  });
  const cheapest = variants.reduce<Money | null>((min, v) => (!min || v.price.amount < min.amount ? v.price : min), null);
  return {
    slug: doc.slug,
    locale,
    url: `${ctx.baseUrl}/products/${doc.slug}`,
    title: text(doc.title),
    summary: text(doc.summary),
    description: text(doc.description),
    categories: doc.categories,
    media: doc.media.map((m) => ({ url: m.url.startsWith("/") ? `${ctx.baseUrl}${m.url}` : m.url, alt: text(m.alt) })),
    attributes: doc.attributes.map((a) => ({ key: a.key, label: text(a.label), value: text(a.value) })),
    price: cheapest ?? money(0, currency, locale),
    availability: bestAvailability(variants.map((v) => v.availability)),
    variants,
    revision: meta.revision,
    publishedAt: meta.publishedAt,
  };
}

// ---------------------------------------------------------------------------
// Delivery queries: published content only.

export interface LiveProduct {
  entryId: string;
  doc: ProductDoc;
  revision: number;
  publishedAt: string;
  /** Its listed SKUs' stock, read with it (one row: migrations/0014). */
  stock: StockLevels;
}

/** What a live product's read takes from its `published_products` row: nothing else is joined. */
const liveColumns = {
  entryId: publishedProducts.entryId,
  slug: publishedProducts.slug,
  document: publishedProducts.document,
  revision: publishedProducts.revisionNumber,
  publishedAt: publishedProducts.publishedAt,
  stock: publishedProducts.stock,
};

type LiveRow = { entryId: string; slug: string; document: string; revision: number; publishedAt: string; stock: string };

function toLive(row: LiveRow): LiveProduct {
  return {
    entryId: row.entryId,
    doc: JSON.parse(row.document) as ProductDoc,
    revision: row.revision,
    publishedAt: row.publishedAt,
    stock: new Map(Object.entries(JSON.parse(row.stock) as Record<string, number>)),
  };
}

/** The read of a live product by slug: one seek of the slug index, and that row (its plan is tested). */
export function liveProductBySlug(orm: Orm) {
  return orm
    .select(liveColumns)
    .from(publishedProducts)
    .where(eq(publishedProducts.slug, sql.placeholder("slug")))
    .limit(1);
}

export async function findLiveProduct(db: Database, slug: string): Promise<LiveProduct | null> {
  const query = prepared(db, "live-product-by-slug", (orm) => liveProductBySlug(orm).prepare());
  const [row] = await query.all({ slug });
  return row ? toLive(row) : null;
}

/** How many products are due for their stored answers (the total of an import's last pass). */
export async function dueAnswerCount(db: Database): Promise<number> {
  const [row] = await db.orm.select({ n: sql<number>`count(*)` }).from(productAnswersDue);
  return row?.n ?? 0;
}

/** How many due products {@link refreshProductAnswers} builds and writes per atomic unit (each with every locale's answer). */
export const ANSWER_BATCH = 200;

/**
 * Builds and stores the delivery answers (src/catalogue/answers.ts) of products marked due since theirs were
 * written — one batch of {@link ANSWER_BATCH}, or (`all`) every due product. Each batch is one atomic unit: the
 * answers, written only where the row still holds what they were built from, and the due marks they were built
 * for. A product written again meanwhile has a new mark and stays due. Returns how many products' answers it built.
 */
export async function refreshProductAnswers(
  db: Database,
  options: { all?: boolean; onBatch?: (products: number) => void; pages?: PageBuilder | undefined } = {},
): Promise<number> {
  let stored = 0;
  for (let after = ""; ; ) {
    // Asked after every write request (src/app.ts): a statement prepared once.
    const dueQuery = prepared(db, "answers-due", (orm) =>
      orm
        .select()
        .from(productAnswersDue)
        .where(gt(productAnswersDue.entryId, sql.placeholder("after")))
        .orderBy(asc(productAnswersDue.entryId))
        .limit(ANSWER_BATCH)
        .prepare(),
    );
    const due = await dueQuery.all({ after });
    if (!due.length) return stored;
    const set = await loadLocales(db);
    const basis = answerBasis(set);
    const contexts = set.rows.map((r) => ({ locales: set, locale: r.code, chain: fallbackChain(set, r.code), baseUrl: BASE_MARK }));
    const rows: LiveRow[] = [];
    // D1 allows 100 bound parameters per statement.
    for (let i = 0; i < due.length; i += 90) {
      const ids = due.slice(i, i + 90).map((d) => d.entryId);
      rows.push(...(await db.orm.select(liveColumns).from(publishedProducts).where(inArray(publishedProducts.entryId, ids))));
    }
    const answers = new Map<string, Statement>();
    if (contexts.length) {
      const pageBasis = await options.pages?.basis(db, set);
      const built: { row: LiveRow; bodies: Record<string, string>; pages: Record<string, string | null> }[] = [];
      for (const row of rows) {
        if (!canStore(row.document)) continue;
        const live = toLive(row);
        const bodies = Object.fromEntries(contexts.map((ctx) => [ctx.locale, jsonText(productView(live.doc, live.stock, live, ctx))]));
        const pages: Record<string, string | null> = {};
        if (options.pages) for (const ctx of contexts) pages[ctx.locale] = await options.pages.build(db, live, ctx);
        built.push({ row, bodies, pages });
      }
      // Pages are stored under the basis they were built in: one that moved meanwhile (an action published
      // between the two reads) leaves them unbuilt, and due again.
      const stable = pageBasis !== undefined && pageBasis === (await options.pages?.basis(db, set));
      for (const { row, bodies, pages } of built) {
        answers.set(row.entryId, storeAnswersStatement(row, basis, bodies, stable ? { basis: pageBasis, pages } : undefined));
      }
    }
    const clear = (orm: Orm, d: (typeof due)[number]) =>
      orm.delete(productAnswersDue).where(and(eq(productAnswersDue.entryId, d.entryId), eq(productAnswersDue.mark, d.mark)));
    /** A due product's unit: its answers (if built) and its mark cleared. */
    const unit = (orm: Orm, d: (typeof due)[number]): Statement[] => {
      const answer = answers.get(d.entryId);
      return answer ? [answer, clear(orm, d)] : [clear(orm, d)];
    };
    try {
      await db.atomic((orm) => due.flatMap((d) => unit(orm, d)));
    } catch {
      // A product's answers refused (a platform's limit on a statement, say): each product on its own, and one
      // still refused leaves the queue without them — its reads build its answer from the row, as before.
      for (const d of due) {
        try {
          await db.atomic((orm) => unit(orm, d));
        } catch {
          answers.delete(d.entryId);
          await db.atomic((orm) => [clear(orm, d)]);
        }
      }
    }
    stored += answers.size;
    options.onBatch?.(due.length);
    if (!options.all || due.length < ANSWER_BATCH) return stored;
    after = due[due.length - 1]!.entryId;
  }
}

/**
 * Answers stored under another basis than the current one are ignored by reads: stored by a release that built
 * them differently (`ANSWER_FORMAT`, src/catalogue/answers.ts), or under a locale set changed where no trigger
 * saw it. This drops them and marks their products due, in one atomic unit, so they are rebuilt. With `sample`,
 * one stored answer is looked at first and nothing is done if it is current: an upgrade leaves every answer
 * stale, and a tick need not read them all. Returns whether it swept.
 */
export async function markStaleAnswers(db: Database, options: { sample?: boolean } = {}): Promise<boolean> {
  const basis = answerBasis(await loadLocales(db));
  if (options.sample) {
    const [first] = await db.orm.select({ basis: productAnswers.basis }).from(productAnswers).limit(1);
    if (!first || first.basis === basis) return false;
  }
  await db.atomic(() => [dueWhereStored(sql`basis <> ${basis}`), raw(sql`DELETE FROM product_answers WHERE basis <> ${basis}`)]);
  return true;
}

/**
 * The stored answers' and pages' upkeep on every outbound tick (Node's interval, the Worker's cron trigger): stale
 * answers swept ({@link markStaleAnswers}, one sample), stale pages swept ({@link markStalePages}) and one batch of
 * due products built. After an upgrade that changed `ANSWER_FORMAT` this rebuilds every answer in the background,
 * a batch a tick, while reads build theirs from the row. With `all` (`unison migrate`), every stored answer is
 * looked at and every due product built now. Returns how many products' answers it built.
 */
export async function maintainAnswers(db: Database, pages?: PageBuilder, options: { all?: boolean } = {}): Promise<number> {
  await markStaleAnswers(db, { sample: !options.all });
  if (pages) await markStalePages(db, pages);
  return refreshProductAnswers(db, { pages, all: options.all ?? false });
}

/**
 * Stored pages built under another basis than the current one (an action published, the renderer upgraded) or
 * without a renderer are never composed: this marks their products due and their pages as marked (NULL basis),
 * in one atomic unit, so a batch a tick rebuilds them. Their answers stay and are served meanwhile. Finding none
 * costs two seeks of the page-basis index. Returns whether it marked any.
 */
export async function markStalePages(db: Database, pages: PageBuilder): Promise<boolean> {
  const basis = await pages.basis(db, await loadLocales(db));
  const stale = stalePages(basis);
  const [first] = await firstStalePage(db.orm, basis);
  if (!first) return false;
  await db.atomic((orm) => [dueWhereStored(stale), orm.update(productAnswers).set({ pageBasis: null, page: null }).where(stale)]);
  return true;
}

/** Marks due the live products whose stored rows match `where` (a condition on `product_answers`). */
function dueWhereStored(where: SQL): Statement {
  return raw(sql`INSERT OR IGNORE INTO product_answers_due (entry_id, mark)
    SELECT p.entry_id, hex(randomblob(8)) FROM published_products p
    WHERE p.slug IN (SELECT slug FROM product_answers WHERE ${where})`);
}

/** Stored pages under another basis than `basis`: two ranges of the page-basis index (NULL, queued, is in neither). */
function stalePages(basis: string) {
  return sql`(${productAnswers.pageBasis} < ${basis} OR ${productAnswers.pageBasis} > ${basis})`;
}

/** The look for a stale page a tick makes ({@link markStalePages}; its plan is tested). */
export function firstStalePage(orm: Orm, basis: string) {
  return orm.select({ slug: productAnswers.slug }).from(productAnswers).where(stalePages(basis)).limit(1);
}

export interface ProductQuery {
  limit: number;
  cursor?: string | undefined;
  category?: string | undefined;
  availability?: Availability | undefined;
  q?: string | undefined;
  /** Searches matching more products than this are not ranked (see {@link listLiveProducts}); default {@link RANKED_MATCHES}. */
  rankedMatches?: number | undefined;
}

/**
 * Up to this many matches a search is ordered by relevance (FTS5 bm25). Past it, scoring every
 * match before the first page costs grows with the catalogue (a common word at 100k products
 * matches thousands), so such a search lists its matches in index order (the FTS rowid: the
 * order products were first published) — every page costs the same, however common the word.
 *
 * 250: a specific search (a name, a colour and a kind, an SKU word) matches far fewer and keeps
 * its relevance order; a word that matches more than 250 products says little about which of them
 * is wanted, and relevance among them is not worth scoring them all. The bound is decided by the
 * query that also reads the unranked first page (row ids in index order, at most 251 of them), so
 * a common word runs one full-text match, not a count and then a match; scoring 250 matches costs
 * about what reading the first page does (`npm run bench:scale -- --rows q=`: a common word at
 * 100k products costs ≤ 1.5 × what it costs at 1k).
 */
export const RANKED_MATCHES = 250;

/** Turns free text into a safe FTS5 query: each word a quoted prefix term, all required. */
export function ftsQuery(q: string): string | null {
  const words = q
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 12);
  if (!words.length) return null;
  return words.map((w) => `"${w.replaceAll('"', '""')}"*`).join(" ");
}

type SlugCursor = { s: string; f: string };
/** A search cursor: rank and FTS rowid of the last row, or (`o: "id"`) only its rowid when the search is in index order. */
type RankCursor = { r: number; i: number; f: string } | { o: "id"; i: number; f: string };
const isSlugCursor = (v: Record<string, unknown>): v is SlugCursor => typeof v.s === "string" && typeof v.f === "string" && !("r" in v);
const isRankCursor = (v: Record<string, unknown>): v is RankCursor =>
  typeof v.i === "number" && typeof v.f === "string" && (typeof v.r === "number" || v.o === "id");

/**
 * One page of live products. Without `q`: keyset on slug (stable under inserts,
 * cost independent of depth). With `q`: FTS5 bm25 order, keyset on (rank, FTS rowid); when more
 * than `rankedMatches` products match ({@link RANKED_MATCHES}), FTS rowid order (bounded: no match is scored).
 * The cursor remembers the filters; reusing it with others is a 400.
 */
export async function listLiveProducts(db: Database, query: ProductQuery): Promise<{ items: LiveProduct[]; nextCursor: string | null }> {
  const filterKey = [query.category ?? "", query.availability ?? "", query.q ?? ""].join("|");
  if (query.q !== undefined) {
    const match = ftsQuery(query.q);
    if (!match) return { items: [], nextCursor: null };
    const after = query.cursor ? decodeCursor("products", query.cursor, isRankCursor) : null;
    if (after && after.f !== filterKey) throw new ApiError("invalid_cursor", "This cursor belongs to other filters.");
    const filters = sql`
        ${query.category ? sql`AND EXISTS (SELECT 1 FROM published_product_categories c WHERE c.entry_id = products_fts.entry_id AND c.category = ${query.category})` : sql``}
        ${query.availability ? sql`AND EXISTS (SELECT 1 FROM published_products a WHERE a.entry_id = products_fts.entry_id AND a.availability = ${query.availability})` : sql``}`;
    // Whether to rank: the cursor says so on later pages (one order for the whole walk). A first page
    // reads the matches' row ids in index order, up to one past the bound (row ids only: nothing is
    // scored); past the bound the first of them are the page itself, so a common word is matched once.
    const cap = query.rankedMatches ?? RANKED_MATCHES;
    let ranked = after ? "r" in after : true;
    let firstIds: number[] | undefined;
    if (!after) {
      const ids = (await db.orm.all(
        sql`SELECT rowid AS id FROM products_fts WHERE products_fts MATCH ${match} ${filters} ORDER BY rowid LIMIT ${Math.max(cap, query.limit) + 1}`,
      )) as { id: number }[];
      ranked = ids.length <= cap;
      if (!ranked) firstIds = ids.slice(0, query.limit + 1).map((r) => r.id);
    }
    // Rank and page inside FTS first (ties broken by the FTS rowid, which costs nothing to read),
    // then join only the page: joining every match before sorting was 7× slower at 100k products.
    const matches = firstIds
      ? // Row ids read from the index a moment ago: integers, written inline (D1 binds at most 100 parameters).
        sql`SELECT rowid, entry_id, NULL AS rank FROM products_fts WHERE rowid IN (${sql.raw(firstIds.map((id) => String(Math.trunc(Number(id)))).join(", "))})`
      : sql`
        SELECT rowid, entry_id, ${ranked ? sql`rank` : sql`NULL`} AS rank FROM products_fts
        WHERE products_fts MATCH ${match}
        ${filters}
        ${after ? ("r" in after ? sql`AND (rank > ${after.r} OR (rank = ${after.r} AND rowid > ${after.i}))` : sql`AND rowid > ${after.i}`) : sql``}
        ORDER BY ${ranked ? sql`rank, rowid` : sql`rowid`}
        LIMIT ${query.limit + 1}`;
    const rows = (await db.orm.all(sql`
      SELECT ${PAGE_COLUMNS}, m.rank AS rank, m.rowid AS rowid
      FROM (${matches}) m
      JOIN published_products p ON p.entry_id = m.entry_id
      ORDER BY ${ranked ? sql`m.rank, m.rowid` : sql`m.rowid`}`)) as (PageRow & { rank: number | null; rowid: number })[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map(toLive),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor(
              "products",
              last.rank === null ? { o: "id", i: last.rowid, f: filterKey } : { r: last.rank, i: last.rowid, f: filterKey },
            )
          : null,
    };
  }
  const after = query.cursor ? decodeCursor("products", query.cursor, isSlugCursor) : null;
  if (after && after.f !== filterKey) throw new ApiError("invalid_cursor", "This cursor belongs to other filters.");
  const conditions = [
    after ? gt(publishedProducts.slug, after.s) : undefined,
    query.availability ? eq(publishedProducts.availability, query.availability) : undefined,
  ].filter(Boolean);
  const base = db.orm.select(liveColumns).from(publishedProducts);
  const rows = await (query.category
    ? base
        .innerJoin(
          publishedProductCategories,
          and(eq(publishedProductCategories.entryId, publishedProducts.entryId), eq(publishedProductCategories.category, query.category)),
        )
        .where(and(...conditions))
        .orderBy(asc(publishedProductCategories.slug))
    : base.where(and(...conditions)).orderBy(asc(publishedProducts.slug))
  ).limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toLive),
    nextCursor: rows.length > query.limit && last ? encodeCursor("products", { s: last.slug, f: filterKey }) : null,
  };
}

/** The orders a browsing page offers: the locale's title A→Z, lowest price first, most recently published first. */
export const PRODUCT_SORTS = ["title", "price", "newest"] as const;
export type ProductSort = (typeof PRODUCT_SORTS)[number];

export interface OrderedProductQuery {
  sort: ProductSort;
  limit: number;
  offset: number;
  category?: string | undefined;
  /** The locale's fallback chain: the title sorted on is the first one set along it (as the page shows it). */
  chain: readonly string[];
  /** The price sorted on: each variant's price in `currency`, else in `fallbackCurrency` (as {@link priceIn} picks it). */
  currency: string;
  fallbackCurrency: string;
  /** Sort from the documents even where `product_sort_keys` could answer (tests compare the two). */
  computed?: boolean | undefined;
}

/**
 * A product's rows in `product_sort_keys` (migrations/0013), for each list it is on: its title in each
 * locale it is written in (`title:<code>`), its lowest price in each currency every variant has a price
 * in (`price:<currency>`), and minus its publication time in ms (`newest`, so ascending is newest first).
 */
export function sortKeys(doc: ProductDoc, publishedAt: string): [sort: string, key: string | number][] {
  const keys: [string, string | number][] = Object.entries(doc.title).map(([code, title]) => [`title:${code}`, title]);
  const [first, ...rest] = doc.variants;
  for (const currency of Object.keys(first?.prices ?? {})) {
    if (rest.every((v) => v.prices[currency] !== undefined)) {
      keys.push([`price:${currency}`, Math.min(...doc.variants.map((v) => v.prices[currency] ?? 0))]);
    }
  }
  keys.push(["newest", -Date.parse(publishedAt)]);
  return keys;
}

/**
 * The `product_sort_keys` order that gives exactly this query's order, or null when none does. A title
 * order reads the first locale of the chain any product is written in: when every product is written
 * in it, that is the title each page shows (earlier locales of the chain have no title anywhere). A price
 * order needs every product's every variant priced in the currency. Counts are remembered until the
 * data changes, so this costs a map lookup per request on Node.
 */
async function indexedSort(db: Database, query: OrderedProductQuery): Promise<string | null> {
  if (query.sort === "newest") return "newest";
  const candidates = query.sort === "price" ? [`price:${query.currency}`] : query.chain.map((code) => `title:${code}`);
  const counts = await memoized(db, `sort-key-counts|${candidates.join("|")}`, async () => {
    const [row] = (await db.orm.all(
      sql`SELECT (SELECT count(*) FROM published_products) AS total, ${sql.join(
        candidates.map(
          (sort, i) => sql`(SELECT count(*) FROM product_sort_keys WHERE category = '' AND sort = ${sort}) AS ${sql.raw(`c${i}`)}`,
        ),
        sql`, `,
      )}`,
    )) as Record<string, number>[];
    return [row?.total ?? 0, ...candidates.map((_, i) => row?.[`c${i}`] ?? 0)];
  });
  const [total = 0, ...covered] = counts;
  const at = query.sort === "title" ? covered.findIndex((n) => n > 0) : 0;
  return at >= 0 && covered[at] === total ? candidates[at]! : null;
}

/** How many live products a list holds (the whole catalogue, or a category), remembered until the data changes. */
function countOf(db: Database, category: string | undefined): Promise<number> {
  return memoized(db, `product-count|${category ?? ""}`, async () => {
    const [row] = (await (category
      ? db.orm.all(sql`SELECT count(*) AS n FROM published_product_categories WHERE category = ${category}`)
      : db.orm.all(sql`SELECT count(*) AS n FROM published_products`))) as { n: number }[];
    return row?.n ?? 0;
  });
}

/**
 * One page of live products in a given order, by offset, and how many there are. The order is read
 * from `product_sort_keys` (a walk of its primary key: the page's cost does not grow with the
 * catalogue) whenever its keys give exactly the order the page shows (see {@link indexedSort}: every
 * product titled in the page's locale, every variant priced in its currency); otherwise it is computed
 * in SQLite (`json_extract` on the live revision along the locale's chain, a bounded sort with LIMIT).
 * Either way a request reads only its page into memory; ties fall back to the slug, so every product
 * appears on exactly one page. Titles compare case-insensitively (ASCII `NOCASE`).
 */
export async function listOrderedProducts(db: Database, query: OrderedProductQuery): Promise<{ items: LiveProduct[]; total: number }> {
  const indexed = query.computed ? null : await indexedSort(db, query);
  const [rows, total] = await Promise.all([
    indexed ? indexedPage(db, indexed, query) : computedPage(db, query),
    countOf(db, query.category),
  ]);
  return { items: rows.map(toLive), total };
}

type PageRow = LiveRow & { slug: string };

/** A page's columns from each product's `published_products` row (`p`): {@link liveColumns} in SQL. */
const PAGE_COLUMNS = sql`p.entry_id AS entryId, p.slug AS slug, p.document AS document, p.revision_number AS revision,
  p.published_at AS publishedAt, p.stock AS stock`;

/**
 * A page as a walk of `product_sort_keys`' primary key (category, sort, sort_key, slug), read from the key alone,
 * joined to those products' rows by `entry_id`: one statement (on D1 one round trip, where an id list and then its
 * documents were two one after the other), and a sort of the page's rows alone (12) to put them back in the walk's order.
 */
export function indexedPageSql(sort: string, query: Pick<OrderedProductQuery, "category" | "limit" | "offset">) {
  return sql`SELECT ${PAGE_COLUMNS}
    FROM (
      SELECT entry_id AS id, sort_key AS k, slug AS s FROM product_sort_keys WHERE category = ${query.category ?? ""} AND sort = ${sort}
      ORDER BY sort_key, slug LIMIT ${query.limit} OFFSET ${query.offset}
    ) m
    JOIN published_products p ON p.entry_id = m.id
    ORDER BY m.k COLLATE NOCASE, m.s`;
}

function indexedPage(db: Database, sort: string, query: OrderedProductQuery): Promise<PageRow[]> {
  return db.orm.all(indexedPageSql(sort, query)) as Promise<PageRow[]>;
}

/** A page sorted from the live documents: the order any chain and currency asks for, at a sort of the list's keys. */
function computedPage(db: Database, query: OrderedProductQuery): Promise<PageRow[]> {
  const title = sql.join(
    query.chain.map((code) => sql`json_extract(p.document, ${`$.title."${code.replaceAll('"', "")}"`})`),
    sql`, `,
  );
  const price = sql`(SELECT min(coalesce(json_extract(v.value, ${`$.prices.${query.currency}`}), json_extract(v.value, ${`$.prices.${query.fallbackCurrency}`})))
    FROM json_each(p.document, '$.variants') v)`;
  // The sort key of each product (k), and its slug (s) to break ties.
  const key =
    query.sort === "price"
      ? sql`coalesce(${price}, 9e18)`
      : query.sort === "newest"
        ? sql`p.published_at`
        : sql`coalesce(${title}, p.slug)`;
  const order = (m: string) =>
    sql.raw(query.sort === "newest" ? `${m}k DESC, ${m}s` : query.sort === "title" ? `${m}k COLLATE NOCASE, ${m}s` : `${m}k, ${m}s`);
  const inCategory = query.category
    ? sql`JOIN published_product_categories c ON c.entry_id = p.entry_id AND c.category = ${query.category}`
    : sql``;
  // Sort only (id, key, slug) and join the documents of the page alone: the sorter then holds small
  // rows, however deep the page (sorting whole documents made page 500 of 20k products 3× slower).
  return db.orm.all(sql`
    SELECT ${PAGE_COLUMNS}
    FROM (
      SELECT p.entry_id AS id, ${key} AS k, p.slug AS s
      FROM published_products p ${inCategory}
      ORDER BY ${order("")}
      LIMIT ${query.limit} OFFSET ${query.offset}
    ) m
    JOIN published_products p ON p.entry_id = m.id
    ORDER BY ${order("m.")}`) as Promise<PageRow[]>;
}

/** A SKU's inventory row; 404 when there is no such SKU. */
export async function getInventoryRow(db: Database, sku: string): Promise<InventoryRow> {
  const [row] = await db.orm.select().from(inventory).where(eq(inventory.sku, sku)).limit(1);
  if (!row) throw new ApiError("not_found", `No SKU "${sku}".`);
  return row;
}

/** Sets a SKU's stock (operational: effective at once, no publish), with its own version. */
export async function setStock(db: Database, sku: string, stock: number, expectedVersion: number, now: Date): Promise<InventoryRow> {
  const row = await getInventoryRow(db, sku);
  const token = newId("wt");
  try {
    await db.atomic((orm) => [
      orm
        .update(inventory)
        .set({ stock, version: sql`${inventory.version} + 1`, updatedAt: now.toISOString() })
        .where(and(eq(inventory.sku, sku), eq(inventory.version, expectedVersion))),
      // The compare-and-set on the inventory version must have matched exactly one row.
      guardWhen(token, sql`SELECT changes()`),
      raw(refreshAvailabilitySql(row.entryId)),
      releaseGuard(token),
    ]);
  } catch (error) {
    if (isGuardFailure(error)) {
      const [current] = await db.orm.select().from(inventory).where(eq(inventory.sku, sku));
      throw new ApiError("precondition_failed", "The stock changed since you read it. Re-read and retry.", {
        extra: { currentVersion: current?.version ?? null },
        headers: current ? { etag: `"v${current.version}"` } : {},
      });
    }
    throw error;
  }
  return { ...row, stock, version: expectedVersion + 1, updatedAt: now.toISOString() };
}

/** A product's inventory rows; SKUs dropped from the draft keep theirs (history, rollback). */
export async function skusOf(db: Database, entry: EntryRow): Promise<InventoryRow[]> {
  return db.orm.select().from(inventory).where(eq(inventory.entryId, entry.id)).orderBy(asc(inventory.sku));
}

/**
 * The categories that have live products, A→Z, as a skip scan of the (category, slug) primary key:
 * one index seek per category, not a read of every product's row (`SELECT DISTINCT` read all 100,000
 * at 100k products; D1, which has no change stamp to remember the frame by, pays it per page).
 */
export const LIVE_CATEGORIES = sql`WITH RECURSIVE c(category) AS (
    SELECT min(category) FROM published_product_categories
    UNION ALL
    SELECT (SELECT min(category) FROM published_product_categories WHERE category > c.category) FROM c WHERE c.category IS NOT NULL
  )
  SELECT category FROM c WHERE category IS NOT NULL`;

/** The categories that have live products, A→Z ({@link LIVE_CATEGORIES}). */
export async function liveCategories(db: Database): Promise<string[]> {
  const rows = (await db.orm.all(LIVE_CATEGORIES)) as { category: string }[];
  return rows.map((r) => r.category);
}
