/**
 * Orders: checkout turns the cart into an order; cancel restocks; a return is
 * requested. Payment is out of scope: an order records the amount due.
 *
 * Stock is never oversold. Each line's decrement is one compare-and-set
 * statement (`… WHERE sku = ? AND stock >= ?`) followed by a guard that aborts
 * the whole atomic unit when it matched no row, so a checkout either takes
 * every line's stock and places the order, or changes nothing. The delivery
 * projection's availability is refreshed in the same unit.
 */
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, getTableColumns, gte, lt, lte, or, sql } from "drizzle-orm";
import { refreshAvailabilitySql } from "../catalogue/availability";
import { type DeliveryOptionView, deliveryPrice, listDeliveryOptions } from "../catalogue/delivery";
import { MoneySchema, money } from "../catalogue/money";
import { type Database, guardWhen, type Orm, prepared, raw, releaseGuard, type Statement } from "../db/client";
import { cartLines, inventory, ORDER_STATUSES, orderLines, orders } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type CartState, cartCurrency, cartVersionCas, inventoryBySku, Sku } from "./carts";
import { JourneyChannelSchema } from "./channels";
import { newOrderNumber } from "./codes";
import { fillProfileFromAddress } from "./customers";
import type { ActionContext } from "./plan";

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;

export const OrderNumber = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^UN-[0-9A-Z]{8}$/, "An order number looks like UN-K7QM3XZT.")
  .openapi({ example: "UN-K7QM3XZT" });

/** Where an order goes. Validated the same on every channel (the web form shows these messages next to its fields). */
export const ShippingAddress = z
  .strictObject({
    name: z.string().trim().min(1, "Enter your name.").max(100),
    email: z.string().trim().max(254).pipe(z.email("Enter an email address such as ana@example.com.")),
    street: z.string().trim().min(1, "Enter the street and number.").max(200),
    postcode: z
      .string()
      .trim()
      .min(1, "Enter the postcode.")
      .max(12)
      .regex(/^[A-Za-z0-9][A-Za-z0-9 -]*$/, "Use letters, digits, spaces and hyphens."),
    city: z.string().trim().min(1, "Enter the city.").max(100),
    country: z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Use the two-letter country code, such as FR or DE."),
  })
  .openapi("ShippingAddress", {
    example: { name: "Ana Silva", email: "ana@example.com", street: "12 rue des Pins", postcode: "75011", city: "Paris", country: "FR" },
  });
export type ShippingAddress = z.infer<typeof ShippingAddress>;

export const OrderDeliverySchema = z
  .object({
    option: z.string().openapi({ example: "standard" }),
    name: z.string().openapi({ example: "Standard delivery" }),
    price: MoneySchema.openapi({ description: "What delivery costs on this order (0 when free from the option's `freeOver`)." }),
    leadTimeDays: z.object({ min: z.number().int(), max: z.number().int() }),
    address: ShippingAddress.nullable().openapi({ description: "Null for pick-up without an address." }),
  })
  .openapi("OrderDelivery");

export const OrderSchema = z
  .object({
    number: z.string().openapi({ example: "UN-K7QM3XZT" }),
    customer: z.string(),
    status: z.enum(ORDER_STATUSES),
    channel: JourneyChannelSchema.openapi({ description: "Where the order was placed." }),
    placedAt: z.string(),
    lines: z.array(
      z.object({
        sku: Sku,
        product: z.string().openapi({ example: "merino-crew-sweater" }),
        title: z.string(),
        quantity: z.number().int(),
        unitPrice: MoneySchema,
        lineTotal: MoneySchema,
      }),
    ),
    itemCount: z.number().int(),
    subtotal: MoneySchema,
    delivery: OrderDeliverySchema.nullable().openapi({
      description: "The delivery option chosen at checkout; null for orders placed before the shop had any.",
    }),
    total: MoneySchema.openapi({ description: "Subtotal plus delivery." }),
    amountDue: MoneySchema.openapi({ description: "What the customer owes (payment is out of scope); 0 once cancelled." }),
    cancelledAt: z.string().nullable(),
    returnRequestedAt: z.string().nullable(),
    returnReason: z.string().nullable(),
  })
  .openapi("Order");
export type OrderView = z.infer<typeof OrderSchema>;

