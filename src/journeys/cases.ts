/**
 * Agent cases. Contacting an agent opens a case that carries the customer's
 * cross-channel timeline and cart as they were at that moment, so whoever
 * picks it up never asks the customer to repeat themselves. A customer has at
 * most one open case (a partial unique index); asking again while one is open
 * returns it.
 */
import { z } from "@hono/zod-openapi";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { type Database, guardWhen, isGuardFailure, releaseGuard } from "../db/client";
import { cases } from "../db/schema";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { newId } from "../lib/ids";
import { CartSchema, cartView, loadCart } from "./carts";
import { JourneyChannelSchema } from "./channels";
import { InteractionSchema, recentTimeline, recordInteraction } from "./interactions";
import type { ActionContext, Plan } from "./plan";

export type CaseRow = typeof cases.$inferSelect;

/** How much history a case carries: the most recent interactions, oldest first. */
export const CASE_TIMELINE_MAX = 200;

export const CaseIdSchema = z
  .string()
  .regex(/^case_[0-9a-f]{32}$/, "A case id looks like case_ followed by 32 hex digits.")
  .openapi({ example: "case_019a3c5e7b2d0000a1b2c3d4e5f60718" });

export const CaseSummarySchema = z
  .object({
    id: CaseIdSchema,
    customer: z.string().openapi({ example: "cus_019a3c5e7b2d0000a1b2c3d4e5f60718" }),
    status: z.enum(["open", "closed"]),
    channel: JourneyChannelSchema.openapi({ description: "Where the customer asked for an agent." }),
    message: z.string().nullable().openapi({ example: "My parcel has not arrived." }),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    resolution: z.string().nullable(),
  })
  .openapi("CaseSummary");
export type CaseSummary = z.infer<typeof CaseSummarySchema>;

export const CaseSnapshotSchema = z
  .object({
    timeline: z
      .array(InteractionSchema)
      .openapi({ description: `The customer's last ${CASE_TIMELINE_MAX} interactions, every channel, oldest first.` }),
    cart: CartSchema,
  })
  .openapi("CaseSnapshot");

export const CaseSchema = CaseSummarySchema.extend({ snapshot: CaseSnapshotSchema }).openapi("Case");
export type CaseView = z.infer<typeof CaseSchema>;

export function caseSummary(row: CaseRow): CaseSummary {
  return {
    id: row.id,
    customer: row.customerId,
    status: row.status,
    channel: row.channel,
    message: row.message,
    openedAt: row.openedAt,
    closedAt: row.closedAt,
    resolution: row.resolution,
  };
}

export function caseView(row: CaseRow): CaseView {
  return { ...caseSummary(row), snapshot: JSON.parse(row.snapshot) as CaseView["snapshot"] };
}

/** Opens a case with the snapshot, or returns the customer's open one. */
export async function planOpenCase(ctx: ActionContext, message: string | null): Promise<Plan<{ case: CaseSummary; reused: boolean }>> {
  const [open] = await ctx.db.orm
    .select()
    .from(cases)
    .where(and(eq(cases.customerId, ctx.customer.id), eq(cases.status, "open")))
    .limit(1);
  if (open) {
    return {
      result: { case: caseSummary(open), reused: true },
      statements: () => [],
      summary: `Asked for an agent again (case ${open.id} is open)${message ? `: ${message}` : ""}`,
    };
  }
  const snapshot = {
    timeline: await recentTimeline(ctx.db, ctx.customer.id, CASE_TIMELINE_MAX),
    cart: await cartView(ctx.db, await loadCart(ctx.db, ctx.cartId), ctx.view),
  };
  const row: CaseRow = {
    id: newId("case"),
    customerId: ctx.customer.id,
    status: "open",
    channel: ctx.channel,
    message,
    snapshot: JSON.stringify(snapshot),
    openedAt: ctx.now.toISOString(),
    closedAt: null,
    closedBy: null,
    resolution: null,
  };
  return {
    result: { case: caseSummary(row), reused: false },
    // A concurrent request opening a case too hits the one-open-case index; the re-plan finds that case.
    statements: (orm) => [orm.insert(cases).values(row)],
    summary: `Asked for an agent${message ? `: ${message}` : ""}`,
  };
}

type IdCursor = { i: string; f: string };
const isIdCursor = (v: Record<string, unknown>): v is IdCursor => typeof v.i === "string" && typeof v.f === "string";

/** Cases, newest first; filter by status and customer. */
export async function listCases(
  db: Database,
  query: { limit: number; cursor?: string | undefined; status?: "open" | "closed" | undefined; customer?: string | undefined },
): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
  const filter = `${query.status ?? ""}|${query.customer ?? ""}`;
  const after = query.cursor ? decodeCursor("cases", query.cursor, isIdCursor) : null;
  if (after && after.f !== filter) throw new ApiError("invalid_cursor", "This cursor belongs to other filters.");
  const rows = await db.orm
    .select()
    .from(cases)
    .where(
      and(
        query.status ? eq(cases.status, query.status) : undefined,
        query.customer ? eq(cases.customerId, query.customer) : undefined,
        after ? lt(cases.id, after.i) : undefined,
      ),
    )
    .orderBy(desc(cases.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(caseSummary),
    nextCursor: rows.length > query.limit && last ? encodeCursor("cases", { i: last.id, f: filter }) : null,
  };
}

export async function getCase(db: Database, id: string): Promise<CaseRow> {
  const [row] = await db.orm.select().from(cases).where(eq(cases.id, id)).limit(1);
  if (!row) throw new ApiError("not_found", `No case "${id}".`);
  return row;
}

/**
 * Closes a case and notes it on the customer's timeline. Closing a closed case
 * changes nothing and returns it as it is (a retried close is harmless).
 */
export async function closeCase(
  db: Database,
  id: string,
  input: { resolution: string | null },
  now: Date,
  keyId: string | null,
): Promise<CaseView> {
  const row = await getCase(db, id);
  if (row.status === "closed") return caseView(row);
  const at = now.toISOString();
  const token = newId("wt");
  try {
    await db.atomic((orm) => [
      orm
        .update(cases)
        .set({ status: "closed", closedAt: at, closedBy: keyId, resolution: input.resolution })
        .where(and(eq(cases.id, id), eq(cases.status, "open"))),
      // Only the close that actually changed the case writes the timeline entry.
      guardWhen(token, sql`SELECT changes()`),
      recordInteraction(orm, {
        customerId: row.customerId,
        channel: row.channel,
        direction: "action",
        actionKey: null,
        summary: `Agent case closed${input.resolution ? `: ${input.resolution}` : ""}`,
        payload: { case: id, resolution: input.resolution },
        at,
      }),
      releaseGuard(token),
    ]);
  } catch (error) {
    if (!isGuardFailure(error)) throw error;
  }
  return caseView(await getCase(db, id));
}
