/**
 * Channel insights for operators: per channel and period — interactions,
 * customers, customers active on two or more channels, orders and conversion,
 * satisfaction (CSAT 1–5 and NPS 0–10), handoffs between channels, open cases. Pure SQL aggregation
 * (the same statements on better-sqlite3 and D1).
 */
import { z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { JOURNEY_CHANNELS } from "../db/schema";

const Csat = z
  .object({
    ratings: z.number().int().openapi({ example: 42 }),
    average: z.number().nullable().openapi({ description: "Mean score 1–5; null without ratings.", example: 4.4 }),
    distribution: z.record(z.string(), z.number().int()).openapi({ example: { "1": 0, "2": 1, "3": 4, "4": 12, "5": 25 } }),
  })
  .openapi("Csat");

const Nps = z
  .object({
    responses: z.number().int().openapi({ description: "Answers to the 0–10 `recommend` question.", example: 40 }),
    promoters: z.number().int().openapi({ description: "Answers of 9 or 10.", example: 22 }),
    passives: z.number().int().openapi({ description: "Answers of 7 or 8.", example: 10 }),
    detractors: z.number().int().openapi({ description: "Answers of 0 to 6.", example: 8 }),
    score: z.number().nullable().openapi({
      description: "Net Promoter Score: (promoters − detractors) ÷ responses × 100, −100 to 100, one decimal; null without answers.",
      example: 35,
    }),
  })
  .openapi("Nps");

const ChannelStats = z
  .object({
    channel: z.enum(JOURNEY_CHANNELS),
    interactions: z.number().int(),
    customers: z.number().int().openapi({ description: "Distinct customers with an interaction on this channel in the period." }),
    orders: z.number().int().openapi({ description: "Orders placed on this channel in the period." }),
    conversion: z
      .number()
      .nullable()
      .openapi({ description: "Customers who ordered on this channel ÷ customers active on it.", example: 0.18 }),
    csat: Csat,
    nps: Nps.openapi({ description: "NPS of the answers given on this channel." }),
    npsByJourneyStart: Nps.openapi({
      description: "NPS of the answers (on any channel) of customers whose journey started on this channel (their first interaction ever).",
    }),
    openCases: z.number().int().openapi({ description: "Cases opened from this channel that are still open (now)." }),
  })
  .openapi("ChannelStats");

export const ChannelInsightsSchema = z
  .object({
    period: z.object({ from: z.string(), to: z.string() }),
    channels: z.array(ChannelStats),
    totals: z.object({
      interactions: z.number().int(),
      customers: z.number().int(),
      multiChannelCustomers: z.number().int().openapi({ description: "Customers active on two or more channels in the period." }),
      orders: z.number().int(),
      conversion: z.number().nullable(),
      csat: Csat,
      nps: Nps,
      openCases: z.number().int(),
    }),
    handoffs: z
      .array(
        z.object({ from: z.enum(JOURNEY_CHANNELS), to: z.enum(JOURNEY_CHANNELS), created: z.number().int(), redeemed: z.number().int() }),
      )
      .openapi({ description: "The from → to matrix of handoffs created in the period (only non-empty cells)." }),
  })
  .openapi("ChannelInsights");
export type ChannelInsights = z.infer<typeof ChannelInsightsSchema>;

type Row = Record<string, string | number | null>;
const num = (v: unknown) => Number(v ?? 0);

function csatOf(rows: Row[]): z.infer<typeof Csat> {
  const distribution: Record<string, number> = { "1": 0, "2": 0, "3": 0, "4": 0, "5": 0 };
  let total = 0;
  let sum = 0;
  for (const r of rows) {
    distribution[String(r.score)] = num(r.n);
    total += num(r.n);
    sum += num(r.n) * num(r.score);
  }
  return { ratings: total, average: total ? Math.round((sum / total) * 100) / 100 : null, distribution };
}

/** NPS from `{ score, n }` rows of 0–10 answers. */
export function npsOf(rows: Row[]): z.infer<typeof Nps> {
  let promoters = 0;
  let passives = 0;
  let detractors = 0;
  for (const r of rows) {
    const score = num(r.score);
    if (score >= 9) promoters += num(r.n);
    else if (score >= 7) passives += num(r.n);
    else detractors += num(r.n);
  }
  const responses = promoters + passives + detractors;
  const score = responses ? Math.round(((promoters - detractors) / responses) * 1000) / 10 : null;
  return { responses, promoters, passives, detractors, score };
}

const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : null);

