/**
 * The action handlers: one per action of the catalogue, each with its own zod
 * input and result schemas (published in the OpenAPI document) and a planner.
 * The same handler serves every channel — SMS keywords, chat postbacks, web
 * forms and app buttons all end here — so an action behaves the same wherever
 * the customer is.
 *
 * The registry is exhaustive: adding a key to {@link ACTION_KEYS} does not
 * compile until it has a handler.
 */
import { z } from "@hono/zod-openapi";
import { Key, Slug } from "../catalogue/documents";
import { findLiveProduct, ProductViewSchema, productView } from "../catalogue/products";
import { wording } from "../channels/wording";
import { npsAnswers, ratings, stockNotifications } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import {
  CartSchema,
  cartView,
  findSellableSku,
  loadCart,
  MAX_LINE_QUANTITY,
  planAddToCart,
  planRemove,
  planSetQuantity,
  Sku,
} from "./carts";
import { CaseSummarySchema, planOpenCase } from "./cases";
import { JourneyChannelSchema } from "./channels";
import { HandoffSchema, planHandoff } from "./handoffs";
import {
  findCustomerOrder,
  OrderNumber,
  OrderSchema,
  orderView,
  planCancel,
  planCheckout,
  planReturn,
  resolveDelivery,
  ShippingAddress,
} from "./orders";
import { type ActionContext, type Plan, readOnly } from "./plan";

export const ACTION_KEYS = [
  "view_product",
  "add_to_cart",
  "update_quantity",
  "remove_from_cart",
  "view_cart",
  "checkout",
  "order_status",
  "cancel_order",
  "request_return",
  "notify_back_in_stock",
  "contact_agent",
  "rate_experience",
  "recommend",
  "handoff",
] as const;
export type ActionKey = (typeof ACTION_KEYS)[number];

export function isActionKey(key: string): key is ActionKey {
  return (ACTION_KEYS as readonly string[]).includes(key);
}

/**
 * The OpenAPI component name of an action's input or result schema.
 *
 * @example
 * actionSchemaName("add_to_cart", "Input") // "AddToCartInput"
 */
export function actionSchemaName(key: ActionKey, part: "Input" | "Result"): string {
  const words = key.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${words.join("")}${part}`;
}

/** `$ref`s to every action's input or result schema, for an `anyOf` in the spec (the path's key says which applies). */
export function actionSchemaRefs(part: "Input" | "Result"): { $ref: string }[] {
  return ACTION_KEYS.map((k) => ({ $ref: `#/components/schemas/${actionSchemaName(k, part)}` }));
}

/** A handler with its types erased, as the registry holds it. */
export interface ActionHandler {
  /** The action's input; unknown fields are refused (no mass assignment: a chat bot cannot set a price). */
  input: z.ZodType;
  result: z.ZodType;
  /** Side-effecting actions require an `Idempotency-Key`. */
  sideEffects: boolean;
  /** For the OpenAPI description. */
  description: string;
  plan(ctx: ActionContext, input: unknown): Promise<Plan<unknown>>;
}

function defineAction<I extends z.ZodType, R extends z.ZodType>(handler: {
  input: I;
  result: R;
  sideEffects: boolean;
  description: string;
  plan: (ctx: ActionContext, input: z.output<I>) => Promise<Plan<z.output<R>>> | Plan<z.output<R>>;
}): ActionHandler {
  return { ...handler, plan: async (ctx, input) => handler.plan(ctx, input as z.output<I>) };
}

const Quantity = z.number().int().min(1).max(MAX_LINE_QUANTITY).openapi({ example: 1 });
const CartResult = z.object({ cart: CartSchema });
const OrderResult = z.object({ order: OrderSchema });
const OrderRef = z.strictObject({ orderNumber: OrderNumber });

const stars = (score: number) => "★".repeat(score) + "☆".repeat(5 - score);

