/**
 * The `/mcp` route: JSON-RPC over Streamable HTTP (MCP 2025-11-25), documented
 * in the OpenAPI description as one operation (its messages are MCP's own).
 */
import { z } from "@hono/zod-openapi";
import type { Router } from "../lib/create-router";
import { errorResponses } from "../lib/errors";
import { SECURITY_SCHEME } from "../lib/route";

const EXAMPLE_CALL = {
  jsonrpc: "2.0",
  id: 2,
  method: "tools/call",
  params: { name: "add_to_cart", arguments: { sku: "MER-CRE-SWE-S-NAVY", quantity: 1 }, _meta: { "unison/identity": "conversation-42" } },
};

export function registerMcpRoutes(app: Router) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: "/mcp",
    tags: ["Agents"],
    operationId: "mcp",
    summary: "MCP endpoint (Streamable HTTP, stateless)",
    description: [
      "The Model Context Protocol server for AI agents (revision 2025-11-25; older revisions negotiated). Send JSON-RPC messages with POST and `Accept: application/json, text/event-stream`; answers are JSON. Stateless: no session id, no GET stream.",
      "",
      "Tools: `search_products`, `get_product`, `get_message`, `redeem_handoff`, and one tool per enabled action of the catalogue (named by its key, its input schema the action's own). Resources: `unison://products/{slug}` and `unison://messages/{key}` as CommonMark in the request's locale.",
      "",
      "Reading tools are public exactly when delivery is (`DELIVERY_REQUIRES_KEY`); action tools need a key with `actions:invoke`. A refusal is a tool result with `isError: true`. Optional `_meta` on a call: `unison/identity` (the agent's handle for its customer; default: one customer per key), `unison/idempotency-key` (default: the call id), `unison/locale`.",
      "",
      "The `Host` (and `Origin`, when sent) must be the public origin's or a loopback address: anything else is 403 (DNS rebinding protection).",
    ].join("\n"),
    security: [{ [SECURITY_SCHEME]: [] }, {}],
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({
                jsonrpc: z.literal("2.0"),
                method: z.string(),
                id: z.union([z.string(), z.number()]).optional(),
                params: z.record(z.string(), z.unknown()).optional(),
              })
              .openapi("McpMessage"),
            example: EXAMPLE_CALL,
          },
        },
      },
    },
    responses: {
      200: {
        description: "The JSON-RPC response.",
        content: {
          "application/json": {
            schema: z
              .object({
                jsonrpc: z.literal("2.0"),
                id: z.union([z.string(), z.number()]).nullable(),
                result: z.unknown().optional(),
                error: z.unknown().optional(),
              })
              .openapi("McpResponse"),
            example: {
              jsonrpc: "2.0",
              id: 2,
              result: {
                content: [{ type: "text", text: "# Add to cart\n\nAdded to your cart. …" }],
                structuredContent: { action: "add_to_cart" },
              },
            },
          },
        },
      },
      202: { description: "A notification or response was accepted (no body)." },
      ...errorResponses(400, 401, 403, 405, 406, 415, 429),
    },
  });
  // The MCP SDK (with its JSON Schema validator, ajv, and zod 3) is loaded on the first /mcp request, not at start:
  // in the production build a dynamic import() is a chunk of its own (scripts/build.mjs).
  app.on(["GET", "POST", "DELETE"], "/mcp", async (c) => (await loadServer()).handleMcp(c));
}

let server: Promise<typeof import("./server")> | undefined;
const loadServer = () => (server ??= import("./server"));
