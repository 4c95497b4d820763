/**
 * The customer's one cart, shared by every channel. A line keeps the unit
 * price (and currency) it was added at; views compare it with the live price
 * and flag the lines whose price changed since. Every change compares and
 * sets the cart's version inside the atomic unit, so two channels editing the
 * same cart at once never lose a change: the loser re-plans on fresh reads.
 */
import { z } from "@hono/zod-openapi";
import { and, asc, eq, sql } from "drizzle-orm";
import { variantAvailability } from "../catalogue/availability";
import { AVAILABILITIES, type Availability, type ProductDoc, type Variant } from "../catalogue/documents";
import { resolveText } from "../catalogue/locales";
import { MoneySchema, money } from "../catalogue/money";
import type { ViewContext } from "../catalogue/products";
import { MAX_LINE_QUANTITY } from "../channels/contract";
import { type Database, guardWhen, type Orm, prepared, releaseGuard, type Statement } from "../db/client";
import { cartLines, carts, identities, inventory, publishedProducts } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { byIdentity } from "./customers";
import type { ActionContext } from "./plan";

export type CartRow = typeof carts.$inferSelect;
export type CartLineRow = typeof cartLines.$inferSelect;
export type InventoryRow = typeof inventory.$inferSelect;

/** Per line: the channel contract's limit, which every quantity control offers. */
export { MAX_LINE_QUANTITY };
/** Lines per cart (also bounds a checkout's atomic unit). */
export const MAX_CART_LINES = 50;

export const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Z0-9][A-Z0-9-]*$/, "A SKU is uppercase letters, digits and hyphens.")
  .openapi({ example: "MER-CREW-NAVY-M" });

export const CartLineSchema = z
  .object({
    sku: Sku,
    product: z.string().openapi({ description: "The product's slug.", example: "merino-crew-sweater" }),
    url: z.string().openapi({ example: "https://shop.example/products/merino-crew-sweater" }),
    title: z.string().openapi({ description: "As it was when the line was added.", example: "Merino crew sweater (Navy / M)" }),
    quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY),
    unitPrice: MoneySchema.openapi({ description: "The price captured when the line was added; checkout charges it." }),
    lineTotal: MoneySchema,
    currentPrice: MoneySchema.nullable().openapi({ description: "The live price now; null when the product is no longer sold." }),
    priceChanged: z.boolean().openapi({ description: "True when the live price differs from the captured one." }),
    availability: z.enum(AVAILABILITIES).nullable().openapi({ description: "Live availability; null when no longer sold." }),
    addedAt: z.string(),
  })
  .openapi("CartLine");

