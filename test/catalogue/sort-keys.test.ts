/**
 * The storefront's paged orders come from `product_sort_keys` (migrations/0013): a page is a walk of
 * its primary key (the query plans below), it lists exactly what sorting the live documents lists,
 * it falls back to that sort when the keys cannot answer (a product not written in the page's locale,
 * a variant not priced in its currency), and the migration's backfill writes what publishing writes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { generatedBundle, generatedProduct } from "../../bench/catalogue";
import { importContent } from "../../src/catalogue/content";
import { getEntry, withdrawEntry } from "../../src/catalogue/entries";
import { saveLocale } from "../../src/catalogue/locales";
import {
  indexedPageSql,
  LIVE_CATEGORIES,
  listOrderedProducts,
  type OrderedProductQuery,
  PRODUCT_SORTS,
  productKind,
} from "../../src/catalogue/products";
import type { Database } from "../../src/db/client";
import { MIGRATIONS_DIR, type SqliteDatabase } from "../../src/node/sqlite";

import { type LocalD1, localD1 } from "../helpers/d1";
import { freshDb, productDoc } from "../helpers/db";

const NOW = new Date("2026-11-24T12:00:00Z");
let db: SqliteDatabase;

/** Generated products, and titles that test the order's edges: case, equal titles (ties by slug), digits. */
const EDGES = [
  productDoc("apple-a", { title: { en: "apple", fr: "pomme" } }),
  productDoc("apple-b", { title: { en: "Apple", fr: "Pomme" } }),
  productDoc("zebra", { title: { en: "ZEBRA rug", fr: "tapis zèbre" }, categories: ["kitchen", "home"] }),
  productDoc("digits", { title: { en: "1984 mug", fr: "tasse 1984" } }),
  productDoc("cheap", {
    variants: [
      { sku: "CHEAP-1", options: { size: "S" }, prices: { EUR: 100, USD: 120 } },
      { sku: "CHEAP-2", options: { size: "M" }, prices: { EUR: 50 } },
    ],
  }),
];

async function publish(products: unknown[], now = NOW, into: Database = db) {
  const report = await importContent(
    into,
    { locales: null, products: products.map((data, i) => ({ path: `p${i}`, data })), messages: [], actions: [] },
    { keyId: null, now },
  );
  expect(report.problems).toEqual([]);
}

beforeEach(async () => {
  db = await freshDb(NOW);
  const bundle = generatedBundle(60);
  await publish(bundle.products.map((p) => p.data));
  await publish(EDGES, new Date(NOW.getTime() + 1000));
});

const query = (sort: OrderedProductQuery["sort"], chain: string[], category?: string, offset = 0): OrderedProductQuery => ({
  sort,
  limit: 12,
  offset,
  category,
  chain,
  currency: "EUR",
  fallbackCurrency: "EUR",
});

/** Every page of a list, by offset, as slugs; and the total the first page reports. */
async function walk(q: OrderedProductQuery, from: Database = db) {
  const slugs: string[] = [];
  const first = await listOrderedProducts(from, q);
  for (let offset = 0; offset < first.total; offset += q.limit) {
    slugs.push(...(await listOrderedProducts(from, { ...q, offset })).items.map((i) => i.doc.slug));
  }
  return { slugs, total: first.total };
}