/**
 * @example
 * await channelInsights(db, { from: new Date("2026-11-01"), to: new Date("2026-12-01") })
 */
export async function channelInsights(db: Database, period: { from: Date; to: Date }): Promise<ChannelInsights> {
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const all = async (query: ReturnType<typeof sql>) => (await db.orm.all(query)) as Row[];

  const activity = await all(sql`SELECT channel, COUNT(*) AS interactions, COUNT(DISTINCT customer_id) AS customers
    FROM interactions WHERE at >= ${from} AND at < ${to} GROUP BY channel`);
  const buyers = await all(sql`SELECT channel, COUNT(*) AS orders, COUNT(DISTINCT customer_id) AS buyers
    FROM orders WHERE placed_at >= ${from} AND placed_at < ${to} GROUP BY channel`);
  const ratings = await all(
    sql`SELECT channel, score, COUNT(*) AS n FROM ratings WHERE created_at >= ${from} AND created_at < ${to} GROUP BY channel, score`,
  );
  const answers = await all(
    sql`SELECT channel, score, COUNT(*) AS n FROM nps_answers WHERE created_at >= ${from} AND created_at < ${to} GROUP BY channel, score`,
  );
  // The journey's starting channel: the channel of the customer's first interaction ever.
  const answersByStart = await all(sql`SELECT s.channel AS channel, a.score AS score, COUNT(*) AS n FROM nps_answers a
    JOIN (SELECT i.customer_id, i.channel FROM interactions i
      JOIN (SELECT customer_id, MIN(seq) AS seq FROM interactions GROUP BY customer_id) f ON f.seq = i.seq) s ON s.customer_id = a.customer_id
    WHERE a.created_at >= ${from} AND a.created_at < ${to} GROUP BY s.channel, a.score`);
  const cases = await all(sql`SELECT channel, COUNT(*) AS n FROM cases WHERE status = 'open' GROUP BY channel`);
  const handoffs = await all(sql`SELECT from_channel AS "from", to_channel AS "to", COUNT(*) AS created, COUNT(redeemed_at) AS redeemed
    FROM handoffs WHERE created_at >= ${from} AND created_at < ${to} GROUP BY from_channel, to_channel ORDER BY from_channel, to_channel`);
  const [totals] = await all(
    sql`SELECT COUNT(*) AS interactions, COUNT(DISTINCT customer_id) AS customers FROM interactions WHERE at >= ${from} AND at < ${to}`,
  );
  const [multi] = await all(sql`SELECT COUNT(*) AS n FROM (SELECT customer_id FROM interactions WHERE at >= ${from} AND at < ${to}
    GROUP BY customer_id HAVING COUNT(DISTINCT channel) >= 2)`);
  const [orderTotals] = await all(
    sql`SELECT COUNT(*) AS orders, COUNT(DISTINCT customer_id) AS buyers FROM orders WHERE placed_at >= ${from} AND placed_at < ${to}`,
  );

  const by = <T extends Row>(rows: T[], channel: string) => rows.filter((r) => r.channel === channel);
  const channels = JOURNEY_CHANNELS.map((channel) => {
    const a = by(activity, channel)[0];
    const b = by(buyers, channel)[0];
    return {
      channel,
      interactions: num(a?.interactions),
      customers: num(a?.customers),
      orders: num(b?.orders),
      conversion: ratio(num(b?.buyers), num(a?.customers)),
      csat: csatOf(by(ratings, channel)),
      nps: npsOf(by(answers, channel)),
      npsByJourneyStart: npsOf(by(answersByStart, channel)),
      openCases: num(by(cases, channel)[0]?.n),
    };
  });
  const scores = [1, 2, 3, 4, 5].map((score) => ({
    score,
    n: ratings.filter((r) => num(r.score) === score).reduce((s, r) => s + num(r.n), 0),
  }));
  return {
    period: { from, to },
    channels,
    totals: {
      interactions: num(totals?.interactions),
      customers: num(totals?.customers),
      multiChannelCustomers: num(multi?.n),
      orders: num(orderTotals?.orders),
      conversion: ratio(num(orderTotals?.buyers), num(totals?.customers)),
      csat: csatOf(scores),
      nps: npsOf(answers),
      openCases: cases.reduce((s, r) => s + num(r.n), 0),
    },
    handoffs: handoffs.map((h) => ({
      from: h.from as (typeof JOURNEY_CHANNELS)[number],
      to: h.to as (typeof JOURNEY_CHANNELS)[number],
      created: num(h.created),
      redeemed: num(h.redeemed),
    })),
  };
}
