/**
 * The storefront: the web channel's own pages, server-rendered by the web
 * renderer from the same views the API renders. Plain `app.get`/`app.post`
 * (pages, not API operations, so they stay out of the OpenAPI document).
 *
 * Every action button posts a form to `POST /actions/:key`, which runs the
 * action through `invokeAction` like every other channel and answers with a
 * 303 (post/redirect/get), so the shop works without JavaScript.
 */
import { listDeliveryOptions } from "../../catalogue/delivery";
import { liveMessageOnce } from "../../catalogue/messages";
import {
  findLiveProduct,
  listLiveProducts,
  listOrderedProducts,
  PRODUCT_SORTS,
  type ProductSort,
  type ViewContext,
} from "../../catalogue/products";
import type { ActionResultRenderView, WebChrome } from "../../channels/contract";
import {
  catalogueActions,
  listedProducts,
  messageForChannel,
  messageSource,
  prefetchActions,
  productForDisplay,
  productSource,
} from "../../channels/load";
import { storedProductPage } from "../../channels/pages";
import { actionResultRenderView, cartRenderView, orderRenderView, productListRenderView } from "../../channels/views";
import { refusalText, wording } from "../../channels/wording";
import { prefetch, sharedRead } from "../../db/client";
import { HandoffCode, HandoffIdentityTaken, type HandoffPreview, previewHandoff, redeemHandoff } from "../../journeys/handoffs";
import { invokeAction } from "../../journeys/invoke";
import { findCustomerOrder, orderView } from "../../journeys/orders";
import type { Router } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { registerCheckoutRoutes } from "./checkout.index";
import {
  categoryLabel,
  chromeFor,
  composePage,
  ensureSession,
  fromOtherSite,
  memoPage,
  nextBoundary,
  type PageContext,
  pageContext,
  prefetchFrame,
  productChrome,
  renderPage,
  respondPage,
  sendPage,
  sendProblem,
  sessionCart,
  sessionCartCount,
  sessionCartState,
  sessionCustomer,
  sessionId,
  setNotice,
  webIdentity,
  webSite,
} from "./storefront.pages";

/** Products per catalogue page (and per search page). */
const PAGE_SIZE = 12;
/** The API key id the storefront's actions are recorded under (idempotency scope, timeline). */
const STOREFRONT_KEY = "storefront";
/** Form fields that the action schemas take as numbers. */
const NUMERIC_FIELDS = new Set(["quantity", "score", "likelihood"]);
/** Read-only actions: their confirmation is the page they lead to, no notice needed. */
const VIEWS = new Set(["view_product", "view_cart", "order_status"]);

/** The stored response of an action, as far as the storefront reads it: the result and reply, or a problem (RFC 9457). */
interface OutcomeBody {
  result?: { order?: { number?: string } };
  reply?: { text?: string };
  title?: string;
  detail?: string;
}

export type PageHandler = (c: PageContext, ctx: ViewContext) => Promise<Response>;

/** Runs a page handler; a client error (unknown slug, bad cursor, refused action) becomes an HTML page with its status. */
function page(handler: PageHandler, reads: PageReads = {}) {
  return async (c: PageContext) => {
    // Where each read is a round trip (D1), what the page reads whatever its locale goes out with the locales:
    // its frame, the session's cart count (or its whole cart), the live actions' stamp (and, on a cold isolate, the
    // actions) unless it draws no actions (a product's stored page is checked against the stamp too), and its own
    // `early` read. Elsewhere nothing is sent here.
    const db = c.get("db");
    prefetchFrame(c);
    prefetch(db, () => (reads.cart ? sessionCartState(c) : sessionCartCount(c)));
    if (reads.actions !== false) prefetchActions(db);
    if (reads.early) prefetch(db, () => reads.early!(c));
    const ctx = await pageContext(c);
    try {
      return await handler(c, ctx);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status >= 500) throw error;
      const words = webSite(c).words(ctx.locale);
      return error.status === 404
        ? sendProblem(c, ctx, 404, words.notFoundTitle, words.notFoundText)
        : sendProblem(c, ctx, error.status, words.refusedTitle, refusalText(ctx.locale, error));
    }
  };
}

/** What a page reads whatever its locale, for {@link page} to send early. */
interface PageReads {
  /** It draws actions (the default): the live actions' stamp. */
  actions?: boolean;
  /** It shows the session's cart, lines and all (which gives the frame its count), not only the count. */
  cart?: boolean;
  early?: (c: PageContext) => Promise<unknown>;
}

