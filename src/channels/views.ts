/**
 * View models for renderers: built once per entity, revision and locale from
 * the canonical delivery views, then specialised per channel only by that
 * channel's overrides. This is the one place where prices, dates, percentages
 * and availability become text, where the facts every channel must show are
 * listed, and where the actions that apply to an entity are decided — so every
 * renderer projects the same facts and offers the same actions.
 */
import type { ActionView } from "../catalogue/actions";
import { type DeliveryOptionView, deliveryPrice, leadTimeText } from "../catalogue/delivery";
import type { Channel, Override } from "../catalogue/documents";
import type { InheritedOverride } from "../catalogue/locales";
import type { MessageView } from "../catalogue/messages";
import { decimalAmount } from "../catalogue/money";
import type { ProductView } from "../catalogue/products";
import { claimKey, claimKeys, claimsIn } from "../consistency/claims";
import type { CartView } from "../journeys/carts";
import type { OrderView } from "../journeys/orders";
import {
  type ActionOffer,
  type ActionResultRenderView,
  type CartRenderView,
  type EntityView,
  type Fact,
  type MessageRenderView,
  normalizeLink,
  type OrderRenderView,
  type ProductListRenderView,
  type ProductRenderView,
  postbackFor,
} from "./contract";
import { wording } from "./wording";

/**
 * A live catalogue action with its overrides: labels can be overridden per channel, like any base field.
 * The overrides are those of the view's locale, read along its chain (`overridesAlong`).
 */
export interface CatalogueAction {
  view: ActionView;
  overrides: readonly InheritedOverride[];
}

const SCHEMA_AVAILABILITY: Record<string, string> = {
  in_stock: "https://schema.org/InStock",
  low_stock: "https://schema.org/LimitedAvailability",
  preorder: "https://schema.org/PreOrder",
  out_of_stock: "https://schema.org/OutOfStock",
};

const PURCHASABLE = new Set(["in_stock", "low_stock", "preorder"]);

/**
 * The text of a field on a channel: its override for (channel, locale, field) if there is one, else the base text.
 * `overrides` are the view's, read along its locale chain (`overridesAlong`), so an exact match is enough.
 */
export function overridden(overrides: readonly Override[], channel: Channel, locale: string, field: string, base: string): string {
  return overrides.find((o) => o.channel === channel && o.locale === locale && o.field === field)?.value ?? base;
}

/**
 * What a customer types for a parameter they must supply (SMS and chat cannot ask in a form):
 * "RATE 1-5", "NPS 0-10". Optional parameters (a quantity, default 1) get no hint.
 */
const REQUIRED_PARAM_HINTS: Record<string, string> = { score: "1-5", likelihood: "0-10" };

/** The choices a chat or SMS customer is offered for a required parameter (a score: one control per value). */
export const PARAM_CHOICES: Record<string, readonly number[]> = {
  score: [5, 4, 3, 2, 1],
  likelihood: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
};

/** An offer of a catalogue action with its fixed arguments (exported for replies that ask for a parameter). */
export function offer(
  action: CatalogueAction,
  channel: Channel,
  input: Record<string, string | number>,
  deepLink: string,
  params: string[] = [],
) {
  const argument = Object.values(input)[0];
  const label = overridden(action.overrides, channel, action.view.locale, "label", action.view.label);
  return {
    key: action.view.key,
    label,
    keyword: action.view.keyword,
    input,
    params,
    postback: postbackFor(action.view.key, argument),
    command: [action.view.keyword, argument, ...params.map((p) => REQUIRED_PARAM_HINTS[p])].filter((w) => w !== undefined).join(" "),
    deepLink,
  } satisfies ActionOffer;
}

function applicable(actions: readonly CatalogueAction[], target: "product" | "cart" | "order" | "global"): CatalogueAction[] {
  return actions.filter((a) => a.view.enabled && a.view.appliesTo.includes(target));
}

// --- Dates and percentages, formatted once --------------------------------------------------

const dateFormats = new Map<string, Intl.DateTimeFormat[]>();