export function orderView(order: OrderRow, lines: readonly OrderLineRow[], locale: string): OrderView {
  const m = (amount: number) => money(amount, order.currency, locale);
  return {
    number: order.number,
    customer: order.customerId,
    status: order.status,
    channel: order.channel,
    placedAt: order.placedAt,
    lines: [...lines]
      .sort((a, b) => a.position - b.position)
      .map((l) => ({
        sku: l.sku,
        product: l.slug,
        title: l.title,
        quantity: l.quantity,
        unitPrice: m(l.unitPrice),
        lineTotal: m(l.lineTotal),
      })),
    itemCount: order.itemCount,
    subtotal: m(order.subtotal),
    delivery: order.deliveryOption
      ? {
          option: order.deliveryOption,
          name: order.deliveryName ?? order.deliveryOption,
          price: m(order.deliveryPrice),
          leadTimeDays: { min: order.deliveryMinDays ?? 0, max: order.deliveryMaxDays ?? 0 },
          address: order.shippingAddress ? (JSON.parse(order.shippingAddress) as ShippingAddress) : null,
        }
      : null,
    total: m(order.total),
    amountDue: m(order.amountDue),
    cancelledAt: order.cancelledAt,
    returnRequestedAt: order.returnRequestedAt,
    returnReason: order.returnReason,
  };
}

/** One order's lines in position order (an ACP session's order, its events): a prepared read. */
export async function linesOf(db: Database, orderId: string): Promise<OrderLineRow[]> {
  const query = prepared(db, "order-lines", (orm) =>
    orm
      .select()
      .from(orderLines)
      .where(eq(orderLines.orderId, sql.placeholder("orderId")))
      .orderBy(asc(orderLines.position))
      .prepare(),
  );
  return query.all({ orderId });
}

/** Lines grouped by their order, in the order given. */
function byOrder(rows: readonly OrderLineRow[]): Map<string, OrderLineRow[]> {
  const out = new Map<string, OrderLineRow[]>();
  for (const row of rows) {
    const lines = out.get(row.orderId);
    if (lines) lines.push(row);
    else out.set(row.orderId, [row]);
  }
  return out;
}

/** The order of the `number` and `customerId` placeholders. */
const theOrder = and(eq(orders.number, sql.placeholder("number")), eq(orders.customerId, sql.placeholder("customerId")));

/** The customer's order with that number. Another customer's order is "not found" too: its existence is not theirs to learn. */
export async function findCustomerOrder(
  db: Database,
  customerId: string,
  number: string,
): Promise<{ order: OrderRow; lines: OrderLineRow[] }> {
  // The order and its lines, by the same (number, customer): two prepared reads that wait for nothing of each other.
  const orderQuery = prepared(db, "customer-order", (orm) => orm.select().from(orders).where(theOrder).limit(1).prepare());
  const linesQuery = prepared(db, "customer-order-lines", (orm) =>
    orm
      .select(getTableColumns(orderLines))
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(theOrder)
      .orderBy(asc(orderLines.position))
      .prepare(),
  );
  const [[order], lines] = await Promise.all([orderQuery.all({ number, customerId }), linesQuery.all({ number, customerId })]);
  if (!order) throw new ApiError("not_found", `You have no order ${number}.`);
  return { order, lines };
}

type IdCursor = { i: string };
const isIdCursor = (v: Record<string, unknown>): v is IdCursor => typeof v.i === "string";

