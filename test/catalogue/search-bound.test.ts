/**
 * Search stays bounded on common words: past `rankedMatches` matches nothing is scored and the
 * matches come in index order (FTS rowid), with cursors that walk every match exactly once.
 */
import { describe, expect, it } from "vitest";
import { generatedBundle } from "../../bench/catalogue";
import { importContent } from "../../src/catalogue/content";
import { listLiveProducts, RANKED_MATCHES } from "../../src/catalogue/products";
import { decodeCursor } from "../../src/lib/cursor";
import { freshDb } from "../helpers/db";

/** The order a search cursor continues in. */
function order(cursor: string | null): "rank" | "index" {
  const value = decodeCursor("products", cursor ?? "", (v): v is Record<string, string | number> => typeof v.i === "number");
  return "r" in value ? "rank" : "index";
}

async function walk(
  db: Awaited<ReturnType<typeof freshDb>>,
  q: string,
  rankedMatches?: number,
  options: { limit?: number; category?: string } = {},
) {
  const slugs: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listLiveProducts(db, { limit: options.limit ?? 5, q, cursor, rankedMatches, category: options.category });
    slugs.push(...page.items.map((i) => i.doc.slug));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return slugs;
}

describe("search on a common word", () => {
  it("past the bound lists matches in index order, every one exactly once; under it, by relevance", async () => {
    const db = await freshDb();
    const report = await importContent(db, generatedBundle(24), { keyId: null, now: new Date("2026-11-24T12:00:00Z") }, { publish: true });
    expect(report.problems).toEqual([]);
    const byRowid = (
      db.client.prepare(`SELECT slug FROM products_fts WHERE products_fts MATCH '"generated"*' ORDER BY rowid`).all() as { slug: string }[]
    ).map((r) => r.slug);
    expect(byRowid).toHaveLength(24);
    const byRank = (
      db.client.prepare(`SELECT slug FROM products_fts WHERE products_fts MATCH '"merino"* "generated"*' ORDER BY rank, rowid`).all() as {
        slug: string;
      }[]
    ).map((r) => r.slug);

    expect(await walk(db, "generated", 10)).toEqual(byRowid);
    expect(await walk(db, "generated")).toHaveLength(24);
    expect(new Set(await walk(db, "generated")).size).toBe(24);
    expect(await walk(db, "merino generated", 10)).toEqual(byRank);
    // A page larger than the bound: the first page still comes whole, with a cursor to the rest.
    expect(await walk(db, "generated", 3, { limit: 7 })).toEqual(byRowid);
    // Filters narrow the matches before the bound is judged: 4 knitwear products are few enough to rank.
    const knitwear = (
      db.client
        .prepare(
          `SELECT f.slug FROM products_fts f JOIN published_product_categories c ON c.entry_id = f.entry_id AND c.category = 'knitwear'
           WHERE products_fts MATCH '"generated"*' ORDER BY f.rowid`,
        )
        .all() as { slug: string }[]
    ).map((r) => r.slug);
    expect(knitwear).toHaveLength(4);
    expect(await walk(db, "generated", 3, { category: "knitwear", limit: 2 })).toEqual(knitwear);
    expect((await walk(db, "generated", 10, { category: "knitwear", limit: 2 })).sort()).toEqual([...knitwear].sort());
  });

  it("ranks up to RANKED_MATCHES matches and lists a word matching more in index order", async () => {
    expect(RANKED_MATCHES).toBe(250);
    const db = await freshDb();
    const report = await importContent(
      db,
      generatedBundle(RANKED_MATCHES + 1),
      { keyId: null, now: new Date("2026-11-24T12:00:00Z") },
      { publish: true },
    );
    expect(report.problems).toEqual([]);
    const first = await listLiveProducts(db, { limit: 20, q: "generated" });
    const byRowid = (
      db.client.prepare(`SELECT slug FROM products_fts WHERE products_fts MATCH '"generated"*' ORDER BY rowid LIMIT 20`).all() as {
        slug: string;
      }[]
    ).map((r) => r.slug);
    expect(first.items.map((i) => i.doc.slug)).toEqual(byRowid);
    // The cursor says which order the walk is in: index order (`o: "id"`) past the bound, rank (`r`) under it.
    expect(order(first.nextCursor)).toBe("index");
    // A category filter keeps 42 of the 251: few enough to rank by relevance.
    const ranked = await listLiveProducts(db, { limit: 20, q: "generated", category: "knitwear" });
    const byRank = (
      db.client
        .prepare(
          `SELECT f.slug FROM products_fts f JOIN published_product_categories c ON c.entry_id = f.entry_id AND c.category = 'knitwear'
           WHERE products_fts MATCH '"generated"*' ORDER BY rank, f.rowid LIMIT 20`,
        )
        .all() as { slug: string }[]
    ).map((r) => r.slug);
    expect(ranked.items.map((i) => i.doc.slug)).toEqual(byRank);
    expect(order(ranked.nextCursor)).toBe("rank");
  });
});