function dateFormatsFor(locale: string): Intl.DateTimeFormat[] {
  let formats = dateFormats.get(locale);
  if (!formats) {
    formats = [
      new Intl.DateTimeFormat(locale, { dateStyle: "long", timeZone: "UTC" }),
      new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }),
      new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }),
    ];
    dateFormats.set(locale, formats);
  }
  return formats;
}

/** A calendar date as a fact: the locale's long form, and its other common spellings as alternatives. */
export function dateFact(isoDate: string, locale: string): Fact {
  const date = new Date(`${isoDate}T00:00:00Z`);
  const [long, ...others] = dateFormatsFor(locale).map((f) => f.format(date));
  const day = date.getUTCDate();
  const monthLong = new Intl.DateTimeFormat(locale, { month: "long", timeZone: "UTC" }).format(date);
  const year = date.getUTCFullYear();
  const alternatives = [...others, `${day} ${monthLong} ${year}`, `${monthLong} ${day}, ${year}`, isoDate];
  return { name: "date", value: long ?? isoDate, alternatives: [...new Set(alternatives)].filter((a) => a !== long) };
}

export function percentFact(value: number, locale: string): Fact {
  const formatted = new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(value / 100);
  return { name: "percentage", value: formatted, alternatives: [`${value}%`, `${value} %`] };
}

// --- Products ------------------------------------------------------------------------------

/**
 * The product as every channel renders it, with the claims the audit judges its renders by (`canonical`). A view
 * only shown (a storefront page, a render endpoint's answer) is built with `claims: false`: no renderer reads
 * them, and working them out cost a storefront page at 100,000 products about a sixth of its time. The engine
 * refuses to judge a product view without them (src/consistency/engine.ts `checkChannel`).
 *
 * @example
 * const view = productRenderView(doc, productView(doc, stock, live, ctx), actions, "sms");
 */
export function productRenderView(
  doc: { overrides: readonly Override[] },
  product: ProductView,
  actions: readonly CatalogueAction[],
  channel: Channel,
  options: { claims?: boolean } = {},
): ProductRenderView {
  const words = wording(product.locale);
  const variants = product.variants.map((v) => ({
    sku: v.sku,
    title: v.title,
    price: v.price.formatted,
    compareAtPrice: v.compareAtPrice?.formatted ?? null,
    availability: v.availability,
    availabilityText: words.availability[v.availability],
    purchasable: PURCHASABLE.has(v.availability),
  }));
  const cheapest = product.variants.find((v) => v.price.amount === product.price.amount && v.price.currency === product.price.currency);
  const defaultVariant = variants.find((v) => v.purchasable) ?? variants[0];
  const defaultSku = defaultVariant?.sku ?? "";
  const purchasable = variants.some((v) => v.purchasable);
  const title = overridden(doc.overrides, channel, product.locale, "title", product.title);
  const offers: ActionOffer[] = [];
  for (const action of applicable(actions, "product")) {
    switch (action.view.key) {
      case "add_to_cart":
        if (purchasable) offers.push(offer(action, channel, { sku: defaultSku }, product.url, ["quantity"]));
        break;
      case "notify_back_in_stock":
        if (!purchasable) offers.push(offer(action, channel, { sku: defaultSku }, product.url));
        break;
      case "view_product":
        // The web's product view is the product's own page: the action would lead back where it stands.
        // The web offers it on the list pages (each card's form), like every channel offers it from a list.
        if (channel !== "web") offers.push(offer(action, channel, { slug: product.slug }, product.url));
        break;
      default:
        offers.push(offer(action, channel, { slug: product.slug }, product.url));
    }
  }
  const availabilityText = words.availability[product.availability];
  const compareAtPrice = cheapest?.compareAtPrice?.formatted ?? null;
  return {
    kind: "product",
    locale: product.locale,
    url: product.url,
    slug: product.slug,
    title,
    summary: overridden(doc.overrides, channel, product.locale, "summary", product.summary),
    description: overridden(doc.overrides, channel, product.locale, "description", product.description),
    price: product.price.formatted,
    priceAmount: decimalAmount(product.price),
    currency: product.price.currency,
    compareAtPrice,
    availability: product.availability,
    availabilityText,
    schemaAvailability: SCHEMA_AVAILABILITY[product.availability] ?? SCHEMA_AVAILABILITY.out_of_stock!,
    categories: product.categories,
    media: product.media,
    attributes: product.attributes.map((a) => ({ label: a.label, value: a.value })),
    variants,
    defaultSku,
    facts: [
      { name: "title", value: title },
      { name: "price", value: product.price.formatted },
      { name: "availability", value: availabilityText },
      // Policy (content/README.md): the was-price is a claim, so every channel shows it or none does.
      ...(compareAtPrice ? [{ name: "compare_at_price", value: compareAtPrice }] : []),
    ],
    ...(options.claims === false ? {} : { canonical: productClaims(product, variants) }),
    actions: offers,
    ui: words.ui,
  };
}