/** The page's sort: `?sort=` when it is one the shop offers, else the default (title). */
function sortOf(c: PageContext): ProductSort {
  const asked = c.req.query("sort");
  return (PRODUCT_SORTS as readonly string[]).includes(asked ?? "") ? (asked as ProductSort) : "title";
}

/** The page number: `?page=` when it is a whole number from 1, else 1 (a bad value is not worth an error page). */
function pageOf(c: PageContext): number {
  const asked = c.req.query("page")?.trim() ?? "";
  return /^[1-9]\d{0,5}$/.test(asked) ? Number(asked) : 1;
}

async function listPage(c: PageContext, ctx: ViewContext, category: string | null, cartCount: number) {
  const q = c.req.query("q")?.trim() || undefined;
  return q ? searchPage(c, ctx, q, category, cartCount) : browsePage(c, ctx, category, cartCount);
}

/** The live message a message page shows, read once per request: the page's `early` read. */
function liveMessage(c: PageContext) {
  return liveMessageOnce(c.get("db"), c.req.param("key") ?? "");
}

/** A search's matches (none asked for: null), read once per request: the list page's `early` read. */
function searchMatches(c: PageContext, category: string | null) {
  const db = c.get("db");
  const q = c.req.query("q")?.trim();
  if (!q) return Promise.resolve(null);
  const cursor = c.req.query("cursor");
  return sharedRead(db, `search|${category ?? ""}|${q}|${cursor ?? ""}`, () =>
    listLiveProducts(db, { limit: PAGE_SIZE, cursor, q, category: category ?? undefined }),
  );
}

/** A search: by relevance, a "More" link (cursor) to the next matches. */
async function searchPage(c: PageContext, ctx: ViewContext, q: string, category: string | null, cartCount: number) {
  const db = c.get("db");
  const { items, nextCursor } = (await searchMatches(c, category))!;
  const path = category ? `/categories/${encodeURIComponent(category)}` : "/";
  const next = new URLSearchParams({ q, ...(nextCursor ? { cursor: nextCursor } : {}) });
  const view = productListRenderView(listedProducts(items, ctx), await catalogueActions(db, ctx), "web", {
    locale: ctx.locale,
    url: `${ctx.baseUrl}${path}?${new URLSearchParams({ q })}`,
    title: webSite(c).words(ctx.locale).searchTitle(q),
    category,
    nextUrl: nextCursor ? `${ctx.baseUrl}${path}?${next}` : null,
  });
  return renderPage(c, view, await chromeFor(c, ctx, { category, cartCount }));
}

/**
 * The catalogue or a category, browsed: pages of {@link PAGE_SIZE} in the chosen sort, with
 * Previous/Next links and "page N of M". A page past the last one is a 404 (page 1 of an empty
 * catalogue is not: it says there are no products).
 */
async function browsePage(c: PageContext, ctx: ViewContext, category: string | null, cartCount: number) {
  const db = c.get("db");
  const sort = sortOf(c);
  const page = pageOf(c);
  const currency = ctx.locales.byCode.get(ctx.locale)?.currency ?? ctx.locales.default.currency;
  const { items, total } = await listOrderedProducts(db, {
    sort,
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
    category: category ?? undefined,
    chain: ctx.chain,
    currency,
    fallbackCurrency: ctx.locales.default.currency,
  });
  if (category && !total) throw new ApiError("not_found", `No category "${category}".`);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (page > pages) throw new ApiError("not_found", `There are ${pages} pages.`);
  const path = `${ctx.baseUrl}${category ? `/categories/${encodeURIComponent(category)}` : "/"}`;
  const at = (n: number) => {
    const params = new URLSearchParams({ ...(sort !== "title" ? { sort } : {}), ...(n > 1 ? { page: String(n) } : {}) });
    return params.size ? `${path}?${params}` : path;
  };
  const words = webSite(c).words(ctx.locale).paging;
  const view = productListRenderView(listedProducts(items, ctx), await catalogueActions(db, ctx), "web", {
    locale: ctx.locale,
    url: at(page),
    title: category ? categoryLabel(category) : undefined,
    category,
    nextUrl: null,
  });
  const chrome: WebChrome = { ...(await chromeFor(c, ctx, { category, cartCount })) };
  chrome.paging = {
    page,
    pages,
    text: words.pageOf(page, pages),
    prevUrl: page > 1 ? at(page - 1) : null,
    nextUrl: page < pages ? at(page + 1) : null,
    action: path,
    sorts: PRODUCT_SORTS.map((value) => ({ value, label: words.sorts[value], selected: value === sort })),
  };
  return renderPage(c, view, chrome);
}

