/**
 * Customers and their identities. An identity seen for the first time creates
 * a customer (with their one cart) in one atomic unit; concurrent first
 * contacts from the same identity resolve to one customer because the
 * identity's (channel, external id) is unique and the loser re-reads.
 */
import { z } from "@hono/zod-openapi";
import { and, asc, desc, eq, or, sql } from "drizzle-orm";
import { type Database, isUniqueViolation, type Orm, prepared, type Statement } from "../db/client";
import { auditLog, carts, customers, identities } from "../db/schema";
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
    name: z.string().nullable().openapi({ description: "Optional, set by staff or at checkout.", example: "Ingrid Berg" }),
    email: z.string().nullable().openapi({ description: "Optional; stored trimmed and in lower case.", example: "ingrid@example.com" }),
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

/** The identity of the `channel` and `externalId` placeholders (prepared reads by a channel handle). */
export const byIdentity = and(eq(identities.channel, sql.placeholder("channel")), eq(identities.externalId, sql.placeholder("externalId")));

/** The identity row of a channel handle (a prepared read: every page of a shopper's session asks). */
export async function findIdentity(db: Database, identity: Identity): Promise<IdentityRow | null> {
  const query = prepared(db, "identity", (orm) => orm.select().from(identities).where(byIdentity).limit(1).prepare());
  const [row] = await query.all({ channel: identity.channel, externalId: identity.externalId });
  return row ?? null;
}

export async function findCustomer(db: Database, id: string): Promise<CustomerRow | null> {
  const query = prepared(db, "customer", (orm) =>
    orm
      .select()
      .from(customers)
      .where(eq(customers.id, sql.placeholder("id")))
      .limit(1)
      .prepare(),
  );
  const [row] = await query.all({ id });
  return row ?? null;
}

export async function getCustomer(db: Database, id: string): Promise<CustomerRow> {
  const row = await findCustomer(db, id);
  if (!row) throw new ApiError("not_found", `No customer "${id}".`);
  return row;
}

/** The customer's cart id; customers get their cart when they are created, this only repairs a missing one. */
export async function cartIdOf(db: Database, customerId: string, now: Date): Promise<string> {
  const query = prepared(db, "cart-id-of", (orm) =>
    orm
      .select({ id: carts.id })
      .from(carts)
      .where(eq(carts.customerId, sql.placeholder("customerId")))
      .limit(1)
      .prepare(),
  );
  const [row] = await query.all({ customerId });
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
    const customer: CustomerRow = {
      id: newId("cus"),
      firstChannel: identity.channel,
      createdAt: at,
      name: null,
      nameKey: null,
      email: null,
      updatedAt: null,
    };
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
    name: customer.name,
    email: customer.email,
    identities: rows.map((r) => ({ channel: r.channel, externalId: r.externalId, createdAt: r.createdAt, linkedAt: r.linkedAt })),
  };
}

/** `LIKE` pattern text with its wildcards taken literally (`ESCAPE '\'`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** A name as search compares it: Unicode lower case, without diacritics (“Zoë” is found by “zoe”). */
export function foldName(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ").trim();
}

export const CustomerNameSchema = z
  .string()
  .trim()
  .min(1, "A name has at least one visible character.")
  .max(200)
  .refine((v) => !/\p{Cc}/u.test(v), "A name has no control characters.");

export const CustomerEmailSchema = z.string().trim().max(254).toLowerCase().pipe(z.email("Not an email address (name@example.com)."));

export const CustomerProfilePatchSchema = z
  .strictObject({
    name: CustomerNameSchema.nullable().optional().openapi({ description: "`null` removes it.", example: "Ingrid Berg" }),
    email: CustomerEmailSchema.nullable()
      .optional()
      .openapi({ description: "Validated, trimmed and lower-cased; `null` removes it.", example: "Ingrid@Example.com" }),
  })
  .openapi("CustomerProfilePatch");
export type CustomerProfilePatch = z.input<typeof CustomerProfilePatchSchema>;

/**
 * Sets a customer's optional profile, JSON Merge Patch style: a field left out stays, `null` removes it. The email is
 * validated, trimmed and lower-cased; the name is trimmed and indexed for search. Bad input is a 400
 * `validation_failed` and changes nothing. The change and an audit-log row (`customer.update`: who and when, never the
 * values) are one atomic write. The checkout calls this with what the customer typed (`keyId` null: the customer).
 *
 * @example
 * await setCustomerProfile(db, "cus_…", { name: "Ingrid Berg", email: "Ingrid@Example.com" }, now)
 */
