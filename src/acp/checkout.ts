/**
 * Agentic Commerce Protocol checkout sessions, merchant side (spec 2026-04-17).
 *
 * A session is a window on the customer's ONE cart — the cart SMS, chat, the
 * web and MCP see: its line items are the cart's lines (changed through the
 * same cart plans as the `add_to_cart` / `update_quantity` / `remove_from_cart`
 * actions), and completing it places the order through the same
 * `planCheckout` every channel's `checkout` uses, on the same timeline (channel
 * `agent`). What the cart does not hold — the buyer, the fulfillment details,
 * the option chosen, the order it became — is kept on the session row.
 *
 * Every change is planned from fresh reads and committed as one atomic unit
 * with its timeline record and the stored idempotent response; when a
 * compare-and-set inside it lost (another channel changed the cart), the
 * route plans again.
 */
import { and, eq, sql } from "drizzle-orm";
import { type DeliveryOptionView, deliveryPrice } from "../catalogue/delivery";
import type { ViewContext } from "../catalogue/products";
import { type Database, guardWhen, type Orm, releaseGuard, type Statement } from "../db/client";
import { acpCheckoutSessions, orders } from "../db/schema";
import {
  type CartLineRow,
  type CartState,
  type CartView,
  cartView,
  loadCartOf,
  planAddToCart,
  planRemove,
  planSetQuantity,
} from "../journeys/carts";
import { getCustomer } from "../journeys/customers";
import { recordInteraction } from "../journeys/interactions";
import { linesOf, type OrderView, orderView, ShippingAddress } from "../journeys/orders";
import type { ActionContext } from "../journeys/plan";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { ACP_API_VERSION, AcpError } from "./errors";
import type { PaymentHandler } from "./payments";

export type SessionRow = typeof acpCheckoutSessions.$inferSelect;

export interface AcpAddress {
  name: string;
  line_one: string;
  line_two?: string | undefined;
  city: string;
  state: string;
  country: string;
  postal_code: string;
  company?: string | undefined;
}
export interface AcpFulfillmentDetails {
  name?: string | undefined;
  phone_number?: string | undefined;
  email?: string | undefined;
  address?: AcpAddress | undefined;
}
export interface AcpTotal {
  type: "items_base_amount" | "subtotal" | "fulfillment" | "tax" | "total";
  display_text: string;
  amount: number;
}
export interface AcpMessage {
  type: "info" | "error";
  code?: string;
  severity?: "info" | "low" | "medium" | "high" | "critical";
  resolution?: "recoverable" | "requires_buyer_input" | "requires_buyer_review";
  param?: string;
  content_type: "plain";
  content: string;
}
export interface AcpFulfillmentOption {
  type: "shipping";
  id: string;
  title: string;
  description?: string;
  carrier?: string;
  earliest_delivery_time?: string;
  latest_delivery_time?: string;
  totals: AcpTotal[];
}
export interface AcpLineItem {
  id: string;
  item: { id: string };
  quantity: number;
  name: string;
  unit_amount: number;
  product_id: string;
  sku: string;
  availability_status?: "in_stock" | "low_stock" | "out_of_stock" | "pre_order";
  totals: AcpTotal[];
}
export interface AcpOrder {
  type: "order";
  id: string;
  checkout_session_id: string;
  order_number: string;
  permalink_url: string;
  status: string;
  line_items: {
    id: string;
    title: string;
    product_id: string;
    url: string;
    quantity: { ordered: number; current: number };
    unit_price: number;
    subtotal: number;
  }[];
  totals: AcpTotal[];
}
export interface AcpCheckoutSession {
  id: string;
  protocol: { version: string };
  capabilities: { payment: { handlers: PaymentHandler[] } };
  buyer?: Record<string, unknown>;
  status: "not_ready_for_payment" | "ready_for_payment" | "completed" | "canceled";
  currency: string;
  locale: string;
  line_items: AcpLineItem[];
  fulfillment_details?: AcpFulfillmentDetails;
  fulfillment_options: AcpFulfillmentOption[];
  selected_fulfillment_options: { type: "shipping"; option_id: string; item_ids: string[] }[];
  totals: AcpTotal[];
  messages: AcpMessage[];
  links: { type: "return_policy"; url: string }[];
  created_at: string;
  updated_at: string;
  order?: AcpOrder;
}

