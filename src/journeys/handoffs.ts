/**
 * Handoffs move a journey to another channel: a chat shopper gets a short code
 * and a link on the shop's own domain that opens the same cart on the web.
 * Codes are single use and expire after 30 minutes; redeeming one links the
 * redeeming identity to the customer, so both channels share one cart, one
 * order history and one timeline from then on.
 */
import { z } from "@hono/zod-openapi";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { ViewContext } from "../catalogue/products";
import { type Database, guardWhen, isGuardFailure, isUniqueViolation, type Orm, releaseGuard, type Statement } from "../db/client";
import { handoffs, identities } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { CartSchema, type CartView, cartView, loadCartOf } from "./carts";
import { type Identity, IdentitySchema, type JourneyChannel, JourneyChannelSchema } from "./channels";
import { HANDOFF_CODE_LENGTH, randomCode } from "./codes";
import { findIdentity } from "./customers";
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
  .openapi("HandoffRedemption");

/**
 * Redeems a code for an identity: single use (a compare-and-set on
 * `redeemed_at`), unexpired, and linking the identity to the code's customer
 * in the same atomic unit. An identity that belonged to another customer moves
 * (what that customer already had stays with them).
 */
export async function redeemHandoff(
  db: Database,
  input: { code: string; identity: Identity },
  now: Date,
  view: ViewContext,
): Promise<{ customer: string; identity: Identity; handoff: HandoffView; cart: CartView }> {
  const at = now.toISOString();
  for (let attempt = 0; attempt < 3; attempt++) {
    const [row] = await db.orm.select().from(handoffs).where(eq(handoffs.code, input.code)).limit(1);
    if (!row) throw new ApiError("not_found", `No handoff with code ${input.code}.`);
    if (row.redeemedAt) throw new ApiError("handoff_used", "This handoff code was already used. Ask for a new one.");
    if (row.expiresAt <= at) throw new ApiError("handoff_expired", "This handoff code has expired. Ask for a new one.");

    const existing = await findIdentity(db, input.identity);
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
      const moved = newId("wt");
      return [
        orm
          .update(identities)
          .set({ customerId: row.customerId, linkedAt: at })
          .where(and(eq(identities.id, existing.id), eq(identities.customerId, existing.customerId))),
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