export async function setCustomerProfile(
  db: Database,
  customerId: string,
  patch: CustomerProfilePatch,
  now: Date,
  keyId: string | null = null,
): Promise<CustomerRow> {
  const parsed = CustomerProfilePatchSchema.safeParse(patch);
  if (!parsed.success) {
    throw new ApiError("validation_failed", parsed.error.issues.map((i) => `${i.path.join(".") || "profile"}: ${i.message}`).join("; "));
  }
  await getCustomer(db, customerId);
  const { name, email } = parsed.data;
  const set: Partial<CustomerRow> = { updatedAt: now.toISOString() };
  if (name !== undefined) {
    set.name = name;
    set.nameKey = name === null ? null : foldName(name);
  }
  if (email !== undefined) set.email = email;
  await db.atomic((orm) => [
    orm.update(customers).set(set).where(eq(customers.id, customerId)),
    orm.insert(auditLog).values({
      id: newId("aud"),
      at: now.toISOString(),
      keyId,
      action: "customer.update",
      entityType: "customer",
      entityKey: customerId,
    }),
  ]);
  return getCustomer(db, customerId);
}

/** The audit-log row of one look at a customer: who (key id) and when; the customer's id is the only thing about them. */
export async function recordCustomerView(db: Database, customerId: string, keyId: string | null, now: Date): Promise<void> {
  await db.atomic((orm) => [
    orm.insert(auditLog).values({
      id: newId("aud"),
      at: now.toISOString(),
      keyId,
      action: "customer.view",
      entityType: "customer",
      entityKey: customerId,
    }),
  ]);
}

/**
 * A typed phone number as identities store it: spaces, dashes, dots and brackets dropped, `00` read as `+`; the
 * digits are what is matched (SMS identities are E.164 with `+`, WhatsApp ids the same digits without it), and a
 * national trunk `0` is dropped when no country code was typed (`06 12 34 56 78` finds `+33612345678`).
 * Null when the text is not a phone number.
 */
export function phoneDigits(text: string): string | null {
  if (!/^[\s(]*\+?[\d\s().\-/]+$/.test(text)) return null;
  const international = /^[\s(]*(\+|00)/.test(text);
  let digits = text.replace(/\D/g, "");
  if (/^[\s(]*00/.test(text)) digits = digits.slice(2);
  else if (!international && digits.startsWith("0")) digits = digits.slice(1);
  return digits.length >= 3 ? digits : null;
}

/**
 * Customers found by name (case- and accent-insensitive, any part), email (any part, case-insensitive), phone number
 * (however it is spelled: `+47 912 34 567`, `0047-91234567`, `(912) 34567`), any other identity (a WhatsApp or Slack
 * id, a web session, …; a part of one is enough, spaces ignored) or their id; without a query, the newest customers.
 * At most `limit`.
 *
 * @example
 * await searchCustomers(db, { q: "ingrid@EXAMPLE", limit: 20 }, now)
 */
export async function searchCustomers(db: Database, query: { q?: string | undefined; limit: number }, now: Date): Promise<CustomerView[]> {
  const raw = (query.q ?? "").trim();
  const q = raw.replace(/\s+/g, "");
  let ids: string[];
  if (!q) {
    const rows = await db.orm
      .select({ id: customers.id })
      .from(customers)
      .orderBy(desc(customers.createdAt), desc(customers.id))
      .limit(query.limit);
    ids = rows.map((r) => r.id);
  } else {
    const like = (text: string) => `%${likeLiteral(text)}%`;
    const digits = phoneDigits(raw);
    const byIdentity = or(
      eq(identities.customerId, q),
      sql`${identities.externalId} LIKE ${like(q)} ESCAPE '\\'`,
      digits ? sql`${identities.externalId} LIKE ${like(digits)} ESCAPE '\\'` : undefined,
    );
    const rows = await db.orm.all<{ id: string }>(sql`
      SELECT id FROM (
        SELECT ${identities.customerId} AS id FROM ${identities} WHERE ${byIdentity}
        UNION
        SELECT ${customers.id} AS id FROM ${customers}
        WHERE ${customers.nameKey} LIKE ${like(foldName(raw))} ESCAPE '\\' OR ${customers.email} LIKE ${like(q.toLowerCase())} ESCAPE '\\'
      ) ORDER BY id LIMIT ${query.limit}`);
    ids = rows.map((r) => r.id);
  }
  const out: CustomerView[] = [];
  for (const id of ids) {
    const row = await findCustomer(db, id);
    if (row) out.push(await customerView(db, row, now));
  }
  return out;
}

/**
 * What a checkout's delivery address tells about the customer: the name and email fill the profile
 * where it has none (staff edits and earlier answers are kept), in the order's own atomic batch.
 */
export function fillProfileFromAddress(orm: Orm, customerId: string, who: { name: string; email: string }, now: string): Statement {
  const email = who.email.trim().toLowerCase();
  return orm
    .update(customers)
    .set({
      name: sql`COALESCE(${customers.name}, ${who.name})`,
      nameKey: sql`COALESCE(${customers.nameKey}, ${foldName(who.name)})`,
      email: sql`COALESCE(${customers.email}, ${email})`,
      updatedAt: now,
    })
    .where(eq(customers.id, customerId));
}
