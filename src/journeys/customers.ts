/**
 * Customers and their identities. An identity seen for the first time creates
 * a customer (with their one cart) in one atomic unit; concurrent first
 * contacts from the same identity resolve to one customer because the
 * identity's (channel, external id) is unique and the loser re-reads.
 */
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { type Database, isUniqueViolation } from "../db/client";
import { carts, customers, identities } from "../db/schema";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { type Identity, type JourneyChannel, JourneyChannelSchema } from "./channels";

export type CustomerRow = typeof customers.$inferSelect;
export type IdentityRow = typeof identities.$inferSelect;

export const CustomerIdSchema = z
  .string()
  .regex(/^cus_[0-9a-f]{32}$/, "A customer id looks like cus_ followed by 32 hex digits.")
  .openapi({ example: "cus_019a3c5e7b2d0000a1b2c3d4e5f60718" });

export const CustomerSchema = z
  .object({
    id: CustomerIdSchema,
    firstChannel: JourneyChannelSchema,
    createdAt: z.string(),
    cartId: z.string().openapi({ example: "cart_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    identities: z.array(
      z.object({
        channel: JourneyChannelSchema,
        externalId: z.string().openapi({ example: "+33612345678" }),
        createdAt: z.string(),
        linkedAt: z.string().nullable().openapi({ description: "When a handoff (or a request naming the customer) linked it." }),
      }),
    ),
  })
  .openapi("Customer");
export type CustomerView = z.infer<typeof CustomerSchema>;

export interface ResolvedCustomer {
  customer: CustomerRow;
  cartId: string;
  /** True when this request created the customer (an identity seen for the first time). */
  created: boolean;
}

export async function findIdentity(db: Database, identity: Identity): Promise<IdentityRow | null> {
  const [row] = await db.orm
    .select()
    .from(identities)
    .where(and(eq(identities.channel, identity.channel), eq(identities.externalId, identity.externalId)))
    .limit(1);
  return row ?? null;
}

export async function findCustomer(db: Database, id: string): Promise<CustomerRow | null> {
  const [row] = await db.orm.select().from(customers).where(eq(customers.id, id)).limit(1);
  return row ?? null;
}

export async function getCustomer(db: Database, id: string): Promise<CustomerRow> {
  const row = await findCustomer(db, id);
  if (!row) throw new ApiError("not_found", `No customer "${id}".`);
  return row;
}

/** The customer's cart id; customers get their cart when they are created, this only repairs a missing one. */
export async function cartIdOf(db: Database, customerId: string, now: Date): Promise<string> {
  const [row] = await db.orm.select({ id: carts.id }).from(carts).where(eq(carts.customerId, customerId)).limit(1);
  if (row) return row.id;
  const at = now.toISOString();
  await db.atomic((orm) => [
    orm
      .insert(carts)
      .values({ id: newId("cart"), customerId, createdAt: at, updatedAt: at })
      .onConflictDoNothing(),
  ]);
  const [created] = await db.orm.select({ id: carts.id }).from(carts).where(eq(carts.customerId, customerId)).limit(1);
  if (!created) throw new Error(`Cart of ${customerId} could not be created.`);
  return created.id;
}

/**
 * Finds the customer a request is for. With an identity only: that identity's
 * customer, created on first sight. With a customer id only: that customer.
 * With both: the identity must be the customer's (403 otherwise); an identity
 * never seen before is linked to the customer named.
 *
 * @example
 * const { customer } = await resolveCustomer(db, { identity: { channel: "sms", externalId: "+33612345678" }, channel: "sms" }, now);
 */
export async function resolveCustomer(
  db: Database,
  who: { customerId?: string | undefined; identity?: Identity | undefined; channel: JourneyChannel },
  now: Date,
): Promise<ResolvedCustomer> {
  const at = now.toISOString();
  // A concurrent first contact may win the unique identity: re-read and resolve to its customer.
  for (let attempt = 0; attempt < 3; attempt++) {
    const found = who.identity ? await findIdentity(db, who.identity) : null;
    if (found && who.customerId && found.customerId !== who.customerId) {
      throw new ApiError("forbidden", "This identity belongs to another customer. A customer reaches only their own data.");
    }
    const customerId = found?.customerId ?? who.customerId;
    if (customerId) {
      const customer = await getCustomer(db, customerId);
      if (who.identity && !found) {
        const identity = who.identity;
        try {
          await db.atomic((orm) => [
            orm.insert(identities).values({
              id: newId("idn"),
              channel: identity.channel,
              externalId: identity.externalId,
              customerId,
              createdAt: at,
              linkedAt: at,
            }),
          ]);
        } catch (error) {
          if (isUniqueViolation(error)) continue;
          throw error;
        }
      }
      return { customer, cartId: await cartIdOf(db, customerId, now), created: false };
    }
    const identity = who.identity;
    if (!identity) throw new ApiError("validation_failed", "Name the customer by `customer` id or by `identity`.");
    const customer: CustomerRow = { id: newId("cus"), firstChannel: identity.channel, createdAt: at };
    const cartId = newId("cart");
    try {
      await db.atomic((orm) => [
        orm.insert(customers).values(customer),
        orm.insert(carts).values({ id: cartId, customerId: customer.id, createdAt: at, updatedAt: at }),
        orm.insert(identities).values({
          id: newId("idn"),
          channel: identity.channel,
          externalId: identity.externalId,
          customerId: customer.id,
          createdAt: at,
          linkedAt: null,
        }),
      ]);
    } catch (error) {
      if (isUniqueViolation(error)) continue;
      throw error;
    }
    return { customer, cartId, created: true };
  }
  throw new ApiError("conflict", "This identity is being set up by another request. Retry.");
}

export async function customerView(db: Database, customer: CustomerRow, now: Date): Promise<CustomerView> {
  const rows = await db.orm
    .select()
    .from(identities)
    .where(eq(identities.customerId, customer.id))
    .orderBy(asc(identities.createdAt), asc(identities.id));
  return {
    id: customer.id,
    firstChannel: customer.firstChannel,
    createdAt: customer.createdAt,
    cartId: await cartIdOf(db, customer.id, now),
    identities: rows.map((r) => ({ channel: r.channel, externalId: r.externalId, createdAt: r.createdAt, linkedAt: r.linkedAt })),
  };
}

/** `LIKE` pattern text with its wildcards taken literally (`ESCAPE '\'`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * Customers found by any of their identities (a phone number, a WhatsApp or
 * Slack id, a web session, …; a part of one is enough, spaces ignored) or by
 * their id; without a query, the newest customers. At most `limit`.
 *
 * @example
 * await searchCustomers(db, { q: "+47 91", limit: 20 }, now)
 */
export async function searchCustomers(db: Database, query: { q?: string | undefined; limit: number }, now: Date): Promise<CustomerView[]> {
  const q = (query.q ?? "").replace(/\s+/g, "");
  let ids: string[];
  if (!q) {
    const rows = await db.orm
      .select({ id: customers.id })
      .from(customers)
      .orderBy(desc(customers.createdAt), desc(customers.id))
      .limit(query.limit);
    ids = rows.map((r) => r.id);
  } else {
    const rows = await db.orm
      .selectDistinct({ id: identities.customerId })
      .from(identities)
      .where(or(eq(identities.customerId, q), sql`${identities.externalId} LIKE ${`%${likeLiteral(q)}%`} ESCAPE '\\'`))
      .orderBy(identities.customerId)
      .limit(query.limit);
    ids = rows.map((r) => r.id);
  }
  const out: CustomerView[] = [];
  for (const id of ids) {
    const row = await findCustomer(db, id);
    if (row) out.push(await customerView(db, row, now));
  }
  return out;
}