/** The form's fields as the action's input: strings, with quantities and scores as numbers. */
function formInput(form: Record<string, unknown>): Record<string, string | number> {
  const input: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(form)) {
    if (typeof value !== "string") continue;
    input[name] = NUMERIC_FIELDS.has(name) && /^\d{1,6}$/.test(value.trim()) ? Number(value) : value;
  }
  return input;
}

/** Where a browser goes after an action succeeded (post/redirect/get). */
function nextPage(c: PageContext, base: string, key: string, input: Record<string, unknown>, result: OutcomeBody["result"]) {
  switch (key) {
    case "add_to_cart":
    case "update_quantity":
    case "remove_from_cart":
    case "view_cart":
      return `${base}/cart`;
    case "checkout":
      return `${base}/orders/${encodeURIComponent(result?.order?.number ?? "")}`;
    case "cancel_order":
    case "request_return":
    case "order_status":
      return `${base}/orders/${encodeURIComponent(String(input.orderNumber ?? ""))}`;
    case "view_product":
      return `${base}/products/${encodeURIComponent(String(input.slug ?? ""))}`;
    default: {
      // Back to the page the form was on, when it was one of ours.
      const referer = c.req.header("referer");
      return referer?.startsWith(`${base}/`) ? referer : `${base}/`;
    }
  }
}

async function postAction(c: PageContext, ctx: ViewContext) {
  const key = c.req.param("key") ?? "";
  if (fromOtherSite(c)) {
    const words = webSite(c).words(ctx.locale);
    return sendProblem(c, ctx, 403, words.forbiddenTitle, words.forbiddenText);
  }
  const input = formInput(await c.req.parseBody());
  // The cart's "Check out" button starts the checkout pages (address, delivery option, review) when the shop has options.
  if (key === "checkout" && input.deliveryOption === undefined && (await listDeliveryOptions(c.get("db"), ctx.locale)).length) {
    return c.redirect(`${ctx.baseUrl}/checkout`, 303);
  }
  return runAction(c, ctx, key, input);
}

/** Runs an action for the session's customer: its confirmation as a notice and a redirect (post/redirect/get), or its problem as a page. */
export async function runAction(c: PageContext, ctx: ViewContext, key: string, input: Record<string, unknown>) {
  const session = ensureSession(c);
  const outcome = await invokeAction(c.get("db"), {
    registry: c.get("renderers"),
    key,
    request: { channel: "web", identity: webIdentity(session), locale: ctx.locale, input },
    // A fresh key per post: a browser never retries a POST by itself, and post/redirect/get means a
    // refresh reloads the page it was sent to, not the form. Two clicks are two intended changes.
    idempotencyKey: crypto.randomUUID(),
    apiKeyId: STOREFRONT_KEY,
    requestId: c.get("requestId"),
    view: ctx,
    now: c.get("clock")(),
  });
  const body = JSON.parse(outcome.body) as OutcomeBody;
  if (outcome.status >= 400) {
    const view = actionResultRenderView({
      action: key,
      title: webSite(c).words(ctx.locale).refusedTitle,
      text: refusalText(ctx.locale, body),
      ok: false,
      locale: ctx.locale,
      url: `${ctx.baseUrl}/actions/${key}`,
    });
    return sendPage(c, view, await chromeFor(c, ctx), { status: outcome.status });
  }
  if (!VIEWS.has(key) && body.reply?.text) setNotice(c, body.reply.text);
  return c.redirect(nextPage(c, ctx.baseUrl, key, input, body.result), 303);
}

/**
 * The storefront pages a GET only reads (home, a category, a product, a message, the cart, the checkout's steps,
 * an order): no session is made, no view recorded (the checkout's state is a cookie). The app lets them see the
 * database through one change stamp (db/client.ts `readView`; on D1 the request's reads are shared and sent
 * early), like the delivery reads; `/h/…` (its POST redeems a handoff) is not among them.
 */
export const STOREFRONT_READS = /^\/(?:(?:products|categories|messages|orders)\/[^/]+|cart|checkout(?:\/delivery|\/review)?)?$/;

/**
 * The storefront's pages and its form target.
 *
 * @example
 * registerStorefrontRoutes(app); // GET /, /products/:slug, /cart … and POST /actions/:key
 */
