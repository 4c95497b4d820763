/**
 * What every storefront page shares: the session cookie, the locale (query,
 * then cookie, then Accept-Language), the page frame (locale switcher,
 * categories, promotions banner, cart count, a one-time notice), and the HTML
 * response with its security headers and strong ETag. Pages render through
 * the registry's web renderer, the same code path as the API's render endpoint
 * (docs/channels.md rule 6).
 */

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { fallbackChain, loadLocales } from "../../catalogue/locales";
import { listLiveMessages, messageView, messageWindows } from "../../catalogue/messages";
import { money } from "../../catalogue/money";
import { liveCategories, type ViewContext } from "../../catalogue/products";
import type { EntityView, WebChrome } from "../../channels/contract";
import { PAGE_PATH, type ProductPageParts, type WebSite } from "../../channels/site";
import { actionResultRenderView } from "../../channels/views";
import { type Database, type Orm, prefetch, sharedRead } from "../../db/client";
import { type CartState, type CartView, cartItemCount, cartOfIdentity, cartView } from "../../journeys/carts";
import { findIdentity } from "../../journeys/customers";
import type { AppEnv } from "../../lib/context";
import { FrequencySketch, fingerprint } from "../../lib/doorkeeper";
import { matchesIfNoneMatch, strongEtag } from "../../lib/etag";
import { Lru } from "../../lib/lru";

export type PageContext = Context<AppEnv>;

/**
 * The web channel's site (frame words, stylesheet, checkout pages), from the registry the app was given:
 * the storefront never imports the web renderer (docs/architecture.md, "Layers").
 */
export function webSite(c: PageContext): WebSite {
  const site = c.get("renderers").web.site;
  if (!site) throw new Error("The web renderer in the registry provides no site (Renderer.site).");
  return site;
}

const SESSION_COOKIE = "unison_session";
const LOCALE_COOKIE = "unison_locale";
const NOTICE_COOKIE = "unison_notice";
/** Promotions shown in the banner: a few, so the frame never outweighs the page. */
const BANNER_MAX = 3;

/**
 * Pages allow their own origin (the stylesheet under /assets/), no inline
 * style and no script at all: the only `<script>` is the JSON-LD data block, which
 * browsers never execute. Forms may post only to the shop.
 */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "strict-origin-when-cross-origin",
  "x-frame-options": "DENY",
};

function cookieOptions(c: PageContext, maxAge: number) {
  // Secure only on https: a local http://127.0.0.1 shop would otherwise never get its cookie back.
  const secure = new URL(c.get("config").PUBLIC_BASE_URL).protocol === "https:";
  return { httpOnly: true, sameSite: "Lax" as const, path: "/", secure, maxAge };
}

/** The opaque session id, if the browser has one. */
export function sessionId(c: PageContext): string | undefined {
  const id = getCookie(c, SESSION_COOKIE);
  return id && /^[A-Za-z0-9_-]{20,64}$/.test(id) ? id : undefined;
}

/** The session id, minting one (128 random bits) and setting its cookie when the browser has none. */
export function ensureSession(c: PageContext): string {
  const existing = sessionId(c);
  if (existing) return existing;
  const id = crypto.randomUUID().replaceAll("-", "");
  setCookie(c, SESSION_COOKIE, id, cookieOptions(c, 60 * 60 * 24 * 180));
  return id;
}

/** The web identity of a session: a customer is resolved from it by the first action. */
export function webIdentity(id: string) {
  return { channel: "web" as const, externalId: id };
}

/** The session's customer, or null while the session has never acted. */
export async function sessionCustomer(c: PageContext): Promise<string | null> {
  return (await sessionRead(c, "session-identity", null, findIdentity))?.customerId ?? null;
}

/**
 * A read of the session's web identity, once per request where a request's reads are shared (`sharedRead`): what
 * a page sends early, with its locales. Without a session cookie: `none`, and no read.
 */