/** The journeys' status of an order, in ACP's words (values outside ACP's list are allowed: agents accept them). */
export const ACP_ORDER_STATUS: Record<OrderView["status"], string> = {
  placed: "confirmed",
  cancelled: "canceled",
  return_requested: "return_requested",
  returned: "returned",
};

const lineId = (sku: string) => `li_${sku}`;

function totalsOf(base: number, fulfillment: number | null): AcpTotal[] {
  return [
    { type: "items_base_amount", display_text: "Items", amount: base },
    { type: "subtotal", display_text: "Subtotal", amount: base },
    ...(fulfillment === null ? [] : [{ type: "fulfillment" as const, display_text: "Shipping", amount: fulfillment }]),
    { type: "total", display_text: "Total", amount: base + (fulfillment ?? 0) },
  ];
}

function lineTotals(amount: number): AcpTotal[] {
  return [
    { type: "items_base_amount", display_text: "Items", amount },
    { type: "subtotal", display_text: "Subtotal", amount },
    { type: "total", display_text: "Total", amount },
  ];
}

const AVAILABILITY: Record<string, AcpLineItem["availability_status"]> = {
  in_stock: "in_stock",
  low_stock: "low_stock",
  out_of_stock: "out_of_stock",
  preorder: "pre_order",
};

/** The order as ACP's Order object (the same one order events carry). */
export function acpOrder(sessionId: string, order: OrderView, baseUrl: string): AcpOrder {
  return {
    type: "order",
    id: order.number,
    checkout_session_id: sessionId,
    order_number: order.number,
    permalink_url: `${baseUrl}/orders/${order.number}`,
    status: ACP_ORDER_STATUS[order.status],
    line_items: order.lines.map((l) => ({
      id: lineId(l.sku),
      title: l.title,
      product_id: l.product,
      url: `${baseUrl}/products/${l.product}`,
      quantity: { ordered: l.quantity, current: order.status === "cancelled" ? 0 : l.quantity },
      unit_price: l.unitPrice.amount,
      subtotal: l.lineTotal.amount,
    })),
    totals: totalsOf(order.subtotal.amount, order.total.amount - order.subtotal.amount),
  };
}

export interface SessionEnv {
  view: ViewContext;
  handlers: PaymentHandler[];
  /** The shop's enabled delivery options in the session's locale (src/catalogue/delivery.ts). */
  delivery: DeliveryOptionView[];
  now: Date;
}

/** `days` business days (Monday to Friday) after `from`. */
export function addBusinessDays(from: Date, days: number): Date {
  const out = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    out.setUTCDate(out.getUTCDate() + 1);
    const day = out.getUTCDay();
    if (day !== 0 && day !== 6) left--;
  }
  return out;
}

/**
 * The delivery options as ACP fulfillment options for an order of `subtotal`: the shipping ones, in the session's
 * currency (`title` the option's name, `description` its lead time, delivery window from its lead time in business
 * days, price free from its `freeOver` amount). Pick-up options are not offered over ACP: its pickup option needs a
 * store location the catalogue does not describe.
 */
