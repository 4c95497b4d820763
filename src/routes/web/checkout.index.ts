/**
 * The web checkout: cart → delivery address → delivery option → review → place order → the order's
 * page (its confirmation). Plain forms and post/redirect/get, no JavaScript. What the customer typed
 * and chose is kept in a short-lived, HttpOnly cookie until the order is placed; placing it runs the
 * `checkout` action with `{ deliveryOption, address }`, like every other channel, which validates
 * both again.
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { deliveryPrice, listDeliveryOptions } from "../../catalogue/delivery";
import { money } from "../../catalogue/money";
import type { ViewContext } from "../../catalogue/products";
import type { CheckoutPage } from "../../channels/site";
import { wording } from "../../channels/wording";
import type { CartView } from "../../journeys/carts";
import { ShippingAddress } from "../../journeys/orders";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { strongEtag } from "../../lib/etag";
import { chromeFor, fromOtherSite, type PageContext, respondPage, sendProblem, sessionCart, webSite } from "./storefront.pages";

const CHECKOUT_COOKIE = "unison_checkout";
/** The address and choice are kept for an hour: long enough to finish, short for personal data. */
const CHECKOUT_MAX_AGE = 60 * 60;
const FIELDS = ["name", "email", "street", "postcode", "city", "country"] as const;

interface CheckoutState {
  address?: Record<(typeof FIELDS)[number], string>;
  deliveryOption?: string;
}

type PageWrapper = (
  handler: (c: PageContext, ctx: ViewContext) => Promise<Response>,
  reads?: { cart?: boolean },
) => (c: Context<AppEnv>) => Promise<Response>;
type RunAction = (c: PageContext, ctx: ViewContext, key: string, input: Record<string, unknown>) => Promise<Response>;

function readState(c: PageContext): CheckoutState {
  try {
    const value = JSON.parse(getCookie(c, CHECKOUT_COOKIE) ?? "{}") as CheckoutState;
    const parsed = value.address ? ShippingAddress.safeParse(value.address) : null;
    return {
      ...(parsed?.success ? { address: parsed.data } : {}),
      ...(typeof value.deliveryOption === "string" ? { deliveryOption: value.deliveryOption } : {}),
    };
  } catch {
    return {};
  }
}

function writeState(c: PageContext, state: CheckoutState) {
  const secure = new URL(c.get("config").PUBLIC_BASE_URL).protocol === "https:";
  setCookie(c, CHECKOUT_COOKIE, JSON.stringify(state), { httpOnly: true, sameSite: "Lax", path: "/", secure, maxAge: CHECKOUT_MAX_AGE });
}

/** A checkout page as a route gives it: the frame's fields (locale, words, step links) are added here. */
type StepPage = CheckoutPage extends infer P
  ? P extends unknown
    ? Omit<P, "locale" | "ui" | "addressUrl" | "deliveryUrl">
    : never
  : never;

/**
 * A step's page. The checkout keeps the frame (shop name, search, cart, language) without the category list and
 * the promotions banner: on a phone they would push the step's form below the first screen. `cart` is the
 * session's cart when the step has read it already: its count is then the frame's, with no read of its own.
 */
async function send(c: PageContext, ctx: ViewContext, page: StepPage, options: { status?: number; cart?: CartView } = {}) {
  const chrome = { ...(await chromeFor(c, ctx, { cartCount: options.cart?.itemCount })), categories: [], banner: [] };
  const body = webSite(c).renderCheckoutPage(
    {
      ...page,
      locale: ctx.locale,
      ui: wording(ctx.locale).ui,
      addressUrl: `${ctx.baseUrl}/checkout`,
      deliveryUrl: `${ctx.baseUrl}/checkout/delivery`,
    } as CheckoutPage,
    { baseUrl: ctx.baseUrl, chrome },
  );
  return respondPage(
    c,
    { body, contentType: "text/html; charset=utf-8", locale: ctx.locale, etag: strongEtag(body), validUntil: 0 },
    { status: options.status ?? 200 },
  );
}

/** The page a step cannot be shown without: an empty cart goes back to the cart, a missing address to the address form. */
async function guard(c: PageContext, ctx: ViewContext, needs: "cart" | "address" | "delivery") {
  // The cart and the delivery options wait for nothing of each other: on D1 one round trip, not two.
  const [cart, options] = await Promise.all([sessionCart(c, ctx), listDeliveryOptions(c.get("db"), ctx.locale)]);
  if (!cart.lines.length) return { ok: false as const, redirect: c.redirect(`${ctx.baseUrl}/cart`, 303) };
  const state = readState(c);
  if (needs !== "cart" && !state.address) return { ok: false as const, redirect: c.redirect(`${ctx.baseUrl}/checkout`, 303) };
  const option = options.find((o) => o.key === state.deliveryOption);
  if (needs === "delivery" && !option) return { ok: false as const, redirect: c.redirect(`${ctx.baseUrl}/checkout/delivery`, 303) };
  return { ok: true as const, cart, state, options, option };
}

/** What a step found it can be shown with. */
type Found = Extract<Awaited<ReturnType<typeof guard>>, { ok: true }>;