/**
 * Every claim the canonical product makes in a locale (base texts, never overrides): its prices and
 * was-prices, availabilities, SKUs, page and media links, and whatever its title, summary,
 * description, attributes and variant names say. Computed once per localized product (the channels
 * of one locale share it).
 */
const productClaimCache = new WeakMap<ProductView, string[]>();

function productClaims(product: ProductView, variants: readonly { sku: string; availability: string }[]): string[] {
  let keys = productClaimCache.get(product);
  if (keys) return keys;
  const texts = [
    product.title,
    product.summary,
    product.description,
    product.price.formatted,
    ...product.attributes.flatMap((a) => [a.label, a.value]),
    ...product.variants.flatMap((v) => [v.title, v.price.formatted, v.compareAtPrice?.formatted ?? "", ...Object.values(v.options)]),
    ...product.media.map((m) => m.alt),
  ];
  const set = claimKeys(texts, [product.locale]);
  for (const v of variants) {
    set.add(claimKey({ kind: "availability", value: v.availability }));
    set.add(claimKey({ kind: "code", value: v.sku }));
  }
  set.add(claimKey({ kind: "availability", value: product.availability }));
  set.add(claimKey({ kind: "link", value: product.url }));
  for (const m of product.media) set.add(claimKey({ kind: "link", value: m.url }));
  keys = [...set].sort();
  productClaimCache.set(product, keys);
  return keys;
}

/** A page of products (the catalogue, a category, a search). */
export function productListRenderView(
  /** Each product's overrides for the page's locale, read along its chain (`overridesAlong`). */
  products: readonly { doc: { overrides: readonly Override[] }; view: ProductView }[],
  actions: readonly CatalogueAction[],
  channel: Channel,
  page: { locale: string; url: string; title?: string; category: string | null; nextUrl: string | null },
): ProductListRenderView {
  const words = wording(page.locale);
  const view = applicable(actions, "product").find((a) => a.view.key === "view_product");
  const items = products.map(({ doc, view: p }) => ({
    slug: p.slug,
    url: p.url,
    title: overridden(doc.overrides, channel, p.locale, "title", p.title),
    price: p.price.formatted,
    availabilityText: words.availability[p.availability],
    image: p.media[0] ?? null,
    actions: view ? [offer(view, channel, { slug: p.slug }, p.url)] : [],
  }));
  return {
    kind: "product_list",
    locale: page.locale,
    url: page.url,
    title: page.title ?? words.catalogueTitle,
    category: page.category,
    items,
    nextUrl: page.nextUrl,
    facts: items.flatMap((i) => [
      { name: "title", value: i.title },
      { name: "price", value: i.price },
    ]),
    actions: items.flatMap((i) => i.actions),
    ui: words.ui,
  };
}

// --- Messages ------------------------------------------------------------------------------

export function messageRenderView(
  doc: { overrides: readonly Override[] },
  message: MessageView,
  channel: Channel,
  baseUrl: string,
): MessageRenderView {
  const text = (field: "title" | "body" | "short") => overridden(doc.overrides, channel, message.locale, field, message[field]);
  const { amounts, canonical } = messageClaims(message, baseUrl);
  return {
    kind: "message",
    locale: message.locale,
    url: `${baseUrl}/messages/${message.key}`,
    key: message.key,
    messageKind: message.kind,
    title: text("title"),
    body: text("body"),
    short: text("short"),
    live: message.live,
    facts: [
      ...message.facts.codes.map((code) => ({ name: "code", value: code })),
      ...message.facts.percentages.map((p) => percentFact(p, message.locale)),
      ...message.facts.dates.map((d) => dateFact(d, message.locale)),
      ...message.facts.links.map((link) => ({ name: "link", value: link })),
      ...amounts,
    ],
    canonical,
    actions: [],
    ui: wording(message.locale).ui,
  };
}

