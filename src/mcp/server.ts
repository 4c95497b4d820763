/**
 * The MCP server at `/mcp` (Model Context Protocol, Streamable HTTP, revision
 * 2025-11-25): AI agents as a channel. Stateless — every POST builds the
 * server from the live catalogue and answers in JSON — so it runs the same on
 * Node and on Workers, behind any number of instances.
 *
 * - Reading tools (`search_products`, `get_product`, `get_message`) and the
 *   resources answer with the agent renderer's CommonMark text and the
 *   delivery API's JSON as structured content; public exactly when delivery
 *   is (`DELIVERY_REQUIRES_KEY`).
 * - One tool per enabled action of the catalogue, generated from it: its
 *   input schema is the action's own zod schema (the one REST validates with)
 *   and a call runs `invokeAction` with channel `agent` — the same
 *   validation, idempotency, identities, timeline and insights as any channel.
 *   Action tools need a key with `actions:invoke`.
 * - Refusals are tool errors (`isError`) with the problem's code and message,
 *   never a stack trace or another customer's data.
 */

import { z } from "@hono/zod-openapi";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "hono";
import { listDeliveryOptions } from "../catalogue/delivery";
import { LocaleCode, Slug } from "../catalogue/documents";
import { findLiveMessage, listLiveMessages, MessageViewSchema } from "../catalogue/messages";
import { findLiveProduct, listLiveProducts, ProductViewSchema } from "../catalogue/products";
import type { AgentResult, EntityView } from "../channels/contract";
import { catalogueActions, listedProducts, messageForChannel, messageSource, productForChannel, productSource } from "../channels/load";
import { type CatalogueAction, cartRenderView, overridden, productListRenderView } from "../channels/views";
import { ACTION_HANDLERS, type ActionKey, isActionKey } from "../journeys/actions";
import { CartSchema } from "../journeys/carts";
import { redeemHandoff } from "../journeys/handoffs";
import { invokeAction } from "../journeys/invoke";
import type { AppEnv } from "../lib/context";
import { ApiError } from "../lib/errors";
import { hasScope } from "../lib/keys";
import { viewContext } from "../routes/delivery/delivery.index";

/** The `_meta` keys a client may send with a tool call (MCP `params._meta`). */
export const META = {
  /** The agent's handle for the customer it acts for (an `agent` identity); default: one customer per API key. */
  identity: "unison/identity",
  /** An Idempotency-Key for an action call; default: the JSON-RPC call id. */
  idempotencyKey: "unison/idempotency-key",
  /** The reply locale (default: `Accept-Language`). */
  locale: "unison/locale",
} as const;

/** What an action does, beyond `sideEffects`, for the tool annotations (MCP `ToolAnnotations`). */
const DESTRUCTIVE: ReadonlySet<string> = new Set(["remove_from_cart", "cancel_order", "request_return"]);
/** Side-effecting actions whose repeat with the same arguments changes nothing more. */
const IDEMPOTENT: ReadonlySet<string> = new Set(["update_quantity", "remove_from_cart", "notify_back_in_stock", "cancel_order"]);

/** The annotations of an action's tool, derived from what the action does. */
export function actionAnnotations(key: ActionKey, title: string) {
  const readOnly = !ACTION_HANDLERS[key].sideEffects;
  return {
    title,
    readOnlyHint: readOnly,
    destructiveHint: !readOnly && DESTRUCTIVE.has(key),
    idempotentHint: readOnly || IDEMPOTENT.has(key),
    openWorldHint: false,
  };
}

type Extra = { requestId: string | number; _meta?: Record<string, unknown> };

const text = (markdown: string, structured?: Record<string, unknown>): CallToolResult => ({
  content: [{ type: "text", text: markdown }],
  ...(structured ? { structuredContent: structured } : {}),
});

/** A refusal as a tool error: the problem's code and message, nothing else. */
function toolError(code: string, message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: `${code}: ${message}` }] };
}

/** Runs a tool body; an ApiError becomes a tool error, anything else propagates (the SDK answers it without details). */
async function guarded(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) return toolError(error.code, error.message);
    throw error;
  }
}

const metaString = (extra: Extra, name: string) => {
  const value = extra._meta?.[name];
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
};

/** The agent's markdown for a view (the agent renderer: what the audit checks is what agents read). */
function markdownOf(c: Context<AppEnv>, view: EntityView): string {
  const out = c.get("renderers").agent.render(view, { baseUrl: c.get("config").PUBLIC_BASE_URL });
  return (JSON.parse(out.body) as AgentResult).content.map((part) => part.text).join("\n\n");
}