export function registerStorefrontRoutes(app: Router) {
  app.get(
    "/",
    page(async (c, ctx) => respondPage(c, await memoPage(c, ctx, (cartCount) => listPage(c, ctx, null, cartCount)), { etag: true }), {
      early: (c) => searchMatches(c, null),
    }),
  );

  app.get(
    "/categories/:category",
    page(
      async (c, ctx) => {
        const category = c.req.param("category") ?? "";
        return respondPage(c, await memoPage(c, ctx, (cartCount) => listPage(c, ctx, category, cartCount)), { etag: true });
      },
      { early: (c) => searchMatches(c, c.req.param("category") ?? "") },
    ),
  );

  app.get(
    "/products/:slug",
    page(async (c, ctx) => {
      const db = c.get("db");
      const slug = c.req.param("slug") ?? "";
      const rendered = await memoPage(c, ctx, async (cartCount) => {
        // Its stored parts in this request's frame (src/channels/pages.ts), else rendered whole from the row. (On D1
        // the frame's reads went out with the locales: `page` above.)
        const stored = await storedProductPage(db, slug, ctx, webSite(c).productPages);
        if (stored) return composePage(c, stored, await productChrome(c, ctx, cartCount));
        const live = await findLiveProduct(db, slug);
        if (!live) throw new ApiError("not_found", `No product "${slug}".`);
        const source = productSource(live.doc, live.stock, live, ctx, await catalogueActions(db, ctx));
        return renderPage(c, productForDisplay(source, "web"), await chromeFor(c, ctx, { cartCount }));
      });
      return respondPage(c, rendered, { etag: true });
    }),
  );

  app.get(
    "/messages/:key",
    page(
      async (c, ctx) => {
        const key = c.req.param("key") ?? "";
        const rendered = await memoPage(c, ctx, async (cartCount) => {
          const live = await liveMessage(c);
          if (!live) throw new ApiError("not_found", `No message "${key}".`);
          const now = c.get("clock")();
          const view = messageForChannel(messageSource(live.doc, live, ctx, now), "web");
          // The page says whether the message is live: it changes by itself when its window opens or closes.
          return renderPage(c, view, await chromeFor(c, ctx, { cartCount }), nextBoundary([live.doc], now));
        });
        return respondPage(c, rendered, { etag: true });
      },
      // A message page draws no actions; its message does not depend on the locale, so it goes out with the locales.
      { actions: false, early: liveMessage },
    ),
  );

  app.get(
    "/cart",
    page(
      async (c, ctx) => {
        const db = c.get("db");
        const [cart, actions, delivery] = await Promise.all([
          sessionCart(c, ctx),
          catalogueActions(db, ctx),
          listDeliveryOptions(db, ctx.locale),
        ]);
        const view = cartRenderView(cart, actions, "web", ctx.locale, ctx.baseUrl, delivery);
        return sendPage(c, view, await chromeFor(c, ctx, { cartCount: cart.itemCount }));
      },
      { cart: true },
    ),
  );

  app.get(
    "/orders/:number",
    page(
      async (c, ctx) => {
        const number = (c.req.param("number") ?? "").toUpperCase();
        const customer = await sessionCustomer(c);
        // Only the session's own orders: another customer's order is "not found" (its existence is not ours to tell).
        if (!customer) throw new ApiError("not_found", `You have no order ${number}.`);
        const db = c.get("db");
        const [{ order, lines }, actions] = await Promise.all([findCustomerOrder(db, customer, number), catalogueActions(db, ctx)]);
        const view = orderRenderView(orderView(order, lines, ctx.locale), actions, "web", ctx.locale, ctx.baseUrl);
        return sendPage(c, view, await chromeFor(c, ctx));
      },
      // The session's customer does not depend on the locale: it goes out with the locales.
      { early: sessionCustomer },
    ),
  );

  app.post("/actions/:key", page(postAction));
  registerCheckoutRoutes(app, page, runAction);

  app.get("/h/:code", page(showHandoff, { actions: false }));
  app.post("/h/:code", page(redeemHandoffHere, { actions: false }));
}

// --- Handoff links (`/h/<code>`) --------------------------------------------------------------
//
// A handoff link is a bearer token anyone can send anyone, and a GET is what any page, mail or preview bot can make
// a browser do. So opening the link only shows what it would do; the shopper's own same-origin POST redeems it, and
// a browser whose session already has a history of its own (orders, a cart, details, another channel) is never moved
// onto the sender's customer (`redeemHandoff`, src/journeys/handoffs.ts). renderers/web/README.md, "Handoff links".