function sessionRead<T>(
  c: PageContext,
  key: string,
  none: T,
  read: (db: Database, identity: ReturnType<typeof webIdentity>) => Promise<T>,
): Promise<T> {
  const id = sessionId(c);
  if (!id) return Promise.resolve(none);
  const db = c.get("db");
  return sharedRead(db, key, () => read(db, webIdentity(id)));
}

/** The page's locale: `?locale=` (remembered in a cookie), else the cookie, else Accept-Language, else the default. */
export async function pageContext(c: PageContext): Promise<ViewContext> {
  const locales = await loadLocales(c.get("db"));
  const known = (code: string | undefined) => (code && locales.byCode.has(code) ? code : undefined);
  const asked = known(c.req.query("locale"));
  if (asked) setCookie(c, LOCALE_COOKIE, asked, cookieOptions(c, 60 * 60 * 24 * 365));
  const locale = asked ?? known(getCookie(c, LOCALE_COOKIE)) ?? negotiated(locales, c.req.header("accept-language"));
  return { locales, locale, chain: fallbackChain(locales, locale), baseUrl: c.get("config").PUBLIC_BASE_URL };
}

function negotiated(locales: ViewContext["locales"], header: string | undefined): string {
  const ranges = (header ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.trim().toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
    })
    .filter((r) => r.tag && Number.isFinite(r.q) && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranges) {
    const match = locales.rows.find((r) => r.code.toLowerCase() === tag) ?? locales.rows.find((r) => r.code === tag.split("-")[0]);
    if (match) return match.code;
  }
  return locales.default.code;
}

/** An empty cart, for a session that has none yet. */
export function emptyCart(ctx: ViewContext): CartView {
  const currency = ctx.locales.byCode.get(ctx.locale)?.currency ?? ctx.locales.default.currency;
  return {
    id: "",
    customer: "",
    version: 0,
    lines: [],
    itemCount: 0,
    subtotal: money(0, currency, ctx.locale),
    priceChanges: false,
    updatedAt: "",
  };
}

/** Whether a form was posted from another site (CSRF): same-site browsers send our own origin. */
export function fromOtherSite(c: PageContext): boolean {
  const origin = c.req.header("origin");
  return origin !== undefined && origin !== new URL(c.get("config").PUBLIC_BASE_URL).origin;
}

/**
 * How many items the session's cart holds: what every page's frame shows. No session cookie: 0, no read. Else one
 * statement, read once per request; on D1 a page sends it with its locales (it does not depend on the locale).
 */
export function sessionCartCount(c: PageContext): Promise<number> {
  return sessionRead(c, "session-cart-count", 0, cartItemCount);
}

/**
 * The session's cart and its lines as stored (null when the session has none), read once per request where a
 * request's reads are shared: what a page that shows the cart sends early, with the locales (`page`'s `cart`).
 */
export function sessionCartState(c: PageContext): Promise<CartState | null> {
  return sessionRead(c, "session-cart", null, cartOfIdentity);
}

/** The session's cart (empty when it has none). */
export async function sessionCart(c: PageContext, ctx: ViewContext): Promise<CartView> {
  const state = await sessionCartState(c);
  return state ? cartView(c.get("db"), state, ctx) : emptyCart(ctx);
}

/** A notice shown once on the next page (the confirmation of an action, after its redirect). */
export function setNotice(c: PageContext, text: string) {
  setCookie(c, NOTICE_COOKIE, encodeURIComponent(text.slice(0, 300)), cookieOptions(c, 60));
}