const localeArg = LocaleCode.optional().describe("The reply locale, e.g. `fr`; without it, the request's Accept-Language.");

/** Builds the server for one request: its tools follow the live catalogue (an action turned off has no tool). */
export async function buildMcpServer(c: Context<AppEnv>): Promise<McpServer> {
  const config = c.get("config");
  const principal = c.get("principal");
  const db = c.get("db");
  const canRead = !config.DELIVERY_REQUIRES_KEY || hasScope(principal, "catalog:read");
  const canAct = hasScope(principal, "actions:invoke");
  const baseCtx = await viewContext(c, undefined);
  const catalogue = await catalogueActions(db, baseCtx);

  const server = new McpServer(
    { name: "unison", title: "Unison store", version: "1.0.0", websiteUrl: config.PUBLIC_BASE_URL },
    {
      capabilities: { tools: { listChanged: false }, resources: { listChanged: false } },
      instructions:
        "A store's catalogue and actions. Search and read products, then act with the action tools: each product's text lists the tool calls it offers, with their arguments. The customer's cart, orders and timeline are shared with every other channel.",
    },
  );

  const reading = (run: (extra: Extra) => Promise<CallToolResult>) => (extra: Extra) =>
    canRead
      ? guarded(() => run(extra))
      : Promise.resolve(toolError("unauthorized", 'Reading the catalogue needs an API key with the "catalog:read" scope.'));
  const ctxFor = (locale: string | undefined, extra: Extra) => viewContext(c, locale ?? metaString(extra, META.locale));

  server.registerTool(
    "search_products",
    {
      title: "Search products",
      description:
        "Searches the published catalogue (titles, summaries, descriptions, categories) and lists matching products with their price and availability.",
      inputSchema: z.strictObject({
        q: z.string().min(1).max(200).optional().describe("Words to search for; without it, the whole catalogue in slug order."),
        category: Slug.optional().describe("Only this category."),
        limit: z.number().int().min(1).max(50).default(10),
        cursor: z.string().max(500).optional().describe("The `nextCursor` of the previous page."),
        locale: localeArg,
      }),
      outputSchema: z.object({ data: z.array(ProductViewSchema), nextCursor: z.string().nullable(), locale: z.string() }),
      annotations: { title: "Search products", readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      reading(async () => {
        const ctx = await ctxFor(args.locale, extra);
        const { items, nextCursor } = await listLiveProducts(db, {
          limit: args.limit,
          cursor: args.cursor,
          category: args.category,
          q: args.q,
        });
        const actions = ctx.locale === baseCtx.locale ? catalogue : await catalogueActions(db, ctx);
        const products = listedProducts(items, ctx);
        const view = productListRenderView(products, actions, "agent", {
          locale: ctx.locale,
          url: `${ctx.baseUrl}/products${args.q ? `?q=${encodeURIComponent(args.q)}` : ""}`,
          category: args.category ?? null,
          nextUrl: null,
        });
        return text(markdownOf(c, view), { data: products.map((p) => p.view), nextCursor, locale: ctx.locale });
      })(extra),
  );

  server.registerTool(
    "get_product",
    {
      title: "Get a product",
      description:
        "A published product: title, price, availability, description, attributes, variants (with their SKUs) and the actions it offers.",
      inputSchema: z.strictObject({ slug: Slug.describe("The product's slug, e.g. `merino-crew-sweater`."), locale: localeArg }),
      outputSchema: ProductViewSchema,
      annotations: { title: "Get a product", readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      reading(async () => {
        const ctx = await ctxFor(args.locale, extra);
        const live = await findLiveProduct(db, args.slug);
        if (!live) throw new ApiError("not_found", `No published product with slug "${args.slug}".`);
        const actions = ctx.locale === baseCtx.locale ? catalogue : await catalogueActions(db, ctx);
        const source = productSource(live.doc, live.stock, live, ctx, actions);
        return text(markdownOf(c, productForChannel(source, "agent")), source.view as unknown as Record<string, unknown>);
      })(extra),
  );

  server.registerTool(
    "get_message",
    {
      title: "Get a message",
      description: "A published message (a promotion, an FAQ answer, a notice) with its codes, dates and links.",
      inputSchema: z.strictObject({ key: z.string().min(1).max(64).describe("The message key, e.g. `free_shipping`."), locale: localeArg }),
      outputSchema: MessageViewSchema,
      annotations: { title: "Get a message", readOnlyHint: true, openWorldHint: false },
    },
    (args, extra) =>
      reading(async () => {
        const ctx = await ctxFor(args.locale, extra);
        const live = await findLiveMessage(db, args.key);
        if (!live) throw new ApiError("not_found", `No published message with key "${args.key}".`);
        const source = messageSource(live.doc, live, ctx, c.get("clock")());
        return text(markdownOf(c, messageForChannel(source, "agent")), source.view as unknown as Record<string, unknown>);
      })(extra),
  );

  for (const action of catalogue) registerActionTool(server, c, action, canAct);

  server.registerTool(
    "redeem_handoff",
    {
      title: "Continue with a handoff code",
      description:
        "Joins the customer who gave you a handoff code (they asked for one on SMS, chat or the web): from then on your identity acts for that customer, with the same cart, orders and timeline.",
      inputSchema: z.strictObject({
        code: z.string().min(4).max(32).describe("The code the customer received, e.g. `K7P2QX`."),
        locale: localeArg,
      }),
      outputSchema: z.object({ customer: z.string(), cart: CartSchema }),
      annotations: {
        title: "Continue with a handoff code",
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
    },
    async (args, extra) => {
      if (!canAct) return toolError("unauthorized", 'This tool needs an API key with the "actions:invoke" scope.');
      return guarded(async () => {
        const ctx = await ctxFor(args.locale, extra);
        const identity = { channel: "agent" as const, externalId: agentIdentity(c, extra) };
        const joined = await redeemHandoff(db, { code: args.code.trim().toUpperCase(), identity }, c.get("clock")(), ctx);
        const view = cartRenderView(joined.cart, catalogue, "agent", ctx.locale, ctx.baseUrl, await listDeliveryOptions(db, ctx.locale));
        return text(markdownOf(c, view), { customer: joined.customer, cart: joined.cart as unknown as Record<string, unknown> });
      });
    },
  );

  const productTemplate = new ResourceTemplate("unison://products/{slug}", {
    list: async () => {
      if (!canRead) return { resources: [] };
      const { items } = await listLiveProducts(db, { limit: 100 });
      return {
        resources: items.map((i) => ({ uri: `unison://products/${i.doc.slug}`, name: i.doc.slug, mimeType: "text/markdown" })),
      };
    },
  });
  server.registerResource(
    "product",
    productTemplate,
    { title: "Product", description: "A published product as the agent reads it, in the caller's locale.", mimeType: "text/markdown" },
    async (uri, variables) => {
      if (!canRead) throw new ApiError("unauthorized", 'Reading the catalogue needs an API key with the "catalog:read" scope.');
      const slug = String(variables.slug);
      const live = await findLiveProduct(db, slug);
      if (!live) throw new ApiError("not_found", `No published product with slug "${slug}".`);
      const source = productSource(live.doc, live.stock, live, baseCtx, catalogue);
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: markdownOf(c, productForChannel(source, "agent")) }] };
    },
  );
  const messageTemplate = new ResourceTemplate("unison://messages/{key}", {
    list: async () => {
      if (!canRead) return { resources: [] };
      const { items } = await listLiveMessages(db, { limit: 100 }, c.get("clock")());
      return { resources: items.map((m) => ({ uri: `unison://messages/${m.doc.key}`, name: m.doc.key, mimeType: "text/markdown" })) };
    },
  });
  server.registerResource(
    "message",
    messageTemplate,
    { title: "Message", description: "A published message as the agent reads it, in the caller's locale.", mimeType: "text/markdown" },
    async (uri, variables) => {
      if (!canRead) throw new ApiError("unauthorized", 'Reading the catalogue needs an API key with the "catalog:read" scope.');
      const key = String(variables.key);
      const live = await findLiveMessage(db, key);
      if (!live) throw new ApiError("not_found", `No published message with key "${key}".`);
      const view = messageForChannel(messageSource(live.doc, live, baseCtx, c.get("clock")()), "agent");
      return { contents: [{ uri: uri.href, mimeType: "text/markdown", text: markdownOf(c, view) }] };
    },
  );
  return server;
}

/** The `agent` identity a call acts for: the client's handle, else one per API key. */
function agentIdentity(c: Context<AppEnv>, extra: Extra): string {
  const given = metaString(extra, META.identity);
  if (given) return given.slice(0, 200);
  return `key:${c.get("principal")?.keyId ?? "anonymous"}`;
}

/** One tool for one action of the catalogue: its schema, its words, its annotations; calls go through `invokeAction`. */
function registerActionTool(server: McpServer, c: Context<AppEnv>, action: CatalogueAction, canAct: boolean) {
  const key = action.view.key;
  if (!action.view.enabled || !isActionKey(key)) return;
  const handler = ACTION_HANDLERS[key];
  const label = overridden(action.overrides, "agent", action.view.locale, "label", action.view.label);
  const confirmation = overridden(action.overrides, "agent", action.view.locale, "confirmation", action.view.confirmation);
  server.registerTool(
    key,
    {
      title: label,
      description: `${label}. ${handler.description}${confirmation ? ` On success: "${confirmation}"` : ""}`,
      inputSchema: handler.input as z.ZodObject,
      outputSchema: z.object({ action: z.string(), customer: z.string(), result: handler.result }),
      annotations: actionAnnotations(key, label),
    },
    async (args: unknown, extra: Extra) => {
      const principal = c.get("principal");
      if (!canAct || !principal) return toolError("unauthorized", 'This tool needs an API key with the "actions:invoke" scope.');
      return guarded(async () => {
        const identity = agentIdentity(c, extra);
        const locale = metaString(extra, META.locale);
        const view = await viewContext(c, locale);
        const outcome = await invokeAction(c.get("db"), {
          registry: c.get("renderers"),
          key,
          request: { channel: "agent", identity: { channel: "agent", externalId: identity }, input: args, ...(locale ? { locale } : {}) },
          // The client's key, else the call id: a retried call (same id, same arguments) is answered from the first.
          idempotencyKey: metaString(extra, META.idempotencyKey) ?? `mcp:${identity}:${String(extra.requestId)}`.slice(0, 255),
          apiKeyId: principal.keyId,
          requestId: c.get("requestId"),
          view,
          now: c.get("clock")(),
        });
        const body = JSON.parse(outcome.body) as Record<string, unknown>;
        if (outcome.status >= 400)
          return toolError(String(body.code ?? "error"), String(body.detail ?? body.title ?? "The action was refused."));
        const reply = body.reply as { body?: AgentResult } | undefined;
        const markdown = reply?.body?.content?.map((part) => part.text).join("\n\n") ?? "";
        return text(markdown, { action: body.action, customer: body.customer, result: body.result });
      });
    },
  );
}

/** Whether a Host (or an Origin's host) may reach `/mcp`: the public origin's host, or a loopback address (DNS rebinding). */
export function allowedHost(host: string, publicBaseUrl: string): boolean {
  const own = new URL(publicBaseUrl).host.toLowerCase();
  const value = host.trim().toLowerCase();
  if (value === own) return true;
  const name = value.replace(/:\d+$/, "");
  return name === "localhost" || name === "127.0.0.1" || name === "[::1]";
}

/**
 * Answers one `/mcp` request: Host and Origin checked first (a browser page on
 * another site, or a rebound DNS name, gets 403), then the stateless transport.
 */
export async function handleMcp(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  const origin = c.req.header("origin");
  let originHost: string | null = null;
  if (origin !== undefined) {
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = "";
    }
  }
  if (!allowedHost(host, config.PUBLIC_BASE_URL) || (originHost !== null && !allowedHost(originHost, config.PUBLIC_BASE_URL))) {
    throw new ApiError(
      "forbidden",
      `Host ${JSON.stringify(host)}${origin === undefined ? "" : ` with Origin ${JSON.stringify(origin)}`} may not reach the MCP endpoint (DNS rebinding protection).`,
    );
  }
  if (c.req.method !== "POST") {
    // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE).
    throw new ApiError("method_not_allowed", "The MCP endpoint is stateless: send JSON-RPC messages with POST.", {
      headers: { allow: "POST" },
    });
  }
  // The transport's own 406 is a JSON-RPC body; every error of this API is problem+json, so ask first.
  const accept = c.req.header("accept") ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
    throw new ApiError("not_acceptable", "An MCP client must accept both application/json and text/event-stream (Streamable HTTP).");
  }
  const server = await buildMcpServer(c);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    // The body was read already (the JSON depth check reads every JSON body first): hand the transport its parse.
    // Text that is not JSON goes through unparsed, and the transport answers with its own JSON-RPC parse error.
    const text = await c.req.text();
    let parsedBody: unknown;
    try {
      parsedBody = JSON.parse(text);
    } catch {
      parsedBody = undefined;
    }
    const response = await transport.handleRequest(c.req.raw, parsedBody === undefined ? undefined : { parsedBody });
    const headers = new Headers(response.headers);
    headers.set("cache-control", "no-store");
    return new Response(response.body, { status: response.status, headers });
  } finally {
    // JSON responses are complete once returned: nothing stays open between requests.
    void server.close();
  }
}