/**
 * A message's claims, from its base texts (never overrides): every amount its text states is a fact
 * every channel keeps ("free shipping over €75"), and its facts and texts are everything a channel may
 * claim.
 */
const messageClaimCache = new WeakMap<MessageView, { amounts: Fact[]; canonical: string[] }>();

function messageClaims(message: MessageView, baseUrl: string): { amounts: Fact[]; canonical: string[] } {
  let found = messageClaimCache.get(message);
  if (found) return found;
  const texts = [message.title, message.body, message.short];
  const amounts = new Map<string, Fact>();
  for (const text of texts) {
    for (const c of claimsIn(text, [message.locale]))
      if (c.kind === "money" && !amounts.has(c.value)) amounts.set(c.value, { name: "amount", value: c.text.trim() });
  }
  const facts = [
    ...message.facts.codes,
    ...message.facts.percentages.map((p) => percentFact(p, message.locale)).flatMap((f) => [f.value, ...(f.alternatives ?? [])]),
    ...message.facts.dates.map((d) => dateFact(d, message.locale)).flatMap((f) => [f.value, ...(f.alternatives ?? [])]),
  ];
  const set = claimKeys([...texts, ...facts], [message.locale]);
  for (const code of message.facts.codes) set.add(claimKey({ kind: "code", value: code }));
  for (const link of [...message.facts.links, `${baseUrl}/messages/${message.key}`])
    set.add(claimKey({ kind: "link", value: normalizeLink(link) }));
  found = { amounts: [...amounts.values()], canonical: [...set].sort() };
  messageClaimCache.set(message, found);
  return found;
}

// --- Carts and orders ----------------------------------------------------------------------

/**
 * The delivery options a cart can be checked out with, as facts every channel showing the cart states
 * (name, price on this cart — free from `freeOver` — and lead time (not on SMS: its segment budget), in
 * one line, so a channel that drops an option or changes its price misses the fact), and as offers where a channel can place the order
 * directly: a pick-up option needs no address, so SMS, chat, mobile and agents offer `checkout` with it;
 * shipping options need an address, which those channels cannot ask in a form, so they are chosen in the
 * web checkout the cart's link opens (the web offers every option there, never on the cart).
 */
export function deliveryChoices(
  options: readonly DeliveryOptionView[],
  cart: CartView,
  checkout: CatalogueAction | undefined,
  channel: Channel,
  locale: string,
  url: string,
) {
  return options.map((o) => {
    const price = deliveryPrice(o, cart.subtotal.amount, locale).formatted;
    // SMS states name and price only: three options with lead times do not fit its segment budget.
    const fact: Fact = { name: "delivery", value: channel === "sms" ? `${o.name} ${price}` : `${o.name}: ${price}, ${o.leadTime}` };
    const direct = checkout && o.kind === "pickup" && channel !== "web";
    const action = direct ? { ...offer(checkout, channel, { deliveryOption: o.key }, url), label: o.name } : null;
    return { key: o.key, name: o.name, kind: o.kind, price, leadTime: o.leadTime, fact, action };
  });
}

