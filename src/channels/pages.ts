/**
 * Stored product pages: a product page's head and main section, rendered once per locale by the web renderer
 * and stored next to its answer (`product_answers.page`, migrations/0016); the storefront composes the frame of
 * each request (switcher, banner, categories, cart count, notice) around them. At 100,000 products a product
 * page is almost never remembered in memory, and rendering it (parse the document and the stock, build the
 * view, run the templates) cost three times reading the row it comes from.
 *
 * What keeps a stored page equal to the page a whole render gives, byte for byte:
 * - **The row.** The answer's triggers (migrations/0015) drop it with the answer whenever the product's row is
 *   written (publish, rollback, unpublish, a stock move), and the insert writes it only while the row holds
 *   what it was built from (src/catalogue/answers.ts).
 * - **The rest of what it shows.** Its basis ({@link pagesBasis}) names the locale set (as the answer's does),
 *   the live actions (their revisions: a relabelled or withdrawn action changes every page) and the web
 *   renderer's format (a hash of its template sources and a version of its page context). A page stored under
 *   another basis is never composed; the outbound tick marks those products due and rebuilds them a batch at a
 *   time (src/catalogue/products.ts `markStalePages`), while reads render pages whole.
 * - **The base URL.** Parts hold the answers' mark where the base URL goes; it is filled in only for a base URL
 *   that HTML and JSON escaping leave as it is ({@link PLAIN_BASE}) and that ends without a slash; any other base
 *   URL renders pages whole.
 * - **The cut.** `compose(parts(view))` equals `render(view)` (test/channels/pages.test.ts).
 */
import { answerBasis, type PageBuilder, storedPage } from "../catalogue/answers";
import type { LocaleSet } from "../catalogue/locales";
import type { ViewContext } from "../catalogue/products";
import type { Database, Orm } from "../db/client";
import { strongEtag } from "../lib/etag";
import { catalogueActions, catalogueStamp, productForDisplay, productSource } from "./load";
import type { ProductPageParts, ProductPages, WebSite } from "./site";

/**
 * A base URL that reads the same raw, HTML-escaped (Handlebars escapes `& < > " ' \` =`), in a JSON string (`"`,
 * `\`, controls) and in a script's JSON (`< > &`, U+2028, U+2029): ASCII letters, digits and the URL punctuation
 * none of those escape.
 */
const PLAIN_BASE = /^[A-Za-z0-9:/?#[\]@!$()*+,;%._~-]*$/;

const remembered = new WeakMap<Orm, { stamp: string; rows: LocaleSet["rows"]; format: string; basis: string }>();

/**
 * What a product's stored pages depend on besides its row: the answers' basis (locale set, formats), the live
 * actions' revisions and the renderer's format. Remembered per database until its change stamp moves.
 */
export async function pagesBasis(db: Database, set: LocaleSet, format: string): Promise<string> {
  const stamp = db.changeStamp?.();
  const hit = remembered.get(db.orm);
  if (stamp !== undefined && hit && hit.stamp === stamp && hit.rows === set.rows && hit.format === format) return hit.basis;
  const basis = strongEtag(`${answerBasis(set)}\n${format}\n${await catalogueStamp(db)}`);
  if (stamp !== undefined) remembered.set(db.orm, { stamp, rows: set.rows, format, basis });
  return basis;
}

/** The page builder `refreshProductAnswers` stores pages with, when the web renderer can cut its pages; else undefined. */
export function pageBuilder(site: WebSite | undefined): PageBuilder | undefined {
  const pages = site?.productPages;
  if (!pages) return undefined;
  return {
    basis: (db, set) => pagesBasis(db, set, pages.format),
    async build(db, live, ctx) {
      const source = productSource(live.doc, live.stock, live, ctx, await catalogueActions(db, ctx));
      const parts = pages.parts(productForDisplay(source, "web"), ctx.baseUrl);
      return parts ? JSON.stringify(parts) : null;
    },
  };
}

/** A live product's stored page parts in this locale and base URL, or null: render the page whole. */
export async function storedProductPage(
  db: Database,
  slug: string,
  ctx: ViewContext,
  pages: ProductPages | undefined,
): Promise<ProductPageParts | null> {
  // A trailing slash (a caller's own base URL; the configuration drops it): the renderer strips it from the URLs it
  // makes, the view would keep it, and the one mark cannot stand for both.
  if (!pages || !PLAIN_BASE.test(ctx.baseUrl) || ctx.baseUrl.endsWith("/")) return null;
  // The basis (on D1 a read of the live actions) and the row at once: one round trip's wait, not two.
  const text = await storedPage(db, slug, ctx.locale, pagesBasis(db, ctx.locales, pages.format), ctx.baseUrl);
  return text === null ? null : (JSON.parse(text) as ProductPageParts);
}