/** The code in the address, or a 404 page for one that cannot be a code. */
function handoffCode(c: PageContext): string {
  // Codes are upper case; a link typed by hand in lower case is the same code.
  const code = HandoffCode.safeParse((c.req.param("code") ?? "").toUpperCase());
  if (!code.success) throw new ApiError("not_found", "No such handoff code.");
  return code.data;
}

/** An action_result page (never cached: `sendPage` without an ETag is `no-store`), with a confirmation form when `confirm` is given. */
async function handoffPage(
  c: PageContext,
  ctx: ViewContext,
  content: { status: number; title: string; text: string; ok: boolean; confirm?: { action: string; label: string; note: string } },
) {
  const view: ActionResultRenderView & { confirm: typeof content.confirm | null } = {
    ...actionResultRenderView({
      action: "handoff",
      title: content.title,
      text: content.text,
      ok: content.ok,
      locale: ctx.locale,
      url: `${ctx.baseUrl}${new URL(c.req.url).pathname}`,
    }),
    // Drawn by action_result.hbs: a form to this address, not an action offer (renderers/web/README.md).
    confirm: content.confirm ?? null,
  };
  c.header("x-robots-tag", "noindex");
  return sendPage(c, view, await chromeFor(c, ctx), { status: content.status });
}

/** A used or expired code as a page in the shopper's language (an unknown one is the 404 page `page` draws). */
function handoffProblem(c: PageContext, ctx: ViewContext, error: unknown) {
  if (!(error instanceof ApiError) || (error.code !== "handoff_used" && error.code !== "handoff_expired")) throw error;
  const words = wording(ctx.locale).handoff;
  return handoffPage(c, ctx, {
    status: error.status,
    title: webSite(c).words(ctx.locale).refusedTitle,
    text: error.code === "handoff_used" ? words.used : words.expired,
    ok: false,
  });
}

/**
 * `GET /h/:code`: reads only (no session, no cookie, no row): what continuing would do — the channel the code comes
 * from and how many items its cart holds, nothing about its customer — and a button that posts to this address. A
 * session with a history of its own is told it cannot continue here, with no button.
 */
async function showHandoff(c: PageContext, ctx: ViewContext) {
  const code = handoffCode(c);
  const session = sessionId(c);
  const words = wording(ctx.locale).handoff;
  let preview: HandoffPreview;
  try {
    preview = await previewHandoff(c.get("db"), { code, identity: session ? webIdentity(session) : null }, c.get("clock")());
  } catch (error) {
    return handoffProblem(c, ctx, error);
  }
  if (preview.join === "refused") {
    return handoffPage(c, ctx, { status: 409, title: words.takenTitle, text: words.taken, ok: false });
  }
  return handoffPage(c, ctx, {
    status: 200,
    title: words.title,
    text: `${words.lead(preview.from)} ${words.items(preview.itemCount)}`,
    ok: true,
    confirm: { action: `${ctx.baseUrl}/h/${code}`, label: words.button, note: words.note },
  });
}

/** Whether the browser says the request comes from another site (Fetch Metadata), where it sends no `Origin`. */
function crossSiteFetch(c: PageContext): boolean {
  const site = c.req.header("sec-fetch-site");
  return site !== undefined && site !== "same-origin" && site !== "none";
}

/**
 * `POST /h/:code`: the confirmation. Refused from another site (403, like every storefront form); redeems the code
 * for this browser's session (minted here when it has none) and opens the cart with a notice saying so, or explains
 * why not: used, expired, or a session with a history of its own (409, nothing changed, the code still unused).
 */
async function redeemHandoffHere(c: PageContext, ctx: ViewContext) {
  if (fromOtherSite(c) || crossSiteFetch(c)) {
    const words = webSite(c).words(ctx.locale);
    return sendProblem(c, ctx, 403, words.forbiddenTitle, words.forbiddenText);
  }
  const code = handoffCode(c);
  const words = wording(ctx.locale).handoff;
  try {
    await redeemHandoff(c.get("db"), { code, identity: webIdentity(ensureSession(c)) }, c.get("clock")(), ctx);
  } catch (error) {
    if (error instanceof HandoffIdentityTaken) {
      return handoffPage(c, ctx, { status: 409, title: words.takenTitle, text: words.taken, ok: false });
    }
    return handoffProblem(c, ctx, error);
  }
  setNotice(c, wording(ctx.locale).continued);
  return c.redirect(`${ctx.baseUrl}/cart`, 303);
}