/** A customer's orders, newest first (ids are time-ordered), keyset-paged. */
export async function listCustomerOrders(
  db: Database,
  customerId: string,
  query: { limit: number; cursor?: string | undefined },
  locale: string,
): Promise<{ items: OrderView[]; nextCursor: string | null }> {
  const after = query.cursor ? decodeCursor(`orders:${customerId}`, query.cursor, isIdCursor) : null;
  // Prepared once per database (a page, and a page after a cursor; the limit is a parameter): an agent's console
  // or a bot asking for a customer's history costs no SQL compiled per request.
  const pageQuery = prepared(db, after ? "customer-orders-after" : "customer-orders", (orm) =>
    orm
      .select()
      .from(orders)
      .where(and(eq(orders.customerId, sql.placeholder("customerId")), after ? lt(orders.id, sql.placeholder("after")) : undefined))
      .orderBy(desc(orders.id))
      .limit(sql.placeholder("limit"))
      .prepare(),
  );
  const rows = await pageQuery.all({ customerId, after: after?.i, limit: query.limit + 1 });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  // The page's lines: its orders are the customer's from the oldest to the newest id of the page (ids are
  // time-ordered, so an order placed meanwhile is newer than the page), whatever the page's size.
  const linesQuery = prepared(db, "customer-orders-lines", (orm) =>
    orm
      .select(getTableColumns(orderLines))
      .from(orderLines)
      .innerJoin(orders, eq(orders.id, orderLines.orderId))
      .where(
        and(
          eq(orders.customerId, sql.placeholder("customerId")),
          gte(orders.id, sql.placeholder("oldest")),
          lte(orders.id, sql.placeholder("newest")),
        ),
      )
      .orderBy(asc(orderLines.position))
      .prepare(),
  );
  const lines = last
    ? byOrder(await linesQuery.all({ customerId, oldest: last.id, newest: page[0]?.id }))
    : new Map<string, OrderLineRow[]>();
  return {
    items: page.map((o) => orderView(o, lines.get(o.id) ?? [], locale)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(`orders:${customerId}`, { i: last.id }) : null,
  };
}

export interface OrderChange {
  statements: (orm: Orm) => Statement[];
  order: OrderView;
}

/** Takes `quantity` of a SKU, or aborts the unit: the one statement that makes overselling impossible. */
function takeStock(orm: Orm, sku: string, quantity: number, now: string): Statement[] {
  const token = newId("wt");
  return [
    orm
      .update(inventory)
      // Preorder SKUs keep selling at zero; the CHECK (stock >= 0) holds either way.
      .set({ stock: sql`MAX(${inventory.stock} - ${quantity}, 0)`, version: sql`${inventory.version} + 1`, updatedAt: now })
      .where(
        and(eq(inventory.sku, sku), eq(inventory.listed, true), or(gte(inventory.stock, quantity), eq(inventory.backorder, "preorder"))),
      ),
    guardWhen(token, sql`SELECT changes()`),
    releaseGuard(token),
  ];
}

function putBackStock(orm: Orm, sku: string, quantity: number, now: string): Statement {
  return orm
    .update(inventory)
    .set({ stock: sql`${inventory.stock} + ${quantity}`, version: sql`${inventory.version} + 1`, updatedAt: now })
    .where(eq(inventory.sku, sku));
}

export interface DeliveryChoice {
  option: DeliveryOptionView;
  address: ShippingAddress | null;
}

/**
 * The delivery an order gets: the option asked for, or — when the caller names none (an SMS keyword, a
 * chat button, an older API client) — the first pick-up option when no address came, the first
 * shipping option when one did. A shop without delivery options places orders without delivery, as
 * before. An unknown or disabled option, or a shipping option without an address, is refused.
 */
export async function resolveDelivery(
  ctx: ActionContext,
  input: { deliveryOption?: string | undefined; address?: ShippingAddress | undefined },
): Promise<DeliveryChoice | null> {
  const options = await listDeliveryOptions(ctx.db, ctx.view.locale);
  if (!options.length) {
    if (input.deliveryOption === undefined) return null;
  }
  const address = input.address ?? null;
  const option =
    input.deliveryOption !== undefined
      ? options.find((o) => o.key === input.deliveryOption)
      : (options.find((o) => o.kind === (address ? "shipping" : "pickup")) ?? options[0]);
  if (!option) {
    throw new ApiError(
      "invalid_reference",
      `No delivery option "${input.deliveryOption}". Offered: ${options.map((o) => o.key).join(", ") || "none"}.`,
      {
        extra: {
          errors: [
            {
              in: "body",
              pointer: "/input/deliveryOption",
              code: "invalid_reference",
              message: "Choose one of the offered delivery options.",
            },
          ],
        },
      },
    );
  }
  if (option.kind === "shipping" && !address) {
    throw new ApiError("validation_failed", `${option.name} needs a delivery address.`, {
      extra: { errors: [{ in: "body", pointer: "/input/address", code: "required", message: "Enter a delivery address." }] },
    });
  }
  return { option, address };
}

/**
 * Places an order from the cart and empties it. Reads stock first to refuse
 * early with the SKUs that are short; the statements check again, atomically.
 */
export async function planCheckout(ctx: ActionContext, state: CartState, delivery: DeliveryChoice | null = null): Promise<OrderChange> {
  if (!state.lines.length) throw new ApiError("cart_empty", "Your cart is empty.");
  const stock = await inventoryBySku(
    ctx.db,
    state.lines.map((l) => l.sku),
  );
  const short = state.lines.filter((l) => {
    const row = stock.get(l.sku);
    if (!row?.listed) return true;
    return row.stock < l.quantity && row.backorder !== "preorder";
  });
  if (short.length) {
    const parts = short.map((l) => {
      const row = stock.get(l.sku);
      if (!row?.listed) return `${l.sku} is no longer sold`;
      return row.stock > 0 ? `only ${row.stock} of ${l.sku} left (you asked for ${l.quantity})` : `${l.sku} is out of stock`;
    });
    throw new ApiError("out_of_stock", `Not enough stock: ${parts.join("; ")}. Nothing was ordered.`, {
      extra: { skus: short.map((l) => l.sku) },
    });
  }

  const now = ctx.now.toISOString();
  const currency = cartCurrency(state, ctx.view);
  const subtotal = state.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0);
  if (delivery && delivery.option.price.currency !== currency) {
    throw new ApiError("conflict", `${delivery.option.name} is priced in ${delivery.option.price.currency}; this cart is in ${currency}.`);
  }
  const shipping = delivery ? deliveryPrice(delivery.option, subtotal, ctx.view.locale).amount : 0;
  const order: OrderRow = {
    id: newId("ord"),
    number: newOrderNumber(),
    customerId: ctx.customer.id,
    status: "placed",
    channel: ctx.channel,
    currency,
    subtotal,
    total: subtotal + shipping,
    amountDue: subtotal + shipping,
    itemCount: state.lines.reduce((n, l) => n + l.quantity, 0),
    deliveryOption: delivery?.option.key ?? null,
    deliveryName: delivery?.option.name ?? null,
    deliveryPrice: shipping,
    deliveryMinDays: delivery?.option.leadTimeDays.min ?? null,
    deliveryMaxDays: delivery?.option.leadTimeDays.max ?? null,
    shippingAddress: delivery?.address ? JSON.stringify(delivery.address) : null,
    version: 1,
    placedAt: now,
    cancelledAt: null,
    returnRequestedAt: null,
    returnReason: null,
    updatedAt: now,
  };
  const lines: OrderLineRow[] = state.lines.map((l, position) => ({
    id: newId("ol"),
    orderId: order.id,
    position,
    sku: l.sku,
    entryId: l.entryId,
    slug: l.slug,
    title: l.title,
    quantity: l.quantity,
    unitPrice: l.unitPrice,
    lineTotal: l.unitPrice * l.quantity,
  }));
  const products = [...new Set(state.lines.map((l) => stock.get(l.sku)?.entryId ?? l.entryId))];
  return {
    order: orderView(order, lines, ctx.view.locale),
    statements: (orm) => [
      ...state.lines.flatMap((l) => takeStock(orm, l.sku, l.quantity, now)),
      ...products.map((entryId) => raw(refreshAvailabilitySql(entryId))),
      // Someone changed the cart since it was read (another channel): re-plan rather than order a stale cart.
      ...cartVersionCas(orm, state.cart, now),
      orm.insert(orders).values(order),
      orm.insert(orderLines).values(lines),
      orm.delete(cartLines).where(eq(cartLines.cartId, state.cart.id)),
      ...(delivery?.address ? [fillProfileFromAddress(orm, ctx.customer.id, delivery.address, now)] : []),
    ],
  };
}