export function fulfillmentOptions(env: SessionEnv, currency: string, subtotal: number): AcpFulfillmentOption[] {
  return env.delivery
    .filter((o) => o.kind === "shipping" && o.price.currency === currency)
    .map((o) => {
      const price = deliveryPrice(o, subtotal, env.view.locale);
      return {
        type: "shipping",
        id: o.key,
        title: o.name,
        description: price.amount === 0 ? `${o.leadTime} · ${price.formatted}` : o.leadTime,
        // Whole days: from the start of the earliest day to the end of the latest (UTC).
        earliest_delivery_time: `${addBusinessDays(env.now, o.leadTimeDays.min).toISOString().slice(0, 10)}T00:00:00.000Z`,
        latest_delivery_time: `${addBusinessDays(env.now, o.leadTimeDays.max).toISOString().slice(0, 10)}T23:59:59.999Z`,
        totals: [{ type: "total", display_text: o.name, amount: price.amount }],
      };
    });
}

/** The option a session ships with: the one chosen, else the first offered (the agent may change it). */
export function chosenOption(row: SessionRow, options: readonly AcpFulfillmentOption[]): AcpFulfillmentOption | null {
  return options.find((o) => o.id === row.fulfillmentOptionId) ?? (row.fulfillmentOptionId ? null : (options[0] ?? null));
}

/** The ACP fulfillment details as the order's shipping address (the one every channel's checkout validates), or why not. */
export function shippingAddressOf(
  details: AcpFulfillmentDetails | undefined,
  buyer: { email?: unknown } | undefined,
): { address: ShippingAddress } | { param: string; message: string } {
  const a = details?.address;
  if (!a) return { param: "$.fulfillment_details.address", message: "A shipping address is needed (fulfillment_details.address)." };
  const parsed = ShippingAddress.safeParse({
    name: a.name,
    email: details?.email ?? buyer?.email ?? "",
    street: a.line_two ? `${a.line_one}, ${a.line_two}` : a.line_one,
    postcode: a.postal_code,
    city: a.city,
    country: a.country,
  });
  if (parsed.success) return { address: parsed.data };
  const field = String(parsed.error.issues[0]?.path[0] ?? "");
  const param =
    field === "email"
      ? "$.fulfillment_details.email"
      : `$.fulfillment_details.address.${{ street: "line_one", postcode: "postal_code" }[field] ?? field}`;
  return { param, message: parsed.error.issues[0]?.message ?? "The address is incomplete." };
}

/** What a session shows: the live cart while it is open, the order once completed. */
export type SessionContent = { kind: "cart"; cart: CartView } | { kind: "order"; order: OrderView };

const parse = <T>(json: string | null): T | undefined => (json ? (JSON.parse(json) as T) : undefined);

/** What a session's line item is built from: a cart line or an order line. */
interface LineLike {
  sku: string;
  quantity: number;
  title: string;
  unitPrice: { amount: number };
  product: string;
  lineTotal: { amount: number };
  availability?: keyof typeof AVAILABILITY | null;
}

