/**
 * Rendering for channels, previews for editors, and the consistency audit.
 * Rendered bodies come in each channel's own media type.
 */
import { z } from "@hono/zod-openapi";
import { CHANNELS, Key, LocaleCode, Slug } from "../../catalogue/documents";
import { RENDER_BODY_EXAMPLES, RenderBody } from "../../channels/bodies";
import { RULES } from "../../consistency/engine";
import { AuditReportSchema, PreviewSchema } from "../../consistency/schemas";
import { errorResponses } from "../../lib/errors";
import { notModified } from "../../lib/etag";
import { CACHE_STATUS_HEADER } from "../../lib/response-cache";
import { defineRoute } from "../../lib/route";

export const FORMATS = ["html", "screen", "text", "generic", "whatsapp", "slack", "telegram", "messenger", "mcp"] as const;

const channelParam = z.enum(CHANNELS).openapi({ description: "The channel to render for.", example: "sms" });
const renderQuery = z.object({
  locale: LocaleCode.optional().openapi({
    description: "The locale. Without it, `Accept-Language` is negotiated; the resolved locale is in `Content-Language`.",
  }),
  format: z.enum(FORMATS).optional().openapi({
    description:
      "The platform format: `chat` takes `generic` (default), `whatsapp`, `slack`, `telegram` or `messenger`; web is `html`, mobile `screen`, sms `text`.",
    example: "whatsapp",
  }),
});

const rendered = {
  200: {
    description:
      "The rendered body, in the channel's media type: HTML for web, a JSON screen for mobile, plain text for SMS, the platform's JSON for chat. `X-Unison-Degradations` counts the degradations the renderer took (the manifest lists them, see preview).",
    headers: {
      ETag: { description: "Strong validator of these bytes.", schema: { type: "string" as const } },
      "Content-Language": { description: "The resolved locale.", schema: { type: "string" as const } },
    },
    content: {
      "text/html": { schema: z.string().openapi({ example: '<!doctype html><html lang="en">…' }) },
      "text/plain": {
        schema: z.string().openapi({ example: "Merino crew - €89.00 - In stock\n…\nReply ADD MER-CRE-SWE-S-NAVY (Add to cart)…" }),
      },
      "application/json": {
        schema: RenderBody,
        examples: RENDER_BODY_EXAMPLES,
      },
    },
  },
  ...notModified,
  ...errorResponses(404),
};

/** Product renders are also answered by the response cache. */
const renderedProduct = {
  ...rendered,
  200: { ...rendered[200], headers: { ...rendered[200].headers, "Cache-Status": CACHE_STATUS_HEADER } },
};

export const renderProduct = defineRoute({
  method: "get",
  path: "/v1/render/{channel}/products/{slug}",
  tags: ["Rendering"],
  operationId: "renderProduct",
  summary: "Render a published product for a channel",
  description:
    "The product as the channel shows it, produced by the same renderer the consistency engine proves at publish time. Cached per (entity, revision, stock, locale, channel, format); the strong ETag names the bytes.",
  scope: "catalog:read",
  publicRead: true,
  request: { params: z.object({ channel: channelParam, slug: Slug }), query: renderQuery },
  responses: renderedProduct,
});

export const renderMessage = defineRoute({
  method: "get",
  path: "/v1/render/{channel}/messages/{key}",
  tags: ["Rendering"],
  operationId: "renderMessage",
  summary: "Render a published message for a channel",
  description:
    "A promotion, policy, FAQ or system text as the channel shows it, with every fact it carries (codes, percentages, dates, links).",
  scope: "catalog:read",
  publicRead: true,
  request: { params: z.object({ channel: channelParam, key: Key }), query: renderQuery },
  responses: rendered,
});

const preview = (type: "products" | "messages") =>
  defineRoute({
    method: "get",
    path: type === "products" ? "/v1/preview/products/{slug}" : "/v1/preview/messages/{key}",
    tags: ["Rendering"],
    operationId: type === "products" ? "previewProduct" : "previewMessage",
    summary: `Preview a ${type === "products" ? "product" : "message"} draft on every channel`,
    description:
      "Renders the current draft on every channel, format and locale — through exactly the code path delivery uses — side by side, with the parity verdict publishing would give (`ok`, and each violation with its channel, locale, rule and field).",
    scope: "catalog:write",
    request: { params: type === "products" ? z.object({ slug: Slug }) : z.object({ key: Key }) },
    responses: {
      200: { description: "Every render and the verdict.", content: { "application/json": { schema: PreviewSchema } } },
      ...errorResponses(404),
    },
  });

export const previewProduct = preview("products");
export const previewMessage = preview("messages");

export const consistencyReport = defineRoute({
  method: "get",
  path: "/v1/consistency",
  tags: ["Rendering"],
  operationId: "getConsistencyReport",
  summary: "Audit the published catalogue on every channel",
  description:
    "Renders every published product and message on every channel, format and locale and checks each body: every fact shown, every applicable action offered and decoding back to the same action, channel limits kept, links on the shop's own domain and live, no stale overrides, SMS keywords unique. Filter the report by `channel` and `rule` (what is checked stays the same). `unison check` runs the same audit offline.",
  scope: "catalog:read",
  request: {
    query: z.object({
      channel: z.enum(CHANNELS).optional(),
      rule: z.enum(RULES).optional(),
    }),
  },
  responses: {
    200: { description: "The audit.", content: { "application/json": { schema: AuditReportSchema } } },
  },
});
