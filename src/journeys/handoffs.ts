/**
 * Handoffs move a journey to another channel: a chat shopper gets a short code
 * and a link on the shop's own domain that opens the same cart on the web.
 * Codes are single use and expire after 30 minutes; redeeming one links the
 * redeeming identity to the customer, so both channels share one cart, one
 * order history and one timeline from then on.
 *
 * A code is a bearer token anyone can pass on, so redeeming it never takes an
 * identity away from a customer who has a history of their own (orders, a cart
 * with items, a name or email, another channel): a link from someone else must
 * not move a shopper's browser, and what they order next, onto the sender's
 * account. Such an identity is refused ({@link HandoffIdentityTaken}); only a
 * new identity, or one whose customer has nothing yet, joins.
 */
import { z } from "@hono/zod-openapi";
import { and, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import type { ViewContext } from "../catalogue/products";
import { type Database, guardWhen, isGuardFailure, isUniqueViolation, type Orm, releaseGuard, type Statement } from "../db/client";
import { cartLines, carts, handoffs, identities } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { CartSchema, type CartView, cartView, loadCartOf } from "./carts";
import { type Identity, IdentitySchema, type JourneyChannel, JourneyChannelSchema } from "./channels";
import { HANDOFF_CODE_LENGTH, randomCode } from "./codes";
import { findIdentity, type IdentityRow } from "./customers";
import { recordInteraction } from "./interactions";
import type { ActionContext, Plan } from "./plan";

export type HandoffRow = typeof handoffs.$inferSelect;

/** How long a handoff code stays valid. */
export const HANDOFF_TTL_MS = 30 * 60 * 1000;

export const HandoffCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(new RegExp(`^[0-9A-Z]{${HANDOFF_CODE_LENGTH}}$`), `A handoff code is ${HANDOFF_CODE_LENGTH} letters and digits.`)
  .openapi({ example: "K7QM3XZT" });

export const HandoffSchema = z
  .object({
    code: z.string().openapi({ example: "K7QM3XZT" }),
    url: z.string().openapi({ description: "Opens the journey on the shop's own domain.", example: "https://shop.example/h/K7QM3XZT" }),
    from: JourneyChannelSchema,
    to: JourneyChannelSchema,
    createdAt: z.string(),
    expiresAt: z.string().openapi({ example: "2026-11-24T12:30:00.000Z" }),
    redeemedAt: z.string().nullable(),
  })
  .openapi("Handoff");
export type HandoffView = z.infer<typeof HandoffSchema>;

export function handoffUrl(baseUrl: string, code: string): string {
  return `${baseUrl}/h/${code}`;
}

export function handoffView(row: HandoffRow, baseUrl: string): HandoffView {
  return {
    code: row.code,
    url: handoffUrl(baseUrl, row.code),
    from: row.fromChannel,
    to: row.toChannel,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    redeemedAt: row.redeemedAt,
  };
}

/** A new code for the customer to continue on `to` (a collision on the code aborts the unit and is re-planned). */
export function planHandoff(ctx: ActionContext, to: JourneyChannel): Plan<{ handoff: HandoffView }> {
  const row: HandoffRow = {
    code: randomCode(HANDOFF_CODE_LENGTH),
    customerId: ctx.customer.id,
    fromChannel: ctx.channel,
    toChannel: to,
    createdAt: ctx.now.toISOString(),
    expiresAt: new Date(ctx.now.getTime() + HANDOFF_TTL_MS).toISOString(),
    redeemedAt: null,
    redeemedIdentityId: null,
  };
  const handoff = handoffView(row, ctx.view.baseUrl);
  return {
    result: { handoff },
    statements: (orm) => [orm.insert(handoffs).values(row)],
    summary: `Handoff ${row.code} to ${to}`,
    detail: handoff.url,
  };
}

export const RedeemResultSchema = z
  .object({
    customer: z.string().openapi({ example: "cus_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    identity: IdentitySchema,
    handoff: HandoffSchema,
    cart: CartSchema,
  })
  .openapi("HandoffRedemption", {
    description:
      "A redeemed handoff: `identity` now belongs to `customer`, whose cart it shares. An identity that already belongs to another customer with a history of their own (orders, a cart with items, a name or email, another channel's identity) is never moved: that redemption is refused with 409 `conflict` and the code stays unused.",
  });

/**
 * Refused: the redeeming identity belongs to another customer with a history of their own, which a handoff never
 * takes away from them (nothing changed; the code stays usable by a new identity). An `ApiError` (409 `conflict`),
 * a class of its own so the storefront can explain it in the shopper's language.
 */
export class HandoffIdentityTaken extends ApiError {
  constructor(channel: JourneyChannel) {
    super(
      "conflict",
      `This ${channel} identity already has orders, a cart, details or another channel of its own: a handoff code never moves it to another customer. Continue with a new identity (on the web: another browser or a private window).`,
    );
    this.name = "HandoffIdentityTaken";
  }
}

/**
 * Whether the customer `customerId` has a history that keeps `identityId` theirs: an order, a cart line, a name or
 * email, or an identity besides this one. One SQL condition, read by {@link previewHandoff} and checked again inside
 * the atomic unit that would move the identity (so a cart filled or an order placed in between still counts).
 */
function historyOf(customerId: string, identityId: string): SQL {
  // Tables named in full: the condition is also part of an UPDATE of `identities`, where drizzle would name columns bare.
  return sql`(EXISTS (SELECT 1 FROM orders WHERE orders.customer_id = ${customerId})
    OR EXISTS (SELECT 1 FROM cart_lines INNER JOIN carts ON carts.id = cart_lines.cart_id WHERE carts.customer_id = ${customerId})
    OR EXISTS (SELECT 1 FROM customers WHERE customers.id = ${customerId} AND (customers.name IS NOT NULL OR customers.email IS NOT NULL))
    OR EXISTS (SELECT 1 FROM identities AS other WHERE other.customer_id = ${customerId} AND other.id <> ${identityId}))`;
}

async function hasHistory(db: Database, identity: IdentityRow): Promise<boolean> {
  const [row] = await db.orm.all<{ taken: number }>(sql`SELECT ${historyOf(identity.customerId, identity.id)} AS taken`);
  return Boolean(row?.taken);
}

/** The code's row, when it can still be redeemed: else 404 `not_found`, 409 `handoff_used` or 410 `handoff_expired`. */
async function usableHandoff(db: Database, code: string, at: string): Promise<HandoffRow> {
  const [row] = await db.orm.select().from(handoffs).where(eq(handoffs.code, code)).limit(1);
  if (!row) throw new ApiError("not_found", `No handoff with code ${code}.`);
  if (row.redeemedAt) throw new ApiError("handoff_used", "This handoff code was already used. Ask for a new one.");
  if (row.expiresAt <= at) throw new ApiError("handoff_expired", "This handoff code has expired. Ask for a new one.");
  return row;
}

/**
 * What redeeming a code would do to an identity: `new` (it joins the customer), `same` (it is theirs already),
 * `move` (it leaves a customer who has nothing yet) or `refused` (its customer has a history: {@link HandoffIdentityTaken}).
 */
export type HandoffJoin = "new" | "same" | "move" | "refused";

/** A handoff as the one who opens its link may see it: where it comes from and how much is in that cart, no personal data. */
export interface HandoffPreview {
  code: string;
  from: JourneyChannel;
  to: JourneyChannel;
  expiresAt: string;
  /** Items in the cart of the customer who asked for the code. */
  itemCount: number;
  join: HandoffJoin;
}

/**
 * Reads, and changes nothing: whether a code can be redeemed (the same 404 / 409 / 410 as {@link redeemHandoff}) and
 * what redeeming it would do to `identity` (null: an identity that does not exist yet, such as a browser without a
 * session). The storefront's `GET /h/{code}` shows this before the shopper confirms.
 *
 * @example
 * const preview = await previewHandoff(db, { code: "K7QM3XZT", identity: null }, now);
 * // { from: "sms", to: "web", itemCount: 2, join: "new", … }
 */
export async function previewHandoff(db: Database, input: { code: string; identity: Identity | null }, now: Date): Promise<HandoffPreview> {
  const row = await usableHandoff(db, input.code, now.toISOString());
  const [count] = await db.orm
    .select({ n: sql<number>`coalesce(sum(${cartLines.quantity}), 0)` })
    .from(carts)
    .innerJoin(cartLines, eq(cartLines.cartId, carts.id))
    .where(eq(carts.customerId, row.customerId));
  const existing = input.identity ? await findIdentity(db, input.identity) : null;
  const join: HandoffJoin = !existing
    ? "new"
    : existing.customerId === row.customerId
      ? "same"
      : (await hasHistory(db, existing))
        ? "refused"
        : "move";
  return { code: row.code, from: row.fromChannel, to: row.toChannel, expiresAt: row.expiresAt, itemCount: Number(count?.n ?? 0), join };
}

/**
 * Redeems a code for an identity: single use (a compare-and-set on
 * `redeemed_at`), unexpired, and linking the identity to the code's customer
 * in the same atomic unit. A new identity joins; an identity of another customer
 * moves only while that customer has no history (orders, cart lines, a name or
 * email, another identity), checked in the same unit: otherwise
 * {@link HandoffIdentityTaken} (409), nothing changes and the code stays unused.
 *
 * @example
 * const { customer, cart } = await redeemHandoff(db, { code: "K7QM3XZT", identity: { channel: "web", externalId: session } }, now, view);
 */
export async function redeemHandoff(
  db: Database,
  input: { code: string; identity: Identity },
  now: Date,
  view: ViewContext,
): Promise<{ customer: string; identity: Identity; handoff: HandoffView; cart: CartView }> {
  const at = now.toISOString();
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await usableHandoff(db, input.code, at);
    const existing = await findIdentity(db, input.identity);
    if (existing && existing.customerId !== row.customerId && (await hasHistory(db, existing))) {
      throw new HandoffIdentityTaken(input.identity.channel);
    }
    const identityId = existing?.id ?? newId("idn");
    const token = newId("wt");
    const link = (orm: Orm): Statement[] => {
      if (!existing) {
        return [
          orm.insert(identities).values({
            id: identityId,
            channel: input.identity.channel,
            externalId: input.identity.externalId,
            customerId: row.customerId,
            createdAt: at,
            linkedAt: at,
          }),
        ];
      }
      if (existing.customerId === row.customerId) return [];
      // Moves only while its customer still has no history: an order or a cart line added since the read aborts the unit.
      const moved = newId("wt");
      return [
        orm
          .update(identities)
          .set({ customerId: row.customerId, linkedAt: at })
          .where(
            and(
              eq(identities.id, existing.id),
              eq(identities.customerId, existing.customerId),
              sql`NOT ${historyOf(existing.customerId, existing.id)}`,
            ),
          ),
        guardWhen(moved, sql`SELECT changes()`),
        releaseGuard(moved),
      ];
    };
    try {
      await db.atomic((orm) => [
        orm
          .update(handoffs)
          .set({ redeemedAt: at, redeemedIdentityId: identityId })
          .where(and(eq(handoffs.code, row.code), isNull(handoffs.redeemedAt), gt(handoffs.expiresAt, at))),
        guardWhen(token, sql`SELECT changes()`),
        ...link(orm),
        recordInteraction(orm, {
          customerId: row.customerId,
          channel: input.identity.channel,
          direction: "action",
          actionKey: "handoff",
          summary: `Continued from ${row.fromChannel} on ${input.identity.channel} (handoff ${row.code})`,
          payload: { code: row.code, from: row.fromChannel, to: row.toChannel, identity: input.identity },
          at,
        }),
        releaseGuard(token),
      ]);
    } catch (error) {
      // Someone redeemed it (or the identity moved) in between: read again and answer from the new state.
      if (isGuardFailure(error) || isUniqueViolation(error)) continue;
      throw error;
    }
    const state = await loadCartOf(db, row.customerId);
    if (!state) throw new Error(`Customer ${row.customerId} has no cart.`);
    return {
      customer: row.customerId,
      identity: input.identity,
      handoff: handoffView({ ...row, redeemedAt: at, redeemedIdentityId: identityId }, view.baseUrl),
      cart: await cartView(db, state, view),
    };
  }
  throw new ApiError("conflict", "This handoff is being redeemed by another request. Retry.");
}
