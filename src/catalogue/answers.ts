/**
 * Stored delivery answers: a live product's `GET /v1/products/{slug}` JSON per locale, kept ready to send in
 * `product_answers` (migrations/0015). At 100,000 products a uniform random read is almost never remembered in
 * memory, and building its answer (parse the document and the stock, build the view, serialize, hash) cost more
 * than reading the row; reading a stored answer costs one seek and one row.
 *
 * What keeps a stored answer equal to the one the row would build, byte for byte:
 * - **The row.** Triggers delete a product's answers whenever its `published_products` row is inserted, updated
 *   or deleted — by any code path, in the same unit as the write. An answer is written only if the row still
 *   holds exactly what it was built from (entry, slug, revision, publication time, stock and document are
 *   compared in the insert itself), so a write that lands between the read and the insert leaves nothing stale.
 * - **The locales.** `basis` names the locale set the answer was built with ({@link answerBasis}); a read under
 *   another set (a locale added, a currency or fallback changed) ignores it and builds the answer from the row.
 * - **The base URL.** Answers hold {@link BASE_MARK} where the server's `PUBLIC_BASE_URL` goes, filled in on
 *   read, so the CLI that imports and the server that reads need not agree on it.
 *
 * Nothing is written on a read: answers are written after the writes that move a row (publish, rollback, a
 * stock move, an import; src/catalogue/products.ts `refreshProductAnswers`), and a read that finds none builds
 * the answer as it always did.
 */
import { and, eq, sql } from "drizzle-orm";
import { type Database, prepared, raw, type Statement } from "../db/client";
import { productAnswers } from "../db/schema";
import { strongEtag } from "../lib/etag";
import type { LocaleSet } from "./locales";
import { money } from "./money";
import type { LiveProduct, ViewContext } from "./products";

/**
 * Where a stored answer holds the base URL: U+FDD0, a Unicode noncharacter (reserved for a program's internal
 * use, never interchanged). `JSON.stringify` leaves it as it is, so it stands in the JSON text as one character.
 * A product whose document contains it gets no stored answer ({@link canStore}).
 */
export const BASE_MARK = "\uFDD0";

/**
 * The version of the bytes this code builds for an answer. It is part of every {@link answerBasis}, so after an
 * upgrade that builds them differently (a field added to the product view, a price formatted another way) the
 * answers an older release stored are ignored by reads at once, then dropped and rebuilt
 * (src/catalogue/products.ts `maintainAnswers`). test/catalogue/answer-format.test.ts fails when the bytes of a
 * fixed product change while this number does not.
 */
export const ANSWER_FORMAT = 1;

const bases = new WeakMap<LocaleSet["rows"], string>();

/**
 * What an answer depends on besides its row and the base URL: the {@link ANSWER_FORMAT}, every column of every
 * active locale as read, and how this runtime formats money in each (its ICU data: an amount in the locale's
 * currency and in the default one). A Node.js upgrade whose ICU groups `1 234,56 €` with a narrow no-break space
 * (U+202F) where the last used a no-break space (U+00A0) changes the prices in every answer; the basis changes too.
 */
export function answerBasis(set: LocaleSet, format = ANSWER_FORMAT): string {
  let basis = format === ANSWER_FORMAT ? bases.get(set.rows) : undefined;
  if (basis === undefined) {
    const formats = set.rows.map((r) => [
      money(123_456, r.currency, r.code).formatted,
      money(123_456, set.default.currency, r.code).formatted,
    ]);
    basis = strongEtag(`${format}\n${JSON.stringify(set.rows)}\n${JSON.stringify(formats)}`);
    if (format === ANSWER_FORMAT) bases.set(set.rows, basis);
  }
  return basis;
}

/**
 * The marks stored answers and pages use (U+FDD0–U+FDEF, the noncharacters of the Arabic block): the base URL's,
 * and the cut between a page's head and main (renderers/web/index.ts).
 */
const MARKS = /[\uFDD0-\uFDEF]/;

/** Whether a document's answers can be stored: its text holds none of the marks stored answers and pages use. */
export function canStore(document: string): boolean {
  return !MARKS.test(document);
}

let lastBase: { url: string; json: string } | undefined;

/**
 * A stored answer with the base URL in place of each mark, escaped as `JSON.stringify` escapes it. Joined from the
 * slices between marks (a product's answer has one or a few): `split` + `join` cost 3 µs of a read at 100,000 products.
 */
