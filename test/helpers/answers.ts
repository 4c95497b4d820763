/**
 * The oracle of stored answers (src/catalogue/answers.ts): what `GET /v1/products/{slug}` would send if
 * nothing were stored — the product's row read, its view built, serialized — for a locale and base URL.
 */
import { expect } from "vitest";
import { answerBasis, withBase } from "../../src/catalogue/answers";
import { fallbackChain, loadLocales } from "../../src/catalogue/locales";
import { findLiveProduct, productView } from "../../src/catalogue/products";
import type { Database } from "../../src/db/client";
import { strongEtag } from "../../src/lib/etag";
import type { SqliteDatabase } from "../../src/node/sqlite";

/** The answer built from the product's row, as the read builds it when no stored answer is usable. */
export async function builtAnswer(db: Database, slug: string, locale: string, baseUrl: string): Promise<string | null> {
  const live = await findLiveProduct(db, slug);
  if (!live) return null;
  const locales = await loadLocales(db);
  return JSON.stringify(productView(live.doc, live.stock, live, { locales, locale, chain: fallbackChain(locales, locale), baseUrl }));
}

/** The product's stored answers, locale → body (with the base URL's mark), whatever their basis. */
export function storedAnswers(db: SqliteDatabase, slug: string): Record<string, { basis: string; body: string }> {
  const rows = db.client.prepare("SELECT locale, basis, body FROM product_answers WHERE slug = ?").all(slug) as {
    locale: string;
    basis: string;
    body: string;
  }[];
  return Object.fromEntries(rows.map((r) => [r.locale, { basis: r.basis, body: r.body }]));
}

/**
 * For every active locale: the API's bytes and ETag are the built answer's, and (unless `stored` is false) a
 * stored answer under the current locale set exists and, with the base URL filled in, is those same bytes.
 */
export async function expectAnswersAreBuilt(
  db: SqliteDatabase,
  request: (path: string) => Promise<Response>,
  slug: string,
  baseUrl: string,
  stored = true,
): Promise<void> {
  const locales = await loadLocales(db);
  const kept = storedAnswers(db, slug);
  for (const { code } of locales.rows) {
    const built = await builtAnswer(db, slug, code, baseUrl);
    expect(built, `${slug} ${code}`).not.toBeNull();
    const res = await request(`/v1/products/${slug}?locale=${code}`);
    expect(res.status, `${slug} ${code}`).toBe(200);
    expect(await res.text(), `${slug} ${code}: the bytes sent`).toBe(built);
    expect(res.headers.get("etag"), `${slug} ${code}: the tag sent`).toBe(strongEtag(built!));
    if (stored) {
      expect(kept[code]?.basis, `${slug} ${code}: stored for this locale set`).toBe(answerBasis(locales));
      expect(withBase(kept[code]!.body, baseUrl), `${slug} ${code}: the stored bytes`).toBe(built);
    }
  }
}