/** Moves an order from `placed` to `status` if nobody changed it since it was read. */
function orderCas(orm: Orm, order: OrderRow, changes: Partial<OrderRow>): Statement[] {
  const token = newId("wt");
  return [
    orm
      .update(orders)
      .set({ ...changes, version: sql`${orders.version} + 1` })
      .where(and(eq(orders.id, order.id), eq(orders.version, order.version), eq(orders.status, "placed"))),
    guardWhen(token, sql`SELECT changes()`),
    releaseGuard(token),
  ];
}

function requirePlaced(order: OrderRow, what: string) {
  if (order.status !== "placed") {
    throw new ApiError("conflict", `Order ${order.number} is ${order.status.replace("_", " ")}; only a placed order can be ${what}.`);
  }
}

/** Cancels a placed order and puts its stock back, atomically. */
export function planCancel(ctx: ActionContext, order: OrderRow, lines: readonly OrderLineRow[]): OrderChange {
  requirePlaced(order, "cancelled");
  const now = ctx.now.toISOString();
  const changes = { status: "cancelled" as const, amountDue: 0, cancelledAt: now, updatedAt: now };
  return {
    order: orderView({ ...order, ...changes, version: order.version + 1 }, lines, ctx.view.locale),
    statements: (orm) => [
      ...orderCas(orm, order, changes),
      ...lines.map((l) => putBackStock(orm, l.sku, l.quantity, now)),
      ...[...new Set(lines.map((l) => l.entryId))].map((entryId) => raw(refreshAvailabilitySql(entryId))),
    ],
  };
}

/** Records a return request for a placed order (the goods coming back, and the refund, are handled outside). */
export function planReturn(ctx: ActionContext, order: OrderRow, lines: readonly OrderLineRow[], reason: string | null): OrderChange {
  requirePlaced(order, "returned");
  const now = ctx.now.toISOString();
  const changes = { status: "return_requested" as const, returnRequestedAt: now, returnReason: reason, updatedAt: now };
  return {
    order: orderView({ ...order, ...changes, version: order.version + 1 }, lines, ctx.view.locale),
    statements: (orm) => orderCas(orm, order, changes),
  };
}