const plan = (statement: ReturnType<typeof indexedPageSql>) => {
  const { sql, params } = new SQLiteSyncDialect().sqlToQuery(statement);
  return (db.client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
};

describe("a page of a sorted list", () => {
  it("is one statement: a walk of product_sort_keys' primary key, a lookup of the page's 12 documents, no scan", async () => {
    for (const sort of ["title:en", "title:fr", "price:EUR", "newest"]) {
      for (const category of [undefined, "kitchen"]) {
        const lines = plan(indexedPageSql(sort, { category, limit: 12, offset: 36 }));
        expect(lines, `${sort} ${category}`).toContain("SEARCH product_sort_keys USING PRIMARY KEY (category=? AND sort=?)");
        expect(lines, `${sort} ${category}`).toContain("SEARCH p USING INDEX sqlite_autoindex_published_products_1 (entry_id=?)");
        // Each product's row holds its document (migrations/0014): no other table is read, nothing is scanned but the
        // page itself (m, 12 rows), and the only sort is of those 12 rows, back into the walk's order.
        for (const line of lines) expect(line).not.toMatch(/^SCAN (p|product_sort_keys)\b|revisions|\br\b/);
        expect(lines.filter((line) => line.includes("TEMP B-TREE"))).toEqual(["USE TEMP B-TREE FOR ORDER BY"]);
      }
    }
  });

  it("lists exactly what sorting the live documents lists, for every order, locale and list", async () => {
    for (const sort of PRODUCT_SORTS) {
      for (const chain of [["en"], ["fr", "en"]]) {
        for (const category of [undefined, "kitchen", "knitwear"]) {
          const indexed = await walk(query(sort, chain, category));
          const computed = await walk({ ...query(sort, chain, category), computed: true });
          expect(indexed, `${sort} ${chain} ${category}`).toEqual(computed);
          expect(indexed.slugs).toHaveLength(new Set(indexed.slugs).size);
        }
      }
    }
    // The edges: case-insensitive, ties by slug, the newest (published a second later) first.
    const byTitle = (await walk(query("title", ["en"]))).slugs;
    expect(byTitle[0]).toBe("digits");
    expect(byTitle.indexOf("apple-b") - byTitle.indexOf("apple-a")).toBe(1);
    expect((await listOrderedProducts(db, query("newest", ["en"]))).items.slice(0, 5).map((i) => i.doc.slug)).toEqual([
      "apple-a",
      "apple-b",
      "cheap",
      "digits",
      "zebra",
    ]);
    expect((await listOrderedProducts(db, query("price", ["en"]))).items[0]?.doc.slug).toBe("cheap");
  });

  it("reads the order from the keys when they answer for every product", async () => {
    // A key moved by hand (the data's stamp moves with it) moves the product: the page was read from the keys.
    db.client.prepare("UPDATE product_sort_keys SET sort_key = '!' WHERE category = '' AND sort = 'title:fr' AND slug = 'zebra'").run();
    expect((await listOrderedProducts(db, query("title", ["fr", "en"]))).items[0]?.doc.slug).toBe("zebra");
    expect((await listOrderedProducts(db, query("title", ["fr", "en"]))).total).toBe(65);
    expect((await listOrderedProducts(db, { ...query("title", ["fr", "en"]), computed: true })).items[0]?.doc.slug).not.toBe("zebra");
  });

  it("sorts from the documents when a product has no title in the page's locale or a variant no price in its currency", async () => {
    await publish([
      productDoc("english-only", { title: { en: "Aardvark mug" } }),
      productDoc("dollars-too", {
        variants: [
          { sku: "DT-1", options: { size: "S" }, prices: { EUR: 7 } },
          { sku: "DT-2", options: { size: "M" }, prices: { USD: 1 } },
        ],
      }),
    ]);
    // French pages show the English title where there is no French one: the product keeps its place.
    const fr = await walk(query("title", ["fr", "en"]));
    expect(fr).toEqual(await walk({ ...query("title", ["fr", "en"]), computed: true }));
    expect(fr.total).toBe(67);
    expect(fr.slugs).toContain("english-only");
    expect(fr.slugs[0]).toBe("english-only");
    const price = await walk(query("price", ["en"]));
    expect(price).toEqual(await walk({ ...query("price", ["en"]), computed: true }));
    expect(price.slugs[0]).toBe("dollars-too");
  });

  it("follows unpublishing and republishing", async () => {
    const entry = await getEntry(db, "product", "zebra");
    await withdrawEntry(db, productKind, { keyId: null, now: NOW }, entry, entry.version, "draft");
    expect(db.client.prepare("SELECT count(*) AS n FROM product_sort_keys WHERE slug = 'zebra'").get()).toEqual({ n: 0 });
    expect((await walk(query("title", ["en"], "home"))).slugs).not.toContain("zebra");
    await publish([{ ...generatedProduct(7), title: { en: "Renamed", fr: "Renommé" } }], new Date(NOW.getTime() + 60_000));
    const newest = await listOrderedProducts(db, query("newest", ["en"]));
    expect(newest.items[0]?.doc.slug).toBe(generatedProduct(7).slug);
    expect(newest.total).toBe(64);
    expect(await walk(query("title", ["en"]))).toEqual(await walk({ ...query("title", ["en"]), computed: true }));
  });
});

describe("migration 0013", () => {
  it("backfills the keys of the live products exactly as publishing writes them", async () => {
    const rows = () =>
      db.client
        .prepare("SELECT category, sort, sort_key, typeof(sort_key) AS type, slug, entry_id FROM product_sort_keys ORDER BY 1, 2, 3, 4, 5")
        .all();
    const published = rows();
    expect(published.length).toBeGreaterThan(65 * 2 * 4);
    db.client.prepare("DELETE FROM product_sort_keys").run();
    const migration = readFileSync(join(MIGRATIONS_DIR, "0013_product_sort_keys.sql"), "utf8").split("--> statement-breakpoint");
    db.client.exec(migration.at(-1)!);
    expect(rows()).toEqual(published);
  });
});

describe("on D1 (local, migrations applied by wrangler)", () => {
  let d1: LocalD1 | undefined;
  afterAll(async () => d1?.dispose());

  it("publishes the keys, lists the same pages as the documents' sort, and backfills them", async () => {
    d1 = await localD1();
    await saveLocale(d1.db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, NOW);
    await saveLocale(d1.db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, NOW);
    await publish(
      generatedBundle(20).products.map((p) => p.data),
      NOW,
      d1.db,
    );
    await publish(EDGES, new Date(NOW.getTime() + 1000), d1.db);
    for (const sort of PRODUCT_SORTS) {
      for (const category of [undefined, "kitchen"]) {
        const indexed = await walk(query(sort, ["fr", "en"], category), d1.db);
        expect(indexed, `${sort} ${category}`).toEqual(await walk({ ...query(sort, ["fr", "en"], category), computed: true }, d1.db));
        expect(indexed.total).toBe(category ? 4 : 25);
      }
    }
    const rows = async () =>
      (
        await d1!.binding
          .prepare("SELECT category, sort, sort_key, typeof(sort_key) AS type, slug FROM product_sort_keys ORDER BY 1, 2, 3, 4, 5")
          .all()
      ).results;
    const published = await rows();
    expect(published).toContainEqual({ category: "", sort: "price:EUR", sort_key: 50, type: "integer", slug: "cheap" });
    await d1.binding.prepare("DELETE FROM product_sort_keys").run();
    const migration = readFileSync(join(MIGRATIONS_DIR, "0013_product_sort_keys.sql"), "utf8").split("--> statement-breakpoint");
    await d1.binding.prepare(migration.at(-1)!.trim()).run();
    expect(await rows()).toEqual(published);
  }, 300_000);
});

describe("the storefront frame's categories", () => {
  it("are every live product's categories, A→Z, read by one index seek per category (no scan of the products')", async () => {
    const { sql, params } = new SQLiteSyncDialect().sqlToQuery(LIVE_CATEGORIES);
    const distinct = () =>
      (
        db.client.prepare("SELECT DISTINCT category FROM published_product_categories ORDER BY category").all() as { category: string }[]
      ).map((r) => r.category);
    const live = () => (db.client.prepare(sql).all(...params) as { category: string }[]).map((r) => r.category);
    expect(distinct()).toEqual(["camping", "footwear", "home", "kitchen", "knitwear", "outerwear"]);
    expect(live()).toEqual(distinct());
    await publish([productDoc("zebra", { title: { en: "ZEBRA rug" }, categories: ["a-first", "zz-last"] })]);
    expect(live()).toEqual(["a-first", ...distinct().slice(1, -1), "zz-last"]);
    expect(live()).toEqual(distinct());
    db.client.prepare("DELETE FROM published_product_categories").run();
    expect(live()).toEqual([]);
    const plan = (db.client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
    for (const line of plan) expect(line).not.toMatch(/^SCAN published_product_categories/);
    expect(plan.filter((l) => /^SEARCH published_product_categories USING COVERING INDEX/.test(l))).toHaveLength(2);
  });
});
