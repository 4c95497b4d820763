/**
 * Search stays bounded on common words: past `rankedMatches` matches nothing is scored and the
 * matches come in index order (FTS rowid), with cursors that walk every match exactly once.
 */
import { describe, expect, it } from "vitest";
import { generatedBundle } from "../../bench/catalogue";
import { importContent } from "../../src/catalogue/content";
import { listLiveProducts } from "../../src/catalogue/products";
import { freshDb } from "../helpers/db";

async function walk(db: Awaited<ReturnType<typeof freshDb>>, q: string, rankedMatches?: number) {
  const slugs: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listLiveProducts(db, { limit: 5, q, cursor, rankedMatches });
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
  });
});
