/**
 * The Agentic Commerce Protocol product feed (OpenAI's product feed format):
 * one item per variant of every published product, in one locale, with the
 * same title, price, availability and page as every other channel — read from
 * the same localized view — and an audit that proves it.
 *
 * `is_eligible_checkout` is true when this server completes ACP checkout
 * sessions (`/checkout_sessions`, src/acp/checkout-routes.ts), i.e. when it
 * takes payments (`PAYMENTS_MODE` is not `off`); otherwise agents are not told
 * they can buy in-line. Products stay searchable either way.
 */
import { listLiveProducts, type ProductView, productView } from "../catalogue/products";
import type { Database } from "../db/client";

/** The feed's fields, in CSV column order. */
export const FEED_FIELDS = [
  "item_id",
  "title",
  "description",
  "url",
  "is_eligible_search",
  "is_eligible_checkout",
  "brand",
  "price",
  "sale_price",
  "image_url",
  "additional_image_urls",
  "availability",
  "group_id",
  "listing_has_variations",
  "variant_dict",
  "product_category",
  "seller_name",
  "seller_url",
  "return_policy",
] as const;
export type FeedField = (typeof FEED_FIELDS)[number];
export type FeedItem = Record<FeedField, string | boolean>;

const AVAILABILITY = { in_stock: "in_stock", low_stock: "in_stock", preorder: "pre_order", out_of_stock: "out_of_stock" } as const;

/** Minor units as the feed writes money: "89.00 EUR" (the currency's own number of decimals). */
export function feedPrice(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const sign = amount < 0 ? "-" : "";
  const abs = Math.abs(amount);
  const whole = Math.floor(abs / 10 ** digits);
  const fraction = digits ? `.${String(abs % 10 ** digits).padStart(digits, "0")}` : "";
  return `${sign}${whole}${fraction} ${currency}`;
}

export interface FeedOptions {
  sellerName: string;
  baseUrl: string;
  /** Whether agents can buy in-line: ACP checkout sessions complete here (payments are enabled). */
  checkout?: boolean;
}

/**
 * The feed items of one product view (one per variant).
 *
 * @example
 * feedItems(view, { sellerName: "Fjord & Pine", baseUrl })[0].price // "110.00 EUR" (the sale price is in sale_price)
 */
export function feedItems(view: ProductView, options: FeedOptions): FeedItem[] {
  const brand = view.attributes.find((a) => a.key === "brand")?.value ?? options.sellerName;
  const many = view.variants.length > 1;
  return view.variants.map((variant) => {
    const onSale = variant.compareAtPrice !== null && variant.compareAtPrice.amount > variant.price.amount;
    return {
      item_id: variant.sku,
      title: many ? `${view.title} - ${variant.title}` : view.title,
      description: view.description || view.summary,
      url: view.url,
      is_eligible_search: true,
      is_eligible_checkout: options.checkout === true,
      brand,
      price:
        onSale && variant.compareAtPrice
          ? feedPrice(variant.compareAtPrice.amount, variant.compareAtPrice.currency)
          : feedPrice(variant.price.amount, variant.price.currency),
      sale_price: onSale ? feedPrice(variant.price.amount, variant.price.currency) : "",
      image_url: view.media[0]?.url ?? "",
      additional_image_urls: view.media
        .slice(1)
        .map((m) => m.url)
        .join(","),
      availability: AVAILABILITY[variant.availability],
      group_id: view.slug,
      listing_has_variations: many,
      variant_dict: JSON.stringify(variant.options),
      product_category: view.categories.join(" > "),
      seller_name: options.sellerName,
      seller_url: options.baseUrl,
      return_policy: `${options.baseUrl}/messages/returns_policy`,
    };
  });
}

/** A feed item that disagrees with the catalogue: the item, the field, and what the channels show. */
export interface FeedViolation {
  itemId: string;
  field: "title" | "price" | "sale_price" | "availability" | "url" | "item_id";
  detail: string;
}

/**
 * The feed's facts against the views every channel renders: each variant has
 * exactly one item, whose title carries the product title, whose selling price
 * is the variant's price, whose availability and page are the product's.
 */
export function auditFeed(items: readonly FeedItem[], views: readonly ProductView[]): FeedViolation[] {
  const out: FeedViolation[] = [];
  const bySku = new Map(items.map((i) => [String(i.item_id), i]));
  for (const view of views) {
    for (const variant of view.variants) {
      const item = bySku.get(variant.sku);
      if (!item) {
        out.push({ itemId: variant.sku, field: "item_id", detail: `No feed item for ${variant.sku} of ${view.slug}.` });
        continue;
      }
      const selling = item.sale_price ? String(item.sale_price) : String(item.price);
      const expected = feedPrice(variant.price.amount, variant.price.currency);
      if (selling !== expected)
        out.push({
          itemId: variant.sku,
          field: "price",
          detail: `The feed sells at ${selling}; every channel shows ${variant.price.formatted} (${expected}).`,
        });
      if (!String(item.title).includes(view.title))
        out.push({ itemId: variant.sku, field: "title", detail: `The title "${item.title}" does not carry "${view.title}".` });
      if (item.availability !== AVAILABILITY[variant.availability])
        out.push({
          itemId: variant.sku,
          field: "availability",
          detail: `The feed says ${item.availability}; the catalogue says ${variant.availability}.`,
        });
      if (item.url !== view.url) out.push({ itemId: variant.sku, field: "url", detail: `The feed links ${item.url}, not ${view.url}.` });
    }
  }
  return out;
}

/** A CSV cell (RFC 4180), with spreadsheet formulas neutralised: a cell starting with = + - @ is prefixed with '. */
function cell(value: string | boolean): string {
  let text = typeof value === "boolean" ? String(value) : value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The feed as CSV: a header row of the field names, then one row per item, CRLF line ends. */
export function feedCsv(items: readonly FeedItem[]): string {
  return [FEED_FIELDS.join(","), ...items.map((item) => FEED_FIELDS.map((f) => cell(item[f])).join(","))].join("\r\n").concat("\r\n");
}

/** Every published product's view in one locale, page by page. */
export async function publishedViews(db: Database, ctx: Parameters<typeof productView>[3]): Promise<ProductView[]> {
  const views: ProductView[] = [];
  let cursor: string | undefined;
  do {
    const page = await listLiveProducts(db, { limit: 100, cursor });
    for (const item of page.items) views.push(productView(item.doc, item.stock, item, ctx));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return views;
}