/** The authoritative session, as every endpoint answers it. */
export function sessionJson(row: SessionRow, content: SessionContent, env: SessionEnv): AcpCheckoutSession {
  const baseUrl = env.view.baseUrl;
  const details = parse<AcpFulfillmentDetails>(row.fulfillmentDetails);
  const buyer = parse<Record<string, unknown>>(row.buyer);
  const messages: AcpMessage[] = [];
  // The cart's lines before completion, the order's after: the same line item either way (an order line has no availability).
  const lines: readonly LineLike[] = content.kind === "cart" ? content.cart.lines : content.order.lines;
  const lineItems: AcpLineItem[] = lines.map((l) => ({
    id: lineId(l.sku),
    item: { id: l.sku },
    quantity: l.quantity,
    name: l.title,
    unit_amount: l.unitPrice.amount,
    product_id: l.product,
    sku: l.sku,
    ...(l.availability ? { availability_status: AVAILABILITY[l.availability] } : {}),
    totals: lineTotals(l.lineTotal.amount),
  }));
  const base = content.kind === "cart" ? content.cart.subtotal.amount : content.order.subtotal.amount;
  const options = fulfillmentOptions(env, row.currency, base);
  const selected = chosenOption(row, options);
  const fee =
    content.kind === "order"
      ? content.order.total.amount - content.order.subtotal.amount
      : selected
        ? (selected.totals.find((t) => t.type === "total")?.amount ?? 0)
        : null;

  if (row.status === "open" && content.kind === "cart") {
    const cart = content.cart;
    if (!cart.lines.length) {
      messages.push(error("missing", "$.line_items", "The cart is empty: add at least one item.", "recoverable"));
    }
    cart.lines.forEach((l, i) => {
      if (l.availability === null) {
        messages.push(error("invalid", `$.line_items[${i}]`, `${l.title} is no longer sold; remove it to continue.`, "recoverable"));
      } else if (l.availability === "out_of_stock") {
        messages.push(error("out_of_stock", `$.line_items[${i}]`, `${l.title} is out of stock; remove it to continue.`, "recoverable"));
      } else if (l.priceChanged && l.currentPrice) {
        messages.push({
          type: "info",
          param: `$.line_items[${i}]`,
          content_type: "plain",
          content: `${l.title} now costs ${l.currentPrice.formatted}; this cart keeps the price it was added at (${l.unitPrice.formatted}).`,
        });
      }
    });
    const shipTo = shippingAddressOf(details, buyer);
    if ("param" in shipTo) messages.push(error("missing", shipTo.param, shipTo.message, "requires_buyer_input"));
    if (!selected && (options.length || row.fulfillmentOptionId)) {
      messages.push(
        error("missing", "$.selected_fulfillment_options", "Choose one of the fulfillment options offered.", "requires_buyer_input"),
      );
    }
    if (!env.handlers.length) {
      messages.push(
        error(
          "unsupported",
          "$.capabilities.payment",
          "This store takes no payments here: payments are not enabled on this server.",
          "recoverable",
        ),
      );
    }
  }

  const status: AcpCheckoutSession["status"] =
    row.status === "completed"
      ? "completed"
      : row.status === "canceled"
        ? "canceled"
        : messages.some((m) => m.type === "error")
          ? "not_ready_for_payment"
          : "ready_for_payment";

  return {
    id: row.id,
    protocol: { version: ACP_API_VERSION },
    capabilities: { payment: { handlers: env.handlers } },
    ...(buyer ? { buyer } : {}),
    status,
    currency: row.currency.toLowerCase(),
    locale: row.locale,
    line_items: lineItems,
    ...(details ? { fulfillment_details: details } : {}),
    fulfillment_options: options,
    selected_fulfillment_options: selected ? [{ type: "shipping", option_id: selected.id, item_ids: lineItems.map((l) => l.item.id) }] : [],
    totals: totalsOf(base, fee),
    messages,
    links: [{ type: "return_policy", url: `${baseUrl}/messages/returns_policy` }],
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    ...(content.kind === "order" ? { order: acpOrder(row.id, content.order, baseUrl) } : {}),
  };
}

function error(code: string, param: string, content: string, resolution: AcpMessage["resolution"]): AcpMessage {
  return { type: "error", code, severity: "high", resolution, param, content_type: "plain", content };
}

/** The session's content from the database: the cart while open (or canceled), the order once completed. */
export async function loadContent(db: Database, row: SessionRow, view: ViewContext): Promise<SessionContent> {
  if (row.orderId) {
    const [order] = await db.orm.select().from(orders).where(eq(orders.id, row.orderId)).limit(1);
    if (order) return { kind: "order", order: orderView(order, await linesOf(db, order.id), view.locale) };
  }
  const state = await loadCartOf(db, row.customerId);
  if (!state) throw new Error(`Customer ${row.customerId} has no cart.`);
  return { kind: "cart", cart: await cartView(db, state, view) };
}

