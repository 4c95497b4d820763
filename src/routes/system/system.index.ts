/** The service's own surface: health, the OpenAPI document, the interactive reference. */
import { createRoute, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { Router } from "../../lib/create-router";
import { ApiError, errorResponses } from "../../lib/errors";
import { publishedDocument } from "../../lib/openapi-published";

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

  // Generated from the routes, then corrected and completed with the errors every operation can give (publishedDocument).
  app.get("/openapi.json", (c) => c.json(publishedDocument(app.getOpenAPI31Document(documentInfo(c.req.url)))));
  registerDocsRoutes(app);
}

function documentInfo(url: string) {
  return {
    openapi: "3.1.0",
    info: {
      title: "Unison API",
      version: API_VERSION,
      description:
        "One canonical catalogue, every channel in unison. Delivery reads published content (public by default); editors write drafts with `If-Match` versions and publish; every error is RFC 9457 `application/problem+json` with a stable `code`.",
      license: { name: "Proprietary", identifier: "LicenseRef-Proprietary" },
    },
    servers: [{ url: new URL(url).origin, description: "This server" }],
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
  };
}

function registerDocsRoutes(app: Router) {
  // The interactive reference: swagger-ui-dist (pinned, vendored by `npm run build:docs`) served as this
  // service's own assets, so it works offline and loads nothing from another origin.
  app.get("/docs", async (c) => {
    const { SWAGGER_UI_CSS, SWAGGER_UI_JS } = await docsUi();
    c.header("content-security-policy", DOCS_CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "no-referrer");
    return c.html(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unison API reference</title>
<link rel="stylesheet" href="/docs/assets/${SWAGGER_UI_CSS.name}">
</head>
<body>
<main id="swagger-ui"><noscript>The interactive reference needs JavaScript. The raw description is at <a href="/openapi.json">/openapi.json</a>.</noscript></main>
<script src="/docs/assets/${SWAGGER_UI_JS.name}"></script>
<script src="/docs/assets/${DOCS_INIT.name}"></script>
</body>
</html>`);
  });

  app.get("/docs/assets/:name", async (c) => {
    const asset = (await docsAssets()).find((a) => a.name === c.req.param("name"));
    if (!asset) throw new ApiError("not_found", "No such asset.");
    c.header("content-type", asset.type);
    c.header("cache-control", "public, max-age=31536000, immutable");
    c.header("x-content-type-options", "nosniff");
    return c.body(asset.text);
  });
}

/** Scripts only from this origin, no inline script, no eval; data only from this origin. Swagger UI sets inline styles. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Starts Swagger UI on /openapi.json: no validator badge (it calls validator.swagger.io), no top bar. */
const DOCS_INIT = {
  name: "docs-init.1.js",
  text: `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, validatorUrl: null, presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout" });\n`,
};

/**
 * The vendored UI (3.6 MB of text) is loaded on the first /docs request, not at start: a server
 * nobody reads the reference on never holds it (the production build puts it in its own chunk).
 */
const docsUi = () => import("./docs-ui.generated");

async function docsAssets() {
  const { SWAGGER_UI_CSS, SWAGGER_UI_JS } = await docsUi();
  return [
    { ...SWAGGER_UI_JS, type: "text/javascript; charset=utf-8" },
    { ...SWAGGER_UI_CSS, type: "text/css; charset=utf-8" },
    { ...DOCS_INIT, type: "text/javascript; charset=utf-8" },
  ];
}