/** A step's page shows the cart (its lines, and the frame's count): on D1 it goes out with the locales. */
const SHOWS_CART = { cart: true };

export function registerCheckoutRoutes(app: Router, page: PageWrapper, runAction: RunAction) {
  const addressPage = (
    c: PageContext,
    ctx: ViewContext,
    values: CheckoutState["address"] | Record<string, string>,
    invalid: string[],
    cart?: CartView,
  ) =>
    send(
      c,
      ctx,
      {
        step: "address",
        url: `${ctx.baseUrl}/checkout`,
        formAction: `${ctx.baseUrl}/checkout`,
        values: Object.fromEntries(FIELDS.map((f) => [f, String(values?.[f] ?? "")])) as Record<(typeof FIELDS)[number], string>,
        invalid,
      },
      { status: invalid.length ? 400 : 200, cart },
    );

  app.get(
    "/checkout",
    page(async (c, ctx) => {
      const found = await guard(c, ctx, "cart");
      if (!found.ok) return found.redirect;
      return addressPage(c, ctx, found.state.address, [], found.cart);
    }, SHOWS_CART),
  );

  app.post(
    "/checkout",
    page(async (c, ctx) => {
      if (fromOtherSite(c)) return forbidden(c, ctx);
      const form = await c.req.parseBody();
      const values = Object.fromEntries(FIELDS.map((f) => [f, typeof form[f] === "string" ? (form[f] as string).slice(0, 300) : ""]));
      const parsed = ShippingAddress.safeParse(values);
      if (!parsed.success) {
        const invalid = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))];
        return addressPage(c, ctx, values, invalid);
      }
      writeState(c, { ...readState(c), address: parsed.data });
      return c.redirect(`${ctx.baseUrl}/checkout/delivery`, 303);
    }),
  );

  const deliveryPage = (c: PageContext, ctx: ViewContext, found: Found, chosen: string | undefined, invalid: boolean) => {
    const { options, cart } = found;
    return send(
      c,
      ctx,
      {
        step: "delivery",
        url: `${ctx.baseUrl}/checkout/delivery`,
        formAction: `${ctx.baseUrl}/checkout/delivery`,
        options: options.map((o, i) => ({
          key: o.key,
          name: o.name,
          price: o.price.formatted,
          leadTime: o.leadTime,
          checked: chosen ? o.key === chosen : i === 0,
        })),
        invalid,
      },
      { status: invalid ? 400 : 200, cart },
    );
  };

  app.get(
    "/checkout/delivery",
    page(async (c, ctx) => {
      const found = await guard(c, ctx, "address");
      if (!found.ok) return found.redirect;
      return deliveryPage(c, ctx, found, found.state.deliveryOption, false);
    }, SHOWS_CART),
  );

  app.post(
    "/checkout/delivery",
    page(async (c, ctx) => {
      if (fromOtherSite(c)) return forbidden(c, ctx);
      const found = await guard(c, ctx, "address");
      if (!found.ok) return found.redirect;
      const chosen = (await c.req.parseBody()).deliveryOption;
      if (typeof chosen !== "string" || !found.options.some((o) => o.key === chosen)) return deliveryPage(c, ctx, found, undefined, true);
      writeState(c, { ...found.state, deliveryOption: chosen });
      return c.redirect(`${ctx.baseUrl}/checkout/review`, 303);
    }),
  );

  app.get(
    "/checkout/review",
    page(async (c, ctx) => {
      const found = await guard(c, ctx, "delivery");
      if (!found.ok) return found.redirect;
      const { cart, option, state } = found;
      if (!option || !state.address) return c.redirect(`${ctx.baseUrl}/checkout`, 303);
      const shipping = deliveryPrice(option, cart.subtotal.amount, ctx.locale);
      return send(
        c,
        ctx,
        {
          step: "review",
          url: `${ctx.baseUrl}/checkout/review`,
          formAction: `${ctx.baseUrl}/checkout/place`,
          lines: cart.lines.map((l) => ({ title: l.title, quantity: l.quantity, lineTotal: l.lineTotal.formatted })),
          subtotal: cart.subtotal.formatted,
          delivery: { name: option.name, price: shipping.formatted, leadTime: option.leadTime },
          total: money(cart.subtotal.amount + shipping.amount, cart.subtotal.currency, ctx.locale).formatted,
          address: option.kind === "shipping" ? state.address : null,
        },
        { cart },
      );
    }, SHOWS_CART),
  );

  app.post(
    "/checkout/place",
    page(async (c, ctx) => {
      if (fromOtherSite(c)) return forbidden(c, ctx);
      const found = await guard(c, ctx, "delivery");
      if (!found.ok) return found.redirect;
      const response = await runAction(c, ctx, "checkout", { deliveryOption: found.state.deliveryOption, address: found.state.address });
      // Placed: the address is forgotten (the order keeps it). The redirect is already built, so the cookie is cleared on it.
      if (response.status === 303) response.headers.append("set-cookie", `${CHECKOUT_COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax`);
      return response;
    }),
  );
}

function forbidden(c: PageContext, ctx: ViewContext) {
  const words = webSite(c).words(ctx.locale);
  return sendProblem(c, ctx, 403, words.forbiddenTitle, words.forbiddenText);
}