export function withBase(stored: string, baseUrl: string): string {
  if (lastBase?.url !== baseUrl) lastBase = { url: baseUrl, json: JSON.stringify(baseUrl).slice(1, -1) };
  let text = "";
  let from = 0;
  for (let at = stored.indexOf(BASE_MARK); at !== -1; at = stored.indexOf(BASE_MARK, from)) {
    text += stored.slice(from, at) + lastBase.json;
    from = at + 1;
  }
  return from === 0 ? stored : text + stored.slice(from);
}

/**
 * A product's stored answer in `locale` with the base URL filled in, or null when there is none for this
 * locale set (the caller builds it from the row).
 */
export function storedAnswer(db: Database, slug: string, locale: string, set: LocaleSet, baseUrl: string): Promise<string | null> {
  return storedText(db, "answer", slug, locale, answerBasis(set), baseUrl);
}

/**
 * A product's stored page in `locale` with the base URL filled in, or null when none was stored under `basis` (the
 * caller renders the page whole). `baseUrl` must read the same escaped as raw (src/channels/pages.ts checks it).
 * A `basis` still being read is awaited alongside the row: on D1 the two statements are in flight at once.
 */
export function storedPage(
  db: Database,
  slug: string,
  locale: string,
  basis: string | Promise<string>,
  baseUrl: string,
): Promise<string | null> {
  return storedText(db, "page", slug, locale, basis, baseUrl);
}

/** Which columns of a product's stored row hold each kind of stored text, and the basis it was stored under. */
const STORED = {
  answer: { basis: productAnswers.basis, text: productAnswers.body },
  page: { basis: productAnswers.pageBasis, text: productAnswers.page },
};

/** A stored text of a product in `locale` (one seek, a prepared read), base URL filled in; null unless stored under `basis`. */
async function storedText(
  db: Database,
  kind: keyof typeof STORED,
  slug: string,
  locale: string,
  basis: string | Promise<string>,
  baseUrl: string,
): Promise<string | null> {
  const query = prepared(db, `product-${kind}`, (orm) =>
    orm
      .select(STORED[kind])
      .from(productAnswers)
      .where(and(eq(productAnswers.slug, sql.placeholder("slug")), eq(productAnswers.locale, sql.placeholder("locale"))))
      .prepare(),
  );
  const [[row], expected] = await Promise.all([query.all({ slug, locale }), basis]);
  return row?.text && row.basis === expected ? withBase(row.text, baseUrl) : null;
}

/** The live row an answer was built from, as read: the insert writes it only while the row still holds exactly this. */
export interface AnswerSource {
  entryId: string;
  slug: string;
  revision: number;
  publishedAt: string;
  stock: string;
  document: string;
}

/**
 * Builds a live product's stored web page (src/channels/pages.ts) next to its answers: the catalogue layer knows
 * no renderer, so whoever refreshes answers with a registry at hand passes one.
 */
export interface PageBuilder {
  /** What the pages built now depend on besides their row (locale set, live actions, the renderer's format). */
  basis(db: Database, set: LocaleSet): Promise<string>;
  /** A product's page in `ctx` (its base URL is {@link BASE_MARK}) as stored text, or null to render it whole. */
  build(db: Database, live: LiveProduct, ctx: ViewContext): Promise<string | null>;
}

/** A product's stored pages: the basis they were built under, and each locale's (null: none, rendered whole). */
export interface StoredPages {
  basis: string;
  pages: Record<string, string | null>;
}

/**
 * Writes a product's answers (locale → JSON with {@link BASE_MARK}) and, when built, its pages if its row still
 * holds `source`; else nothing. Without pages the row's page basis is '' (due again once a renderer is at hand).
 */
export function storeAnswersStatement(
  source: AnswerSource,
  basis: string,
  answers: Record<string, string>,
  pages: StoredPages = { basis: "", pages: {} },
): Statement {
  return raw(sql`INSERT OR REPLACE INTO product_answers (slug, locale, basis, body, page_basis, page)
    SELECT ${source.slug}, a.key, ${basis}, a.value, ${pages.basis}, json_extract(${JSON.stringify(pages.pages)}, '$."' || a.key || '"')
    FROM json_each(${JSON.stringify(answers)}) a
    WHERE EXISTS (SELECT 1 FROM published_products p WHERE p.slug = ${source.slug} AND p.entry_id = ${source.entryId}
      AND p.revision_number = ${source.revision} AND p.published_at = ${source.publishedAt}
      AND p.stock = ${source.stock} AND p.document = ${source.document})`);
}