/** The session with that id, created with this API key (another key's session is not found: it is not theirs to learn of). */
export async function findSession(db: Database, id: string, apiKeyId: string): Promise<SessionRow> {
  const [row] = await db.orm
    .select()
    .from(acpCheckoutSessions)
    .where(and(eq(acpCheckoutSessions.id, id), eq(acpCheckoutSessions.apiKeyId, apiKeyId)))
    .limit(1);
  if (!row) throw new AcpError(404, "not_found", `No checkout session "${id}".`);
  return row;
}

// ---------------------------------------------------------------------------
// Plans: the cart changes (the same plans the cart actions use), the session row, the timeline.

export interface ItemRequest {
  id: string;
  quantity?: number | undefined;
}

/** `line_items` as SKU → quantity (a repeated id adds up; `quantity` defaults to 1, as ACP items name one unit). */
function wanted(items: readonly ItemRequest[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(item.id, (out.get(item.id) ?? 0) + (item.quantity ?? 1));
  return out;
}

/**
 * The cart changes that make its lines what `items` asks: named SKUs get those quantities; with `replace`, lines not
 * named are removed (an update's `line_items` is the whole list), without it they stay (a new session shows what the
 * customer already had in their cart, from any channel).
 */
export async function planCartItems(
  ctx: ActionContext,
  state: CartState,
  items: readonly ItemRequest[],
  replace: boolean,
): Promise<{ after: CartState; statements: (orm: Orm) => Statement[] }> {
  let current = state;
  const parts: ((orm: Orm) => Statement[])[] = [];
  const want = wanted(items);
  if (replace) {
    for (const line of state.lines) {
      if (want.has(line.sku)) continue;
      const change = planRemove(ctx, current, line.sku);
      current = change.after;
      parts.push(change.statements);
    }
  }
  for (const [sku, quantity] of want) {
    const at = `$.line_items[${items.findIndex((i) => i.id === sku)}]`;
    if (quantity > 99) throw new AcpError(400, "quantity_exceeded", `At most 99 of ${sku} per order.`, { param: at });
    const existing: CartLineRow | undefined = current.lines.find((l) => l.sku === sku);
    if (existing?.quantity === quantity) continue;
    try {
      const change = existing ? planSetQuantity(ctx, current, sku, quantity) : await planAddToCart(ctx, current, sku, quantity);
      current = change.after;
      parts.push(change.statements);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status < 500) {
        const code = failure.code === "not_found" ? "invalid" : failure.code;
        throw new AcpError(400, code, failure.message, { param: at });
      }
      throw failure;
    }
  }
  return { after: current, statements: (orm) => parts.flatMap((p) => p(orm)) };
}

/** Moves the session row from the version read to the next, with `changes`; aborts the unit if someone else moved it. */
export function sessionCas(orm: Orm, row: SessionRow, changes: Partial<SessionRow>): Statement[] {
  const token = newId("wt");
  return [
    orm
      .update(acpCheckoutSessions)
      .set({ ...changes, version: sql`${acpCheckoutSessions.version} + 1` })
      .where(and(eq(acpCheckoutSessions.id, row.id), eq(acpCheckoutSessions.version, row.version))),
    guardWhen(token, sql`SELECT changes()`),
    releaseGuard(token),
  ];
}

/** The call on the customer's timeline (channel `agent`). */
export function sessionTimeline(
  orm: Orm,
  customerId: string,
  at: string,
  actionKey: string,
  summary: string,
  payload: Record<string, unknown>,
): Statement {
  return recordInteraction(orm, { customerId, channel: "agent", direction: "action", actionKey, summary, payload, at });
}

/** The context the journeys' plans take, for the session's customer. */
export async function actionContext(db: Database, row: Pick<SessionRow, "customerId" | "apiKeyId">, view: ViewContext, now: Date) {
  const customer = await getCustomer(db, row.customerId);
  const state = await loadCartOf(db, row.customerId);
  if (!state) throw new Error(`Customer ${row.customerId} has no cart.`);
  const ctx: ActionContext = { db, now, channel: "agent", customer, cartId: state.cart.id, view, keyId: row.apiKeyId };
  return { ctx, state };
}
