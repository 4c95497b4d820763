/** `GET /v1/insights/channels`: how each channel is doing, for operators and analysts. */
import { z } from "@hono/zod-openapi";
import { ChannelInsightsSchema, channelInsights } from "../../journeys/insights";
import type { Router } from "../../lib/create-router";
import { ApiError } from "../../lib/errors";
import { defineRoute } from "../../lib/route";

const DAY = 24 * 60 * 60 * 1000;

const route = defineRoute({
  method: "get",
  path: "/v1/insights/channels",
  tags: ["Customers"],
  operationId: "channelInsights",
  summary: "Channel insights",
  description:
    "Per channel and period: interactions, customers, customers active on two or more channels, orders and conversion, satisfaction (CSAT average and distribution; NPS from the 0–10 `recommend` answers, attributed both to the channel where the answer was given and to the channel where the customer's journey started), handoffs between channels (from → to), open cases. The period is [from, to): by default the last 30 days up to and including now; at most 366 days.",
  scope: "customers:read",
  request: {
    query: z.object({
      from: z.string().datetime({ offset: true }).optional().openapi({ example: "2026-11-01T00:00:00Z" }),
      to: z.string().datetime({ offset: true }).optional().openapi({ example: "2026-12-01T00:00:00Z" }),
    }),
  },
  responses: { 200: { description: "The insights.", content: { "application/json": { schema: ChannelInsightsSchema } } } },
});

export function registerInsightsRoutes(app: Router) {
  app.openapi(route, async (c) => {
    const q = c.req.valid("query");
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
    return c.json(await channelInsights(c.get("db"), { from, to }), 200);
  });
}
