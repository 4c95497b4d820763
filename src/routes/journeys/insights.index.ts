/** `GET /v1/insights/channels` and `/v1/insights/journeys`: how each channel and the journeys across them are doing, for operators and analysts. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ChannelInsightsSchema, channelInsights } from "../../journeys/insights";
import { JourneyInsightsSchema, journeyInsights } from "../../journeys/journey-insights";
import type { AppEnv } from "../../lib/context";
import type { Router } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { defineRoute } from "../../lib/route";

const DAY = 24 * 60 * 60 * 1000;

const periodQuery = z.object({
  from: z.string().datetime({ offset: true }).optional().openapi({ example: "2026-11-01T00:00:00Z" }),
  to: z.string().datetime({ offset: true }).optional().openapi({ example: "2026-12-01T00:00:00Z" }),
});

const route = defineRoute({
  method: "get",
  path: "/v1/insights/channels",
  tags: ["Customers"],
  operationId: "channelInsights",
  summary: "Channel insights",
  description:
    "Per channel and period: interactions, customers, customers active on two or more channels, orders and conversion, satisfaction (CSAT average and distribution; NPS from the 0–10 `recommend` answers, attributed both to the channel where the answer was given and to the channel where the customer's journey started), handoffs between channels (from → to), open cases. The period is [from, to): by default the last 30 days up to and including now; at most 366 days.",
  scope: "customers:read",
  request: { query: periodQuery },
  responses: { 200: { description: "The insights.", content: { "application/json": { schema: ChannelInsightsSchema } } } },
});

const journeysRoute = defineRoute({
  method: "get",
  path: "/v1/insights/journeys",
  tags: ["Customers"],
  operationId: "journeyInsights",
  summary: "Journey insights",
  description:
    "The journey picture over a period: where journeys start (each active customer's first channel ever) and how they end (an order, an agent case without an order, or a drop); orders per channel; the value of crossing channels (customers, orders and revenue per customer by how many channels they used: 1, 2, 3 or more); the effort per channel path (mean interactions and hours from first contact to the first order or closed case); and the consistency trend (violations let through by forced publishes, per day, channel and rule, from the audit log). The period is [from, to) as for `/v1/insights/channels`. The handoff matrix is in `/v1/insights/channels`.",
  scope: "customers:read",
  request: { query: periodQuery },
  responses: {
    200: {
      description: "The journey insights.",
      content: {
        "application/json": {
          schema: JourneyInsightsSchema,
          example: {
            period: { from: "2026-11-01T00:00:00.000Z", to: "2026-12-01T00:00:00.000Z" },
            starts: [{ channel: "sms", journeys: 12, ordered: 5, caseOnly: 1, dropped: 6 }],
            ends: [{ channel: "web", orders: 9 }],
            crossChannel: [
              { channels: 1, customers: 20, orders: 6, revenue: 54000, ordersPerCustomer: 0.3, revenuePerCustomer: 2700 },
              { channels: 2, customers: 10, orders: 7, revenue: 61000, ordersPerCustomer: 0.7, revenuePerCustomer: 6100 },
            ],
            effort: [{ path: ["sms", "web"], journeys: 8, reached: 5, interactions: 6.4, hours: 3.2 }],
            consistency: [{ day: "2026-11-24", channel: "sms", rule: "fact_missing", violations: 2 }],
          },
        },
      },
    },
  },
});

/** The period of an insights request: [from, to), by default the last 30 days up to and including now, at most 366 days. */
function periodOf(c: Context<AppEnv>, q: { from?: string | undefined; to?: string | undefined }) {
  // `to` is exclusive; by default the period ends just after now, so what happened this instant counts.
  const to = q.to ? new Date(q.to) : new Date(c.get("clock")().getTime() + 1);
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY);
  if (from >= to)
    throw new ApiError("validation_failed", "from must be before to.", {
      extra: { errors: [{ in: "query", pointer: "/from", code: "custom", message: "from must be before to." }] },
    });
  if (to.getTime() - from.getTime() > 366 * DAY)
    throw new ApiError("validation_failed", "The period is at most 366 days.", {
      extra: { errors: [{ in: "query", pointer: "/to", code: "too_big", message: "At most 366 days." }] },
    });
  c.header("cache-control", "private, max-age=60");
  return { from, to };
}

export function registerInsightsRoutes(app: Router) {
  app.openapi(route, async (c) => c.json(await channelInsights(c.get("db"), periodOf(c, c.req.valid("query"))), 200));
  app.openapi(journeysRoute, async (c) => c.json(await journeyInsights(c.get("db"), periodOf(c, c.req.valid("query"))), 200));
}
