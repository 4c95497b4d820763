/**
 * What every inbound webhook route shares (docs/architecture.md, "Platforms"): the request as a
 * platform reads it, a platform's refusal as problem+json, and the route of a platform's documented
 * operation. The platforms themselves are in the registry (`renderers/`), reached through `AppDeps.platforms`.
 */
import { createRoute, type RouteConfig, type z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type WebhookDoc, WebhookRefusal, type WebhookRequest } from "../../channels/platform";
import type { AppEnv } from "../../lib/context";
import { ApiError, errorResponses } from "../../lib/errors";
import { assertJsonDepth } from "../../lib/json-depth";
import { hostOf, isAllowedHost } from "../../webhooks/endpoints";

/** The webhook request as platforms read it: the raw body, and what the core lends (JSON reading, the allow list). */
export async function webhookRequest(c: Context<AppEnv>): Promise<WebhookRequest> {
  const config = c.get("config");
  const url = new URL(c.req.url);
  url.hash = "";
  // `search` is "" for an empty query as for none: keep the bare `?` the request URL ends with (Twilio signs it).
  const search = url.search || (url.href.endsWith("?") ? "?" : "");
  return {
    body: c.req.method === "GET" ? "" : await c.req.text(),
    header: (name) => c.req.header(name),
    query: c.req.query(),
    // Platforms sign the public URL they called; behind a proxy that is PUBLIC_BASE_URL, not the URL we see.
    url: `${config.PUBLIC_BASE_URL}${url.pathname}${search}`,
    now: c.get("clock")(),
    config,
    json(text, what = "The request body") {
      assertJsonDepth(text, what);
      try {
        return JSON.parse(text);
      } catch {
        throw new ApiError("malformed_json", `${what} is not valid JSON.`);
      }
    },
    allowsHost: (target) => isAllowedHost(hostOf(target), config.WEBHOOK_ALLOW_HOSTS),
  };
}

/** A platform's refusal as the API's problem+json. */
export function refused(error: unknown): unknown {
  return error instanceof WebhookRefusal ? new ApiError(error.code, error.message) : error;
}

/** A webhook operation answering 200 with `type`: JSON for webhooks, plain text for a handshake. */
type WebhookRoute<T extends string> = RouteConfig & {
  responses: { 200: { description: string; content: { [K in T]: { schema: z.ZodType<T extends "text/plain" ? string : unknown> } } } };
};

/** The route of a platform's webhook operation: its documentation, the tag, no API key, its problem responses. */
export function routeOf<T extends string>(doc: WebhookDoc, _type: T): WebhookRoute<T> {
  const { method, path, operationId, summary, description, request, responses, errors } = doc;
  return createRoute({
    method,
    path,
    tags: ["Inbound channels"],
    operationId,
    summary,
    description,
    security: [],
    request,
    responses: { ...responses, ...errorResponses(...errors) },
  }) as unknown as WebhookRoute<T>;
}