export const ACTION_HANDLERS = {
  view_product: defineAction({
    input: z.strictObject({ slug: Slug }),
    result: z.object({ product: ProductViewSchema }),
    sideEffects: false,
    description: "The localized product view: the same facts every channel shows.",
    async plan(ctx, { slug }) {
      const live = await findLiveProduct(ctx.db, slug);
      if (!live) throw new ApiError("not_found", `No published product with slug "${slug}".`);
      const product = productView(live.doc, live.stock, live, ctx.view);
      // Name, price and availability: the facts every channel shows, also where only this text is (a Telegram button's answer).
      const availability = wording(ctx.view.locale).availability[product.availability];
      return readOnly({ product }, `Viewed ${slug}`, `${product.title} — ${product.price.formatted} (${availability}) ${product.url}`);
    },
  }),

  add_to_cart: defineAction({
    input: z.strictObject({ sku: Sku, quantity: Quantity.default(1) }),
    result: CartResult,
    sideEffects: true,
    description:
      "Adds a SKU to the customer's cart at today's price (captured on the line). Adding a SKU already in the cart adds to its line. Prices cannot be sent.",
    async plan(ctx, { sku, quantity }) {
      const change = await planAddToCart(ctx, await loadCart(ctx.db, ctx.cartId), sku, quantity);
      const cart = await cartView(ctx.db, change.after, ctx.view);
      const line = cart.lines.find((l) => l.sku === sku);
      return {
        result: { cart },
        statements: change.statements,
        summary: `Added ${quantity} × ${sku}`,
        detail: `${line?.title ?? sku} ×${line?.quantity ?? quantity} — ${cart.subtotal.formatted}`,
      };
    },
  }),

  update_quantity: defineAction({
    input: z.strictObject({
      sku: Sku,
      quantity: z.number().int().min(0).max(MAX_LINE_QUANTITY).openapi({ description: "0 removes the line.", example: 2 }),
    }),
    result: CartResult,
    sideEffects: true,
    description: "Sets the quantity of a line of the cart; 0 removes it.",
    async plan(ctx, { sku, quantity }) {
      const change = planSetQuantity(ctx, await loadCart(ctx.db, ctx.cartId), sku, quantity);
      const cart = await cartView(ctx.db, change.after, ctx.view);
      return { result: { cart }, statements: change.statements, summary: `Set ${sku} to ${quantity}`, detail: cart.subtotal.formatted };
    },
  }),

  remove_from_cart: defineAction({
    input: z.strictObject({ sku: Sku }),
    result: CartResult,
    sideEffects: true,
    description: "Removes a line from the cart.",
    async plan(ctx, { sku }) {
      const change = planRemove(ctx, await loadCart(ctx.db, ctx.cartId), sku);
      const cart = await cartView(ctx.db, change.after, ctx.view);
      return { result: { cart }, statements: change.statements, summary: `Removed ${sku}`, detail: cart.subtotal.formatted };
    },
  }),

  view_cart: defineAction({
    input: z.strictObject({}),
    result: CartResult,
    sideEffects: false,
    description: "The cart, with each line's captured price, its live price, and `priceChanged` where they differ.",
    async plan(ctx) {
      const cart = await cartView(ctx.db, await loadCart(ctx.db, ctx.cartId), ctx.view);
      const lines = cart.lines.map((l) => `${l.title} ×${l.quantity}`).join("; ");
      return readOnly({ cart }, `Viewed cart (${cart.itemCount} items)`, lines ? `${lines} — ${cart.subtotal.formatted}` : undefined);
    },
  }),

  checkout: defineAction({
    input: z.strictObject({
      deliveryOption: Key.optional().openapi({
        description:
          "The `key` of one of `GET /v1/delivery-options`. Without it: the first pick-up option when no address is sent, the first shipping option when one is.",
        example: "standard",
      }),
      address: ShippingAddress.optional().openapi({ description: "Required by shipping options; optional for pick-up." }),
    }),
    result: OrderResult,
    sideEffects: true,
    description:
      "Places an order from the cart at the captured prices, with a delivery option and address, and empties the cart. The order's total is the subtotal plus the option's price (free from its `freeOver`). Stock is taken atomically and never oversold: when a line cannot be supplied, nothing is ordered and the problem (409 `out_of_stock`) names the SKUs. An unknown option is 422 `invalid_reference`; a shipping option without an address is 400 `validation_failed`. Payment is out of scope: the order records the amount due.",
    async plan(ctx, input) {
      const cart = await loadCart(ctx.db, ctx.cartId);
      if (!cart.lines.length) throw new ApiError("cart_empty", "Your cart is empty.");
      const change = await planCheckout(ctx, cart, await resolveDelivery(ctx, input));
      return {
        result: { order: change.order },
        statements: change.statements,
        summary: `Placed order ${change.order.number} (${change.order.amountDue.formatted})`,
        detail: `${change.order.number} — ${change.order.amountDue.formatted}`,
      };
    },
  }),

  order_status: defineAction({
    input: OrderRef,
    result: OrderResult,
    sideEffects: false,
    description: "One of the customer's orders. Another customer's order is not found.",
    async plan(ctx, { orderNumber }) {
      const { order, lines } = await findCustomerOrder(ctx.db, ctx.customer.id, orderNumber);
      return readOnly(
        { order: orderView(order, lines, ctx.view.locale) },
        `Checked order ${order.number}`,
        `${order.number}: ${wording(ctx.view.locale).orderStatus[order.status]}`,
      );
    },
  }),

  cancel_order: defineAction({
    input: OrderRef,
    result: OrderResult,
    sideEffects: true,
    description: "Cancels a placed order and puts its stock back, atomically. Only placed orders can be cancelled (409 otherwise).",
    async plan(ctx, { orderNumber }) {
      const { order, lines } = await findCustomerOrder(ctx.db, ctx.customer.id, orderNumber);
      const change = planCancel(ctx, order, lines);
      return {
        result: { order: change.order },
        statements: change.statements,
        summary: `Cancelled order ${order.number}`,
        detail: order.number,
      };
    },
  }),

  request_return: defineAction({
    input: OrderRef.extend({ reason: z.string().trim().min(1).max(500).optional().openapi({ example: "Too small" }) }),
    result: OrderResult,
    sideEffects: true,
    description: "Starts a return for a placed order (status `return_requested`); receiving the goods and refunding happen outside.",
    async plan(ctx, { orderNumber, reason }) {
      const { order, lines } = await findCustomerOrder(ctx.db, ctx.customer.id, orderNumber);
      const change = planReturn(ctx, order, lines, reason ?? null);
      return {
        result: { order: change.order },
        statements: change.statements,
        summary: `Requested a return of ${order.number}${reason ? `: ${reason}` : ""}`,
        detail: order.number,
      };
    },
  }),

  notify_back_in_stock: defineAction({
    input: z.strictObject({ sku: Sku }),
    result: z.object({
      sku: Sku,
      channel: JourneyChannelSchema.openapi({ description: "Where the notice will be sent." }),
      availability: z.string().openapi({ description: "The SKU's availability now.", example: "out_of_stock" }),
    }),
    sideEffects: true,
    description: "Asks to be told on this channel when a SKU is back in stock. Asking again moves the notice to the latest channel.",
    async plan(ctx, { sku }) {
      const sellable = await findSellableSku(ctx.db, sku);
      const at = ctx.now.toISOString();
      return {
        result: { sku, channel: ctx.channel, availability: sellable.availability },
        statements: (orm) => [
          orm
            .insert(stockNotifications)
            .values({ id: newId("sn"), customerId: ctx.customer.id, sku, channel: ctx.channel, createdAt: at, notifiedAt: null })
            .onConflictDoUpdate({
              target: [stockNotifications.customerId, stockNotifications.sku],
              set: { channel: ctx.channel, createdAt: at, notifiedAt: null },
            }),
        ],
        summary: `Asked to be notified when ${sku} is back`,
        detail: sku,
      };
    },
  }),

  contact_agent: defineAction({
    input: z.strictObject({
      message: z.string().trim().min(1).max(2000).optional().openapi({ example: "My parcel has not arrived." }),
    }),
    result: z.object({
      case: CaseSummarySchema,
      reused: z.boolean().openapi({ description: "True when the customer already had an open case (returned instead of a new one)." }),
    }),
    sideEffects: true,
    description: "Opens an agent case carrying the customer's cross-channel timeline and cart (or returns their open case).",
    async plan(ctx, { message }) {
      return planOpenCase(ctx, message ?? null);
    },
  }),

  rate_experience: defineAction({
    input: z.strictObject({
      score: z.number().int().min(1).max(5).openapi({ example: 5 }),
      comment: z.string().trim().min(1).max(1000).optional().openapi({ example: "Quick and friendly." }),
      orderNumber: OrderNumber.optional().openapi({ description: "The order rated, if any." }),
    }),
    result: z.object({
      rating: z.object({
        id: z.string(),
        score: z.number().int(),
        comment: z.string().nullable(),
        orderNumber: z.string().nullable(),
        channel: JourneyChannelSchema,
      }),
    }),
    sideEffects: true,
    description: "Rates the experience from 1 to 5, with an optional comment, optionally about one of the customer's orders.",
    async plan(ctx, { score, comment, orderNumber }) {
      const order = orderNumber ? (await findCustomerOrder(ctx.db, ctx.customer.id, orderNumber)).order : null;
      const row = {
        id: newId("rat"),
        customerId: ctx.customer.id,
        orderId: order?.id ?? null,
        channel: ctx.channel,
        score,
        comment: comment ?? null,
        createdAt: ctx.now.toISOString(),
      };
      return {
        result: { rating: { id: row.id, score, comment: row.comment, orderNumber: order?.number ?? null, channel: ctx.channel } },
        statements: (orm) => [orm.insert(ratings).values(row)],
        summary: `Rated ${score}/5${order ? ` (${order.number})` : ""}${comment ? `: ${comment}` : ""}`,
        detail: stars(score),
      };
    },
  }),

  recommend: defineAction({
    input: z.strictObject({
      likelihood: z
        .number()
        .int()
        .min(0)
        .max(10)
        .openapi({ description: "How likely the customer is to recommend the shop: 0 (not at all) to 10 (extremely).", example: 9 }),
      comment: z.string().trim().min(1).max(1000).optional().openapi({ example: "Friendly and fast." }),
    }),
    result: z.object({
      answer: z.object({
        id: z.string(),
        likelihood: z.number().int(),
        comment: z.string().nullable(),
        category: z.enum(["promoter", "passive", "detractor"]).openapi({ description: "9–10 promoter, 7–8 passive, 0–6 detractor." }),
        channel: JourneyChannelSchema,
      }),
    }),
    sideEffects: true,
    description:
      'Answers "How likely are you to recommend us?" from 0 to 10 (the Net Promoter question), with an optional comment. Counted in NPS per channel by `GET /v1/insights/channels`.',
    async plan(ctx, { likelihood, comment }) {
      const row = {
        id: newId("nps"),
        customerId: ctx.customer.id,
        channel: ctx.channel,
        score: likelihood,
        comment: comment ?? null,
        createdAt: ctx.now.toISOString(),
      };
      return {
        result: { answer: { id: row.id, likelihood, comment: row.comment, category: npsCategory(likelihood), channel: ctx.channel } },
        statements: (orm) => [orm.insert(npsAnswers).values(row)],
        summary: `Would recommend ${likelihood}/10${comment ? `: ${comment}` : ""}`,
        detail: `${likelihood}/10`,
      };
    },
  }),

  handoff: defineAction({
    input: z.strictObject({ to: JourneyChannelSchema.openapi({ description: "The channel to continue on.", example: "web" }) }),
    result: z.object({ handoff: HandoffSchema }),
    sideEffects: true,
    description: `Creates a short, single-use code and a link on the shop's own domain (\`PUBLIC_BASE_URL/h/<code>\`), valid 30 minutes, that opens the same cart and journey on another channel. Redeem it with \`POST /v1/handoffs/{code}/redeem\`.`,
    plan: (ctx, { to }) => planHandoff(ctx, to),
  }),
} satisfies Record<ActionKey, ActionHandler>;

/** The Net Promoter category of a 0–10 answer. */
export function npsCategory(likelihood: number): "promoter" | "passive" | "detractor" {
  return likelihood >= 9 ? "promoter" : likelihood >= 7 ? "passive" : "detractor";
}
