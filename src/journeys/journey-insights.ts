/**
 * The journey picture for operators: where journeys start, how they end (an
 * order, a case, or a drop), what crossing channels is worth (orders and
 * revenue per customer by how many channels they used), the effort a journey
 * takes per channel path (interactions and time from first contact to an
 * order or a closed case), and the consistency trend (violations let through
 * by forced publishes, per day, channel and rule, from the audit log). Pure
 * SQL aggregation plus a little arithmetic; the same on better-sqlite3 and D1.
 */
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { JOURNEY_CHANNELS, type JourneyChannel } from "../db/schema";

const Channel = z.enum(JOURNEY_CHANNELS);
const Money = z.number().int().openapi({ description: "Minor units (cents) of the shop's currency.", example: 12900 });

export const JourneyInsightsSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }),
    starts: z
      .array(
        z.object({
          channel: Channel,
          journeys: z
            .number()
            .int()
            .openapi({ description: "Customers active in the period whose first interaction ever was on this channel." }),
          ordered: z.number().int().openapi({ description: "…of whom placed an order in the period." }),
          caseOnly: z.number().int().openapi({ description: "…of whom opened an agent case but placed no order." }),
          dropped: z.number().int().openapi({ description: "…of whom did neither." }),
        }),
      )
      .openapi({ description: "Where journeys start and how they end, per starting channel (every channel listed)." }),
    ends: z
      .array(z.object({ channel: Channel, orders: z.number().int() }))
      .openapi({ description: "Where journeys end in an order: orders placed in the period per channel." }),
    crossChannel: z
      .array(
        z.object({
          channels: z
            .number()
            .int()
            .openapi({ description: "How many distinct channels the customer used in the period (3 means 3 or more).", example: 2 }),
          customers: z.number().int(),
          orders: z.number().int(),
          revenue: Money.openapi({ description: "Total of the orders placed in the period, cancelled ones excluded (minor units)." }),
          ordersPerCustomer: z.number().nullable(),
          revenuePerCustomer: z.number().nullable().openapi({ description: "Minor units, rounded." }),
        }),
      )
      .openapi({ description: "The value of crossing channels: single-channel (1) against cross-channel (2, 3+) customers." }),
    effort: z
      .array(
        z.object({
          path: z
            .array(Channel)
            .openapi({ description: "The channels in the order the customer first used them in the period.", example: ["sms", "web"] }),
          journeys: z.number().int(),
          reached: z.number().int().openapi({ description: "Journeys that reached an order or a closed case in the period." }),
          interactions: z.number().nullable().openapi({
            description: "Mean interactions from first contact to the first order or closed case, over journeys that reached one.",
          }),
          hours: z.number().nullable().openapi({
            description: "Mean hours from first contact (in the period) to the first order or closed case, over journeys that reached one.",
          }),
        }),
      )
      .openapi({ description: "Effort per channel path, most journeys first (at most 20 paths)." }),
    consistency: z
      .array(
        z.object({
          day: z.string().openapi({ example: "2026-11-24" }),
          channel: z.string(),
          rule: z.string(),
          violations: z.number().int(),
        }),
      )
      .openapi({
        description:
          "Parity violations let through by forced publishes (the audit log's `*.publish_forced` entries), per day, channel and rule. A publish the gate refused is not live, so it is not counted.",
      }),
  })
  .openapi("JourneyInsights");
export type JourneyInsights = z.infer<typeof JourneyInsightsSchema>;

type Row = Record<string, string | number | null>;
const num = (v: unknown) => Number(v ?? 0);
const mean = (sum: number, n: number, digits: number) => (n ? Math.round((sum / n) * 10 ** digits) / 10 ** digits : null);

/**
 * @example
 * await journeyInsights(db, { from: new Date("2026-11-01"), to: new Date("2026-12-01") })
 */