export const CartSchema = z
  .object({
    id: z.string().openapi({ example: "cart_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    customer: z.string().openapi({ example: "cus_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    version: z.number().int().openapi({ description: "Bumped by every change, whatever the channel." }),
    lines: z.array(CartLineSchema),
    itemCount: z.number().int(),
    subtotal: MoneySchema.openapi({ description: "Sum of the lines at their captured prices." }),
    priceChanges: z.boolean().openapi({ description: "True when any line's live price differs from its captured price." }),
    updatedAt: z.string(),
  })
  .openapi("Cart");
export type CartView = z.infer<typeof CartSchema>;

export interface CartState {
  cart: CartRow;
  lines: CartLineRow[];
}

/** A cart and its lines in the order they were added, as one statement's rows give them (null: no cart). */
function cartState(rows: { cart: CartRow; line: CartLineRow | null }[]): CartState | null {
  const [first] = rows;
  return first ? { cart: first.cart, lines: rows.flatMap((r) => (r.line ? [r.line] : [])) } : null;
}

/** Which cart a {@link cartQuery} reads: by its id, its customer's, or that of whoever holds an identity. */
const CART_BY = {
  id: eq(carts.id, sql.placeholder("id")),
  customerId: eq(carts.customerId, sql.placeholder("customerId")),
  identity: sql`${carts.customerId} = (SELECT ${identities.customerId} FROM ${identities} WHERE ${byIdentity})`,
};

/** A cart with its lines, in the order they were added: one prepared statement (each table by its index). */
function cartQuery(db: Database, by: keyof typeof CART_BY) {
  return prepared(db, `cart-by-${by}`, (orm) =>
    orm
      .select({ cart: carts, line: cartLines })
      .from(carts)
      .leftJoin(cartLines, eq(cartLines.cartId, carts.id))
      .where(CART_BY[by])
      .orderBy(asc(cartLines.addedAt), asc(cartLines.id))
      .prepare(),
  );
}

export async function loadCart(db: Database, cartId: string): Promise<CartState> {
  const state = cartState(await cartQuery(db, "id").all({ id: cartId }));
  if (!state) throw new ApiError("not_found", `No cart "${cartId}".`);
  return state;
}

export async function loadCartOf(db: Database, customerId: string): Promise<CartState | null> {
  return cartState(await cartQuery(db, "customerId").all({ customerId }));
}

/**
 * The cart of whoever holds this identity, with its lines (null when the identity or its customer's cart is
 * none): one statement from the identity to the lines, where reading the identity, then the cart, then its
 * lines waits for three.
 */
export async function cartOfIdentity(
  db: Database,
  identity: Pick<typeof identities.$inferSelect, "channel" | "externalId">,
): Promise<CartState | null> {
  return cartState(await cartQuery(db, "identity").all({ channel: identity.channel, externalId: identity.externalId }));
}

/**
 * How many items the cart of whoever holds this identity holds (a cart view's `itemCount`: every line's quantity,
 * available or not), 0 when the identity, its customer's cart or its lines are none. One statement: what a page's
 * frame shows, without the cart's view (its lines' live products and stock).
 */
export async function cartItemCount(db: Database, identity: { channel: string; externalId: string }): Promise<number> {
  const query = prepared(db, "cart-item-count", (orm) =>
    orm
      .select({ n: sql<number>`coalesce(sum(${cartLines.quantity}), 0)` })
      .from(identities)
      .innerJoin(carts, eq(carts.customerId, identities.customerId))
      .innerJoin(cartLines, eq(cartLines.cartId, carts.id))
      .where(byIdentity)
      .prepare(),
  );
  const [row] = await query.all({ channel: identity.channel, externalId: identity.externalId });
  return row?.n ?? 0;
}

/** A list of values as one parameter (a JSON array): one prepared statement whatever the list's length. */
const inList = (values: readonly string[]) => JSON.stringify(values);

// ---------------------------------------------------------------------------
// The live catalogue, as carts and orders need it.

export interface LiveDoc {
  entryId: string;
  slug: string;
  doc: ProductDoc;
}

/** Live product documents by entry id (unpublished products are simply absent). */
export async function liveProductsByEntry(db: Database, entryIds: readonly string[]): Promise<Map<string, LiveDoc>> {
  const ids = [...new Set(entryIds)];
  if (!ids.length) return new Map();
  const query = prepared(db, "live-products-by-entry", (orm) =>
    orm
      .select({ entryId: publishedProducts.entryId, slug: publishedProducts.slug, document: publishedProducts.document })
      .from(publishedProducts)
      .where(sql`${publishedProducts.entryId} IN (SELECT value FROM json_each(${sql.placeholder("ids")}))`)
      .prepare(),
  );
  const rows = await query.all({ ids: inList(ids) });
  return new Map(rows.map((r) => [r.entryId, { entryId: r.entryId, slug: r.slug, doc: JSON.parse(r.document) as ProductDoc }]));
}

export async function inventoryBySku(db: Database, skus: readonly string[]): Promise<Map<string, InventoryRow>> {
  const list = [...new Set(skus)];
  if (!list.length) return new Map();
  const query = prepared(db, "inventory-by-sku", (orm) =>
    orm
      .select()
      .from(inventory)
      .where(sql`${inventory.sku} IN (SELECT value FROM json_each(${sql.placeholder("skus")}))`)
      .prepare(),
  );
  const rows = await query.all({ skus: inList(list) });
  return new Map(rows.map((r) => [r.sku, r]));
}

export interface SellableSku {
  sku: string;
  live: LiveDoc;
  variant: Variant;
  stock: InventoryRow;
  availability: Availability;
}

/** A SKU the live catalogue sells, with its stock; 404 when it is unknown or not offered by a live product. */
export async function findSellableSku(db: Database, sku: string): Promise<SellableSku> {
  const stock = (await inventoryBySku(db, [sku])).get(sku);
  const live = stock ? (await liveProductsByEntry(db, [stock.entryId])).get(stock.entryId) : undefined;
  const variant = live?.doc.variants.find((v) => v.sku === sku);
  if (!stock || !live || !variant || !stock.listed) throw new ApiError("not_found", `No product on sale has SKU "${sku}".`);
  return { sku, live, variant, stock, availability: variantAvailability(stock.stock, variant.lowStockThreshold, variant.backorder) };
}

/** What a cart line calls the product: its title, plus the variant's when the product has several. */
export function lineTitle(doc: ProductDoc, variant: Variant, chain: readonly string[]): string {
  const title = resolveText(doc.title, chain) ?? doc.slug;
  if (doc.variants.length < 2) return title;
  const variantTitle = resolveText(variant.title, chain) ?? (Object.values(variant.options).join(" / ") || variant.sku);
  return `${title} (${variantTitle})`;
}

/** The currency a cart charges in: its lines' (captured), else the locale's. */
export function cartCurrency(state: CartState, view: ViewContext): string {
  return state.lines[0]?.currency ?? view.locales.byCode.get(view.locale)?.currency ?? view.locales.default.currency;
}

/** Builds the cart view: captured prices, live prices, and which lines changed. */
export async function cartView(db: Database, state: CartState, view: ViewContext): Promise<CartView> {
  // Two reads that wait for nothing of each other: on D1 one round trip, not two.
  const [live, stock] = await Promise.all([
    liveProductsByEntry(
      db,
      state.lines.map((l) => l.entryId),
    ),
    inventoryBySku(
      db,
      state.lines.map((l) => l.sku),
    ),
  ]);
  const currency = cartCurrency(state, view);
  const lines = state.lines.map((line) => {
    const variant = live.get(line.entryId)?.doc.variants.find((v) => v.sku === line.sku);
    const row = stock.get(line.sku);
    const current = variant && row?.listed ? variant.prices[line.currency] : undefined;
    return {
      sku: line.sku,
      product: line.slug,
      url: `${view.baseUrl}/products/${line.slug}`,
      title: line.title,
      quantity: line.quantity,
      unitPrice: money(line.unitPrice, line.currency, view.locale),
      lineTotal: money(line.unitPrice * line.quantity, line.currency, view.locale),
      currentPrice: current === undefined ? null : money(current, line.currency, view.locale),
      priceChanged: current !== undefined && current !== line.unitPrice,
      availability: variant && row?.listed ? variantAvailability(row.stock, variant.lowStockThreshold, variant.backorder) : null,
      addedAt: line.addedAt,
    };
  });
  return {
    id: state.cart.id,
    customer: state.cart.customerId,
    version: state.cart.version,
    lines,
    itemCount: lines.reduce((n, l) => n + l.quantity, 0),
    subtotal: money(
      state.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0),
      currency,
      view.locale,
    ),
    priceChanges: lines.some((l) => l.priceChanged),
    updatedAt: state.cart.updatedAt,
  };
}

// ---------------------------------------------------------------------------
// Plans: each compares and sets the cart version, so concurrent edits re-plan.

/** Moves the cart from the version read to the next one, or aborts the unit. */
export function cartVersionCas(orm: Orm, cart: CartRow, now: string): Statement[] {
  const token = newId("wt");
  return [
    orm
      .update(carts)
      .set({ version: sql`${carts.version} + 1`, updatedAt: now })
      .where(and(eq(carts.id, cart.id), eq(carts.version, cart.version))),
    guardWhen(token, sql`SELECT changes()`),
    releaseGuard(token),
  ];
}

export interface CartChange {
  statements: (orm: Orm) => Statement[];
  after: CartState;
}

function bumped(state: CartState, lines: CartLineRow[], now: string): CartState {
  return { cart: { ...state.cart, version: state.cart.version + 1, updatedAt: now }, lines };
}

/** Adds `quantity` of a SKU; a SKU already in the cart merges into its line (keeping the captured price). */
export async function planAddToCart(ctx: ActionContext, state: CartState, sku: string, quantity: number): Promise<CartChange> {
  const sellable = await findSellableSku(ctx.db, sku);
  if (sellable.availability === "out_of_stock") {
    throw new ApiError("out_of_stock", `${sku} is out of stock. Ask to be notified when it is back.`, { extra: { skus: [sku] } });
  }
  const now = ctx.now.toISOString();
  const existing = state.lines.find((l) => l.sku === sku);
  if (existing) {
    const merged = existing.quantity + quantity;
    if (merged > MAX_LINE_QUANTITY) {
      throw new ApiError(
        "unprocessable",
        `A line holds at most ${MAX_LINE_QUANTITY}; your cart already has ${existing.quantity} of ${sku}.`,
      );
    }
    const line = { ...existing, quantity: merged, updatedAt: now };
    return {
      after: bumped(
        state,
        state.lines.map((l) => (l.id === existing.id ? line : l)),
        now,
      ),
      statements: (orm) => [
        ...cartVersionCas(orm, state.cart, now),
        orm.update(cartLines).set({ quantity: merged, updatedAt: now }).where(eq(cartLines.id, existing.id)),
      ],
    };
  }
  if (state.lines.length >= MAX_CART_LINES) throw new ApiError("unprocessable", `A cart holds at most ${MAX_CART_LINES} different items.`);
  const currency = cartCurrency(state, ctx.view);
  const price = sellable.variant.prices[currency];
  if (price === undefined) throw new ApiError("unprocessable", `${sku} has no price in ${currency}, the currency of your cart.`);
  const line: CartLineRow = {
    id: newId("cl"),
    cartId: state.cart.id,
    sku,
    entryId: sellable.live.entryId,
    slug: sellable.live.slug,
    title: lineTitle(sellable.live.doc, sellable.variant, ctx.view.chain),
    quantity,
    unitPrice: price,
    currency,
    addedAt: now,
    updatedAt: now,
  };
  return {
    after: bumped(state, [...state.lines, line], now),
    statements: (orm) => [...cartVersionCas(orm, state.cart, now), orm.insert(cartLines).values(line)],
  };
}

function lineOf(state: CartState, sku: string): CartLineRow {
  const line = state.lines.find((l) => l.sku === sku);
  if (!line) throw new ApiError("not_found", `Your cart has no ${sku}.`);
  return line;
}

/** Sets a line's quantity; 0 removes the line. */
export function planSetQuantity(ctx: ActionContext, state: CartState, sku: string, quantity: number): CartChange {
  const line = lineOf(state, sku);
  const now = ctx.now.toISOString();
  if (quantity === 0) return planRemove(ctx, state, sku);
  const updated = { ...line, quantity, updatedAt: now };
  return {
    after: bumped(
      state,
      state.lines.map((l) => (l.id === line.id ? updated : l)),
      now,
    ),
    statements: (orm) => [
      ...cartVersionCas(orm, state.cart, now),
      orm.update(cartLines).set({ quantity, updatedAt: now }).where(eq(cartLines.id, line.id)),
    ],
  };
}

export function planRemove(ctx: ActionContext, state: CartState, sku: string): CartChange {
  const line = lineOf(state, sku);
  const now = ctx.now.toISOString();
  return {
    after: bumped(
      state,
      state.lines.filter((l) => l.id !== line.id),
      now,
    ),
    statements: (orm) => [...cartVersionCas(orm, state.cart, now), orm.delete(cartLines).where(eq(cartLines.id, line.id))],
  };
}
