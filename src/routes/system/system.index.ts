/** The service's own surface: health, the OpenAPI document, the interactive reference. */
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";

export const API_VERSION = "1.0.0";

const health = createRoute({
  method: "get",
  path: "/healthz",
  tags: ["System"],
  operationId: "getHealth",
  summary: "Health check",
  description: "Reports whether the API can reach its database (503 when it cannot). No key needed; not rate limited.",
  security: [],
  responses: {
    200: {
      description: "Healthy.",
      content: {
        "application/json": {
          schema: z
            .object({ status: z.literal("ok"), driver: z.enum(["better-sqlite3", "d1"]), version: z.string() })
            .openapi("Health", { example: { status: "ok", driver: "better-sqlite3", version: API_VERSION } }),
        },
      },
    },
    ...errorResponses(503),
  },
});

export function registerSystemRoutes(app: Router) {
  app.openapi(health, async (c) => {
    const db = c.get("db");
    try {
      await db.orm.get(sql`SELECT 1`);
    } catch {
      throw new ApiError("service_unavailable", "The database is not reachable.", { headers: { "retry-after": "5" } });
    }
    c.header("cache-control", "no-store");
    return c.json({ status: "ok" as const, driver: db.driver, version: API_VERSION }, 200);
  });

  app.doc31("/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Unison API",
      version: API_VERSION,
      description:
        "One canonical catalogue, every channel in unison. Delivery reads published content (public by default); editors write drafts with `If-Match` versions and publish; every error is RFC 9457 `application/problem+json` with a stable `code`.",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: new URL(c.req.url).origin, description: "This server" }],
    tags: [
      { name: "System", description: "Health and the API description." },
      { name: "Delivery", description: "Published, localized content for apps, bots and partners." },
      { name: "Products (editors)", description: "Drafts, variants, overrides, publish, revisions." },
      { name: "Messages (editors)", description: "Promotions, policies, FAQs and system texts." },
      { name: "Actions (editors)", description: "The action catalogue's labels and keywords." },
      { name: "Catalogue (editors)", description: "Locales, inventory, import/export and the audit log." },
      { name: "Keys", description: "Scoped API keys." },
      {
        name: "Webhooks",
        description:
          "Outbound webhooks: catalogue events signed per Standard Webhooks, retried with back-off, never sent to private addresses.",
      },
      { name: "Actions", description: "What customers do, on any channel: POST /v1/actions/{key} with an Idempotency-Key." },
      { name: "Customers", description: "One customer across channels: identities, cart, orders, timeline, handoffs." },
      { name: "Cases", description: "Agent cases carrying the customer's cross-channel history." },
      { name: "Inbound channels", description: "Platform webhooks (Twilio SMS): signed by the platform, answered in its format." },
      { name: "Agents", description: "AI agents as a channel: the MCP server at /mcp (Streamable HTTP, stateless)." },
      {
        name: "Rendering",
        description: "Each channel's native output from the one catalogue, draft previews side by side, and the consistency audit.",
      },
    ],
  }));

  app.get("/docs", (c) => {
    c.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https:; font-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'",
    );
    return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unison API reference</title>
</head>
<body>
<noscript>The interactive reference needs JavaScript. The raw description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script id="api-reference" data-url="/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference@1"></script>
</body>
</html>`);
  });
}