export async function journeyInsights(db: Database, period: { from: Date; to: Date }): Promise<JourneyInsights> {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const all = async (query: ReturnType<typeof sql>) => (await db.orm.all(query)) as Row[];

  // One row per customer active in the period: where they started (ever), their first contact in the period, their outcome.
  const journeys = await all(sql`WITH active AS (
      SELECT customer_id, MIN(at) AS first_at, COUNT(DISTINCT channel) AS channels FROM interactions
      WHERE at >= ${from} AND at < ${to} GROUP BY customer_id
    ), outcome AS (
      SELECT a.customer_id, a.first_at, a.channels,
        (SELECT MIN(placed_at) FROM orders o WHERE o.customer_id = a.customer_id AND o.placed_at >= ${from} AND o.placed_at < ${to}) AS ordered_at,
        (SELECT MIN(closed_at) FROM cases k WHERE k.customer_id = a.customer_id AND k.closed_at >= ${from} AND k.closed_at < ${to}) AS closed_at,
        (SELECT COUNT(*) FROM cases k WHERE k.customer_id = a.customer_id AND k.opened_at >= ${from} AND k.opened_at < ${to}) AS cases,
        (SELECT COUNT(*) FROM orders o WHERE o.customer_id = a.customer_id AND o.placed_at >= ${from} AND o.placed_at < ${to}) AS orders,
        (SELECT COALESCE(SUM(total), 0) FROM orders o WHERE o.customer_id = a.customer_id AND o.placed_at >= ${from} AND o.placed_at < ${to}
          AND o.status <> 'cancelled') AS revenue,
        (SELECT i.channel FROM interactions i WHERE i.customer_id = a.customer_id ORDER BY i.seq LIMIT 1) AS start
      FROM active a
    )
    SELECT o.*, (SELECT COUNT(*) FROM interactions j WHERE j.customer_id = o.customer_id AND j.at >= ${from}
        AND j.at <= COALESCE(MIN(COALESCE(o.ordered_at, o.closed_at), COALESCE(o.closed_at, o.ordered_at)), '')) AS effort
    FROM outcome o ORDER BY o.customer_id`);
  // The order in which each active customer first used each channel in the period: their path.
  const firstUse = await all(sql`SELECT customer_id, channel, MIN(seq) AS seq FROM interactions WHERE at >= ${from} AND at < ${to}
    GROUP BY customer_id, channel ORDER BY customer_id, seq`);
  const ends = await all(sql`SELECT channel, COUNT(*) AS n FROM orders WHERE placed_at >= ${from} AND placed_at < ${to} GROUP BY channel`);
  const forced = await all(sql`SELECT substr(a.at, 1, 10) AS day, json_extract(v.value, '$.channel') AS channel,
      json_extract(v.value, '$.rule') AS rule, COUNT(*) AS n
    FROM audit_log a, json_each(a.detail, '$.violations') v
    WHERE a.action LIKE '%.publish_forced' AND a.at >= ${from} AND a.at < ${to} AND json_valid(a.detail)
    GROUP BY day, channel, rule ORDER BY day, channel, rule`);

  const paths = new Map<string, JourneyChannel[]>();
  for (const r of firstUse) {
    const id = String(r.customer_id);
    const path = paths.get(id) ?? [];
    path.push(r.channel as JourneyChannel);
    paths.set(id, path);
  }

  const starts = new Map(JOURNEY_CHANNELS.map((c) => [c, { channel: c, journeys: 0, ordered: 0, caseOnly: 0, dropped: 0 }]));
  const bands = [1, 2, 3].map((channels) => ({ channels, customers: 0, orders: 0, revenue: 0 }));
  const efforts = new Map<string, { path: JourneyChannel[]; journeys: number; reached: number; interactions: number; ms: number }>();
  for (const j of journeys) {
    const start = starts.get(j.start as JourneyChannel);
    if (start) {
      start.journeys++;
      if (num(j.orders) > 0) start.ordered++;
      else if (num(j.cases) > 0) start.caseOnly++;
      else start.dropped++;
    }
    const band = bands[Math.min(num(j.channels), 3) - 1];
    if (band) {
      band.customers++;
      band.orders += num(j.orders);
      band.revenue += num(j.revenue);
    }
    const path = paths.get(String(j.customer_id)) ?? [];
    const key = path.join(">");
    const effort = efforts.get(key) ?? { path, journeys: 0, reached: 0, interactions: 0, ms: 0 };
    effort.journeys++;
    const reachedAt = [j.ordered_at, j.closed_at].filter((v): v is string => typeof v === "string").sort()[0];
    if (reachedAt) {
      effort.reached++;
      effort.interactions += num(j.effort);
      effort.ms += Date.parse(reachedAt) - Date.parse(String(j.first_at));
    }
    efforts.set(key, effort);
  }

  return {
    period: { from, to },
    starts: [...starts.values()],
    ends: JOURNEY_CHANNELS.map((channel) => ({ channel, orders: num(ends.find((e) => e.channel === channel)?.n) })),
    crossChannel: bands.map((b) => ({
      ...b,
      ordersPerCustomer: mean(b.orders, b.customers, 2),
      revenuePerCustomer: mean(b.revenue, b.customers, 0),
    })),
    effort: [...efforts.values()]
      .sort((a, b) => b.journeys - a.journeys || a.path.join(">").localeCompare(b.path.join(">")))
      .slice(0, 20)
      .map((e) => ({
        path: e.path,
        journeys: e.journeys,
        reached: e.reached,
        interactions: mean(e.interactions, e.reached, 1),
        hours: mean(e.ms / 3_600_000, e.reached, 1),
      })),
    consistency: forced.map((f) => ({ day: String(f.day), channel: String(f.channel), rule: String(f.rule), violations: num(f.n) })),
  };
}