function takeNotice(c: PageContext): string | null {
  const raw = getCookie(c, NOTICE_COOKIE);
  if (raw === undefined) return null;
  deleteCookie(c, NOTICE_COOKIE, { path: "/" });
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/**
 * What every page's frame shares in one locale: the categories (`liveCategories`) and the
 * live promotions. Remembered per locale until the database changes
 * (its change stamp) or the next time a promotion starts or ends, whichever comes first; where the
 * driver has no stamp (D1) it is read once per request.
 */
interface SharedFrame {
  categories: string[];
  banner: WebChrome["banner"];
  /** When a promotion next starts or ends (ms since the epoch), or Infinity. */
  validUntil: number;
}

const frames = new WeakMap<Orm, Lru<SharedFrame & { stamp: string }>>();

async function sharedFrame(c: PageContext, ctx: ViewContext): Promise<SharedFrame> {
  const db = c.get("db");
  const now = c.get("clock")();
  const stamp = db.changeStamp?.();
  const key = `${ctx.locale}|${ctx.chain.join(">")}|${ctx.baseUrl}`;
  // No stamp (D1): its rows are read once per request ({@link frameRows}), a storefront GET's with its locales.
  if (stamp === undefined) return loadFrame(db, ctx, now);
  let memo = frames.get(db.orm);
  const hit = memo?.get(key);
  if (hit && hit.stamp === stamp && now.getTime() < hit.validUntil) return hit;
  const frame = await loadFrame(db, ctx, now);
  if (!memo) {
    memo = new Lru(64);
    frames.set(db.orm, memo);
  }
  memo.set(key, { ...frame, stamp });
  return frame;
}

/**
 * What a frame is drawn from in any locale: the live promotions, the categories, the promotions' windows. Where the
 * driver has no change stamp (D1) a read request sends these once ({@link sharedRead}), and a storefront GET sends
 * them with its locales ({@link prefetchFrame}): three statements that wait for nothing.
 */
function frameRows(db: Database, now: Date) {
  return sharedRead(db, "frame-rows", () =>
    Promise.all([listLiveMessages(db, { limit: BANNER_MAX, kind: "promotion" }, now), liveCategories(db), messageWindows(db, "promotion")]),
  );
}

/** Sends a page's frame reads now where they are round trips of this request's own (D1's read views); else nothing. */
export function prefetchFrame(c: PageContext): void {
  const db = c.get("db");
  prefetch(db, () => frameRows(db, c.get("clock")()));
}

async function loadFrame(db: Database, ctx: ViewContext, now: Date): Promise<SharedFrame> {
  const [promotions, categories, windows] = await frameRows(db, now);
  const banner = promotions.items.map((m) => {
    const view = messageView(m.doc, m, ctx, now);
    return { title: view.title, short: view.short, url: `${ctx.baseUrl}/messages/${view.key}` };
  });
  return { categories, banner, validUntil: nextBoundary(windows, now) };
}

/** The first instant after `now` at which one of these validity windows opens or closes (Infinity when none does). */
export function nextBoundary(windows: { startsAt: string | null; endsAt: string | null }[], now: Date): number {
  let next = Number.POSITIVE_INFINITY;
  for (const { startsAt, endsAt } of windows) {
    for (const at of [startsAt, endsAt]) {
      const t = at ? Date.parse(at) : Number.NaN;
      if (t > now.getTime() && t < next) next = t;
    }
  }
  return next;
}

/** A category slug as a label: `camp-kitchen` → `Camp kitchen`. */
export function categoryLabel(category: string): string {
  const words = category.replaceAll("-", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The frame of a page: switchers, banner and cart count for this session, in this locale. */
export async function chromeFor(c: PageContext, ctx: ViewContext, options: { category?: string | null; cartCount?: number } = {}) {
  const url = new URL(c.req.url);
  // A page answering a form post has no address of its own to reload in another language: the switcher goes home.
  const path = c.req.method === "POST" ? "/" : url.pathname;
  const frame = await sharedFrame(c, ctx);
  const cartCount = options.cartCount ?? (await sessionCartCount(c));
  return drawChrome(c, ctx, frame, {
    path,
    search: url.searchParams,
    category: options.category,
    cartCount,
    query: c.req.query("q") ?? "",
    notice: takeNotice(c),
  });
}

function drawChrome(
  c: PageContext,
  ctx: ViewContext,
  frame: SharedFrame,
  page: {
    path: string;
    search: URLSearchParams;
    category: string | null | undefined;
    cartCount: number;
    query: string;
    notice: string | null;
  },
): WebChrome {
  const here = (params: URLSearchParams) => `${ctx.baseUrl}${page.path}${params.toString() ? `?${params}` : ""}`;
  const locales = ctx.locales.rows.map((row) => {
    const params = new URLSearchParams(page.search);
    params.set("locale", row.code);
    return { code: row.code, name: row.name, url: here(params), current: row.code === ctx.locale };
  });
  const categories = [
    { label: webSite(c).words(ctx.locale).allProducts, url: `${ctx.baseUrl}/`, current: page.category === null },
    ...frame.categories.map((category) => ({
      label: categoryLabel(category),
      url: `${ctx.baseUrl}/categories/${encodeURIComponent(category)}`,
      current: category === page.category,
    })),
  ];
  return {
    shopName: c.get("config").SMS_BRAND,
    locales,
    categories,
    banner: frame.banner,
    cartCount: page.cartCount || null,
    query: page.query,
    notice: page.notice,
  };
}

/** Product pages' frames, drawn once per shared frame (so per change stamp), cart count, shop name and words. */
const productFrames = new WeakMap<SharedFrame, Map<string, WebChrome>>();

/**
 * The frame of a product page composed from stored parts, and the path `compose` fills in. A plain GET (no query
 * but `locale`, no notice) gets the one frame every product page of its locale and cart count shares: its switcher's addresses
 * hold `PAGE_PATH`, and the web renderer draws that frame once, not per page (renderers/web/index.ts, `framePlan`).
 */
export async function productChrome(c: PageContext, ctx: ViewContext, cartCount: number): Promise<{ chrome: WebChrome; path?: string }> {
  const url = new URL(c.req.url);
  // A query of `locale` alone (the switcher's own links) draws the same frame: the switcher sets `locale` anyway.
  const plain = url.search === "" || [...url.searchParams.keys()].every((name) => name === "locale");
  if (c.req.method === "POST" || !plain || getCookie(c, NOTICE_COOKIE) !== undefined || c.get("db").changeStamp === undefined) {
    return { chrome: await chromeFor(c, ctx, { cartCount }) };
  }
  const frame = await sharedFrame(c, ctx);
  let byCart = productFrames.get(frame);
  if (!byCart) {
    byCart = new Map();
    productFrames.set(frame, byCart);
  }
  const key = `${cartCount}|${c.get("config").SMS_BRAND}|${webSite(c).words(ctx.locale).allProducts}`;
  let chrome = byCart.get(key);
  if (!chrome) {
    chrome = drawChrome(c, ctx, frame, {
      path: PAGE_PATH,
      search: new URLSearchParams(),
      category: undefined,
      cartCount,
      query: "",
      notice: null,
    });
    // Bounded: one frame per cart size seen; more than a few dozen only stop being kept.
    if (byCart.size < 64) byCart.set(key, chrome);
  }
  return { chrome, path: url.pathname };
}

/** A rendered page: its bytes as text, their strong validator, and until when it may be served again. */
export interface RenderedPage {
  /** Text as rendered; UTF-8 bytes once remembered (half the memory of a two-byte string, and sent without encoding). */
  body: string | Uint8Array<ArrayBuffer>;
  contentType: string;
  locale: string;
  etag: string;
  /** The next instant its content changes by itself (a promotion or message window), or Infinity. */
  validUntil: number;
}

/** Renders a view inside its frame (the same code path as the API's render endpoint). */
export function renderPage(c: PageContext, view: EntityView, chrome: WebChrome, validUntil = Number.POSITIVE_INFINITY): RenderedPage {
  const rendered = c.get("renderers").web.render(view, { baseUrl: c.get("config").PUBLIC_BASE_URL, chrome });
  return { body: rendered.body, contentType: rendered.contentType, locale: view.locale, etag: strongEtag(rendered.body), validUntil };
}

/** A product page from its stored parts (src/channels/pages.ts) in this request's frame: the bytes `renderPage` gives. */
export function composePage(c: PageContext, parts: ProductPageParts, frame: { chrome: WebChrome; path?: string }): RenderedPage {
  const pages = webSite(c).productPages;
  if (!pages) throw new Error("The web renderer in the registry cannot compose stored pages (WebSite.productPages).");
  const body = pages.compose(parts, { baseUrl: c.get("config").PUBLIC_BASE_URL, ...frame });
  return {
    body,
    contentType: pages.contentType,
    locale: parts.locale,
    etag: strongEtag(body),
    validUntil: Number.POSITIVE_INFINITY,
  };
}

/**
 * Pages are remembered whole, rendered, as UTF-8, per database, within PAGE_CACHE_BYTES (6 MiB by default): the
 * budget, not the catalogue, bounds memory (a 1,000-product catalogue's product pages take about 3.5 MB).
 */
const UTF8 = new TextEncoder();

type KeptPage = RenderedPage & { body: Uint8Array<ArrayBuffer>; stamp: string; fp: number };

/** A database's remembered pages within `bytes` (PAGE_CACHE_BYTES), and how often each address was asked for lately (for admission). */
interface PageMemo {
  bytes: number;
  /** At most a page per 1.5 kB of the budget (4,096 in the default 6 MiB): a page is 5–20 kB. */
  most: number;
  entries: Lru<KeptPage>;
  frequency: FrequencySketch;
}

function pageMemo(db: Database, bytes: number): PageMemo {
  let memo = pages.get(db.orm);
  if (memo?.bytes !== bytes) {
    const most = Math.max(16, Math.floor(bytes / 1536));
    memo = {
      bytes,
      most,
      entries: new Lru<KeptPage>(most, { maxWeight: bytes, weigh: weighPage }),
      frequency: new FrequencySketch(most * 4),
    };
    pages.set(db.orm, memo);
  }
  return memo;
}

const pages = new WeakMap<Orm, PageMemo>();
/** What a page weighs against the budget: its bytes (its text's length before it is encoded: at most its UTF-8 bytes), its tag, bookkeeping. */
const weighPage = (p: RenderedPage) => (typeof p.body === "string" ? p.body.length : p.body.byteLength) + p.etag.length + 128;

/**
 * Whether a page not in the memo is kept: always while there is room; once full, only when its address was asked
 * for more often lately than the least recently used page it would evict (TinyLFU, as the response cache admits:
 * src/lib/response-cache.ts). Pages of a catalogue far larger than the memo, asked for evenly, then cost no
 * eviction and leave no old-generation garbage behind.
 */
function admits(memo: PageMemo, page: RenderedPage, fp: number): boolean {
  const { entries, frequency } = memo;
  // Weighed before it is encoded (the budget is checked again once it is).
  const weight = weighPage(page);
  if (weight > memo.bytes) return false;
  if (entries.size < memo.most && entries.weight + weight <= memo.bytes) return true;
  const victim = entries.oldest();
  return victim === undefined || frequency.estimate(fp) > frequency.estimate(entries.peek(victim)?.fp ?? 0);
}

/**
 * A GET page from memory while nothing it shows can have changed: the same address (path and
 * query), locale and cart count, the database's change stamp unchanged, before its `validUntil`,
 * and no one-time notice to show. Otherwise `build` renders it (and it is kept, within a byte
 * budget, by {@link admits}). The page's own lookups (product, stock, actions) and its frame are then skipped; only
 * the session's cart count is read per request, and a request without a session reads nothing. `Cache-Status`
 * (RFC 9211) says what the memo did, as the response cache says it for the API.
 */
export async function memoPage(
  c: PageContext,
  ctx: ViewContext,
  build: (cartCount: number) => Promise<RenderedPage>,
): Promise<RenderedPage> {
  const db = c.get("db");
  const stamp = db.changeStamp?.();
  const cartCount = await sessionCartCount(c);
  const bytes = c.get("config").PAGE_CACHE_BYTES;
  if (stamp === undefined || bytes === 0 || getCookie(c, NOTICE_COOKIE) !== undefined) return build(cartCount);
  const url = c.req.url;
  const key = `${url.slice(url.indexOf("/", url.indexOf("//") + 2))}|${ctx.locale}|${cartCount}|${ctx.baseUrl}|${c.get("config").SMS_BRAND}`;
  const memo = pageMemo(db, bytes);
  const fp = fingerprint(key);
  memo.frequency.increment(fp);
  const held = memo.entries.get(key);
  if (held && held.stamp === stamp && c.get("clock")().getTime() < held.validUntil) {
    c.header("cache-status", "unison; hit");
    return held;
  }
  const built = await build(cartCount);
  const frame = await sharedFrame(c, ctx);
  const validUntil = Math.min(built.validUntil, frame.validUntil);
  const forward = held ? "unison; fwd=stale" : "unison; fwd=uri-miss";
  // A stale page is always replaced; a new one only when admitted. A page not kept goes out as the text it is:
  // encoding every miss into bytes of its own made a miss dearer than no memo at all (at 100,000 products, 32
  // connections, uniform slugs: 12 % more server CPU per product page than this, `npm run bench:against`).
  if (!held && !admits(memo, built, fp)) {
    c.header("cache-status", forward);
    return { ...built, validUntil };
  }
  // Its bytes, encoded once: sending the text would encode it again.
  const kept: KeptPage = { ...built, body: UTF8.encode(built.body as string), validUntil, stamp, fp };
  if (weighPage(kept) > memo.bytes) {
    // Larger than the whole budget: not kept, and the stale page it replaces goes.
    memo.entries.delete(key);
    c.header("cache-status", forward);
    return kept;
  }
  memo.entries.set(key, kept);
  c.header("cache-status", `${forward}; stored`);
  return kept;
}

/**
 * Sends a rendered page. With `etag`, a strong validator of the exact bytes and 304 when the
 * browser has them; session pages are private.
 */
export function respondPage(c: PageContext, page: RenderedPage, options: { status?: number; etag?: boolean } = {}) {
  for (const name in SECURITY_HEADERS) c.header(name, SECURITY_HEADERS[name as keyof typeof SECURITY_HEADERS]);
  c.header("content-language", page.locale);
  c.header("vary", "Accept-Language, Cookie");
  c.header("cache-control", options.etag ? "private, no-cache" : "no-store");
  if (options.etag) {
    c.header("etag", page.etag);
    if (matchesIfNoneMatch(c.req.header("if-none-match"), page.etag)) return c.body(null, 304);
  }
  c.header("content-type", page.contentType);
  return c.body(page.body, (options.status ?? 200) as 200);
}

/** Sends a rendered view as an HTML page (see {@link respondPage}). */
export function sendPage(c: PageContext, view: EntityView, chrome: WebChrome, options: { status?: number; etag?: boolean } = {}) {
  return respondPage(c, renderPage(c, view, chrome), options);
}

/** An error page (404, 403, a refused action): the action_result view, not ok, with the problem's text. */
export async function sendProblem(c: PageContext, ctx: ViewContext, status: number, title: string, text: string) {
  const view = actionResultRenderView({
    action: "page",
    title,
    text,
    ok: false,
    locale: ctx.locale,
    url: `${ctx.baseUrl}${new URL(c.req.url).pathname}`,
  });
  return sendPage(c, view, await chromeFor(c, ctx), { status });
}