export function cartRenderView(
  cart: CartView,
  actions: readonly CatalogueAction[],
  channel: Channel,
  locale: string,
  baseUrl: string,
  /** The enabled delivery options for the locale (`listDeliveryOptions`); none before any is imported. */
  delivery: readonly DeliveryOptionView[] = [],
) {
  const words = wording(locale);
  const url = `${baseUrl}/cart`;
  const cartActions = applicable(actions, "cart");
  const find = (key: string) => cartActions.find((a) => a.view.key === key);
  const lines = cart.lines.map((line) => {
    const lineActions: ActionOffer[] = [];
    const update = find("update_quantity");
    const remove = find("remove_from_cart");
    if (update) lineActions.push(offer(update, channel, { sku: line.sku }, url, ["quantity"]));
    if (remove) lineActions.push(offer(remove, channel, { sku: line.sku }, url));
    return {
      sku: line.sku,
      slug: line.product,
      url: line.url,
      title: line.title,
      quantity: line.quantity,
      unitPrice: line.unitPrice.formatted,
      lineTotal: line.lineTotal.formatted,
      priceChangedTo: line.priceChanged && line.currentPrice ? line.currentPrice.formatted : null,
      actions: lineActions,
    };
  });
  const top: ActionOffer[] = [];
  const checkout = find("checkout");
  if (checkout && lines.length) top.push(offer(checkout, channel, {}, url));
  const empty = lines.length === 0;
  const choices = empty ? [] : deliveryChoices(delivery, cart, checkout, channel, locale, url);
  for (const c of choices) if (c.action) top.push(c.action);
  return {
    kind: "cart",
    locale,
    url,
    title: words.cartTitle,
    lines,
    itemCount: cart.itemCount,
    subtotal: cart.subtotal.formatted,
    empty,
    delivery: choices.map(({ fact, ...c }) => ({ ...c, text: fact.value })),
    facts: empty
      ? [{ name: "status", value: words.ui.emptyCart }]
      : [
          ...lines.flatMap((l) => [{ name: "title", value: l.title }]),
          { name: "total", value: cart.subtotal.formatted },
          ...choices.map((c) => c.fact),
        ],
    actions: [...top, ...lines.flatMap((l) => l.actions)],
    ui: words.ui,
  } satisfies CartRenderView;
}

export function orderRenderView(
  order: OrderView,
  actions: readonly CatalogueAction[],
  channel: Channel,
  locale: string,
  baseUrl: string,
): OrderRenderView {
  const words = wording(locale);
  const url = `${baseUrl}/orders/${order.number}`;
  const offers: ActionOffer[] = [];
  for (const action of applicable(actions, "order")) {
    const ref = { orderNumber: order.number };
    switch (action.view.key) {
      case "cancel_order":
      case "request_return":
        if (order.status === "placed") offers.push(offer(action, channel, ref, url));
        break;
      case "rate_experience":
        offers.push(offer(action, channel, {}, url, ["score"]));
        break;
      case "recommend":
        offers.push(offer(action, channel, {}, url, ["likelihood"]));
        break;
      default:
        offers.push(offer(action, channel, ref, url));
    }
  }
  const statusText = words.orderStatus[order.status];
  return {
    kind: "order",
    locale,
    url,
    title: words.orderTitle(order.number),
    number: order.number,
    status: order.status,
    statusText,
    placedAt: order.placedAt,
    lines: order.lines.map((l) => ({ title: l.title, quantity: l.quantity, lineTotal: l.lineTotal.formatted })),
    total: order.total.formatted,
    amountDue: order.amountDue.formatted,
    delivery: order.delivery
      ? {
          name: order.delivery.name,
          price: order.delivery.price.formatted,
          leadTime: leadTimeText(locale, order.delivery.leadTimeDays.min, order.delivery.leadTimeDays.max),
          address: order.delivery.address
            ? [
                order.delivery.address.name,
                order.delivery.address.street,
                `${order.delivery.address.postcode} ${order.delivery.address.city}`,
                order.delivery.address.country,
              ]
            : null,
        }
      : null,
    facts: [
      { name: "order", value: order.number },
      { name: "status", value: statusText },
      { name: "total", value: order.total.formatted },
    ],
    actions: offers,
    ui: words.ui,
  };
}

/** The reply to an action call: its confirmation and detail, and the offers that naturally come next. */
export function actionResultRenderView(input: {
  action: string;
  title: string;
  text: string;
  ok: boolean;
  locale: string;
  url: string;
  facts?: Fact[];
  next?: ActionOffer[];
}): ActionResultRenderView {
  return {
    kind: "action_result",
    action: input.action,
    title: input.title,
    text: input.text,
    ok: input.ok,
    locale: input.locale,
    url: input.url,
    facts: input.facts ?? [],
    actions: input.next ?? [],
    ui: wording(input.locale).ui,
  };
}

/** Every view kind has a builder above; this is what a renderer can be asked to draw. */
export type { EntityView };
