/**
 * What every storefront page shares: the session cookie, the locale (query,
 * then cookie, then Accept-Language), the page frame (locale switcher,
 * categories, promotions banner, cart count, a one-time notice), and the HTML
 * response with its security headers and strong ETag. Pages render through
 * `webRenderer`, the same code path as the API's render endpoint
 * (CHANNELS.md rule 6).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { webRenderer, webWords } from "../../../renderers/web/index";
import { fallbackChain, loadLocales } from "../../catalogue/locales";
import { listLiveMessages, messageView } from "../../catalogue/messages";
import { money } from "../../catalogue/money";
import type { ViewContext } from "../../catalogue/products";
import type { EntityView, WebChrome } from "../../channels/contract";
import { actionResultRenderView } from "../../channels/views";
import { publishedProductCategories } from "../../db/schema";
import { type CartView, cartView, loadCartOf } from "../../journeys/carts";
import { findIdentity } from "../../journeys/customers";
import type { AppEnv } from "../../lib/context";
import { matchesIfNoneMatch, strongEtag } from "../../lib/etag";

export type PageContext = Context<AppEnv>;

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
  const id = sessionId(c);
  if (!id) return null;
  return (await findIdentity(c.get("db"), webIdentity(id)))?.customerId ?? null;
}

/** The page's locale: `?locale=` (remembered in a cookie), else the cookie, else Accept-Language, else the default. */
export async function pageContext(c: PageContext): Promise<ViewContext> {
  const locales = await loadLocales(c.get("db"));
  const known = (code: string | undefined) => (code && locales.byCode.has(code) ? code : undefined);
  const asked = known(c.req.query("locale"));
  if (asked) setCookie(c, LOCALE_COOKIE, asked, cookieOptions(c, 60 * 60 * 24 * 365));
  const locale = asked ?? known(getCookie(c, LOCALE_COOKIE)) ?? negotiated(locales, c.req.header("accept-language"));
  return { locales, locale, chain: fallbackChain(locales, locale), baseUrl: c.get("config").PUBLIC_BASE_URL.replace(/\/+$/, "") };
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

/** The session's cart (empty when it has none). */
export async function sessionCart(c: PageContext, ctx: ViewContext): Promise<CartView> {
  const customer = await sessionCustomer(c);
  const state = customer ? await loadCartOf(c.get("db"), customer) : null;
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

async function liveCategories(c: PageContext): Promise<string[]> {
  const rows = await c
    .get("db")
    .orm.selectDistinct({ category: publishedProductCategories.category })
    .from(publishedProductCategories)
    .orderBy(publishedProductCategories.category);
  return rows.map((r) => r.category);
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
  const here = (params: URLSearchParams) => `${ctx.baseUrl}${path}${params.toString() ? `?${params}` : ""}`;
  const locales = ctx.locales.rows.map((row) => {
    const params = new URLSearchParams(url.searchParams);
    params.set("locale", row.code);
    return { code: row.code, name: row.name, url: here(params), current: row.code === ctx.locale };
  });
  const now = c.get("clock")();
  const promotions = await listLiveMessages(c.get("db"), { limit: BANNER_MAX, kind: "promotion" }, now);
  const banner = promotions.items.map((m) => {
    const view = messageView(m.doc, m, ctx, now);
    return { title: view.title, short: view.short, url: `${ctx.baseUrl}/messages/${view.key}` };
  });
  const categories = [
    { label: webWords(ctx.locale).allProducts, url: `${ctx.baseUrl}/`, current: options.category === null },
    ...(await liveCategories(c)).map((category) => ({
      label: categoryLabel(category),
      url: `${ctx.baseUrl}/categories/${encodeURIComponent(category)}`,
      current: category === options.category,
    })),
  ];
  const cartCount = options.cartCount ?? (await sessionCart(c, ctx)).itemCount;
  return {
    shopName: c.get("config").SMS_BRAND,
    locales,
    categories,
    banner,
    cartCount: cartCount || null,
    query: c.req.query("q") ?? "",
    notice: takeNotice(c),
  } satisfies WebChrome;
}

/**
 * Sends a rendered view as an HTML page. With `etag`, a strong validator of the
 * exact bytes and 304 when the browser has them; session pages are private.
 */
export function sendPage(c: PageContext, view: EntityView, chrome: WebChrome, options: { status?: number; etag?: boolean } = {}) {
  const rendered = webRenderer.render(view, { baseUrl: c.get("config").PUBLIC_BASE_URL.replace(/\/+$/, ""), chrome });
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  c.header("content-language", view.locale);
  c.header("vary", "Accept-Language, Cookie");
  c.header("cache-control", options.etag ? "private, no-cache" : "no-store");
  if (options.etag) {
    const tag = strongEtag(rendered.body);
    c.header("etag", tag);
    if (matchesIfNoneMatch(c.req.header("if-none-match"), tag)) return c.body(null, 304);
  }
  c.header("content-type", rendered.contentType);
  return c.body(rendered.body, (options.status ?? 200) as 200);
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
